#include "kdbench/sched/assistant_choice.h"

#include <cmath>
#include <cstdio>

#include "kdbench/core/errors.h"

namespace kdbench::sched {
namespace {

// Accuracies as percentages; correlations and F1 ×100, as the report prints them.
std::string percent(double fraction, const std::string& metric) {
  char buf[32];
  std::snprintf(buf, sizeof buf, metric == "accuracy" ? "%.2f%%" : "%.2f", 100 * fraction);
  return buf;
}

bool by_accuracy(const results::RunRecord& r) { return results::scored_by_accuracy(r); }

}  // namespace

nlohmann::json AssistantDecision::to_json() const {
  nlohmann::json c = nlohmann::json::object();
  for (const auto& [model, acc] : candidates) c[model] = acc;
  // Image grids keep the names they always had; another metric names itself.
  const std::string name = metric == "accuracy" ? "accuracy" : metric;
  const std::string suffix = metric == "accuracy" ? "acc" : metric;
  return {{"rule", "no-KD val " + name + " closest to mean(teacher, student)"},
          {"chosen", chosen},
          {"teacher_val_" + suffix, teacher_acc},
          {"student_val_" + suffix, student_acc},
          {"target", target},
          {"candidates_val_" + suffix, c}};
}

std::string AssistantDecision::summary() const {
  std::string s = "assistant " + chosen + " (" + (metric == "accuracy" ? "" : metric + " ") +
                  "target " + percent(target, metric) + " = mean of teacher " +
                  percent(teacher_acc, metric) + " and student " + percent(student_acc, metric) +
                  "; candidates";
  for (const auto& [model, acc] : candidates) s += " " + model + " " + percent(acc, metric);
  return s + ")";
}

AssistantDecision choose_assistant(double teacher_acc, double student_acc,
                                   const std::vector<std::pair<std::string, double>>& candidates) {
  if (candidates.empty()) throw Error("internal: TAKD auto choice without candidates");
  AssistantDecision d;
  d.teacher_acc = teacher_acc;
  d.student_acc = student_acc;
  d.target = 0.5 * (teacher_acc + student_acc);
  d.candidates = candidates;
  double best = INFINITY;
  for (const auto& [model, acc] : candidates) {
    const double distance = std::abs(acc - d.target);
    if (distance < best) best = distance, d.chosen = model;  // strict: ties keep the larger model
  }
  if (d.chosen.empty()) throw Error("internal: TAKD auto choice over non-finite accuracies");
  return d;
}

double distilled_teacher_accuracy(const results::RunRecord& teacher, int checkpoint) {
  const auto& c = teacher.curves;
  if (c.size() == 0) throw Error("teacher run " + teacher.key + " has no recorded epochs");
  const auto& val = by_accuracy(teacher) ? c.val_acc : c.val_metric;
  if (checkpoint < 0) return val.back();
  for (size_t i = 0; i < c.size(); ++i)
    if (c.epoch[i] == checkpoint) return val[i];
  throw Error("teacher run " + teacher.key + " has no epoch " + std::to_string(checkpoint) +
              " in its curves");
}

AssistantDecision decide(const grid::AssistantChoice& choice,
                         const std::function<results::RunRecord(const std::string&)>& record) {
  const auto best_val = [](const results::RunRecord& r) {
    return by_accuracy(r) ? r.best_val_acc : r.best_val_metric;
  };
  std::vector<std::pair<std::string, double>> candidates;
  for (const auto& c : choice.candidates)
    candidates.emplace_back(c.model, best_val(record(c.baseline_key)));
  const results::RunRecord teacher = record(choice.teacher_key);
  AssistantDecision d =
      choose_assistant(distilled_teacher_accuracy(teacher, choice.teacher_checkpoint),
                       best_val(record(choice.student_baseline_key)), candidates);
  d.metric = by_accuracy(teacher) ? "accuracy" : teacher.metric;
  return d;
}

}  // namespace kdbench::sched
