#include "kdbench/sched/assistant_choice.h"

#include <cmath>
#include <cstdio>

#include "kdbench/core/errors.h"

namespace kdbench::sched {
namespace {

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100 * fraction);
  return buf;
}

}  // namespace

nlohmann::json AssistantDecision::to_json() const {
  nlohmann::json c = nlohmann::json::object();
  for (const auto& [model, acc] : candidates) c[model] = acc;
  return {{"rule", "no-KD val accuracy closest to mean(teacher, student)"},
          {"chosen", chosen},
          {"teacher_val_acc", teacher_acc},
          {"student_val_acc", student_acc},
          {"target", target},
          {"candidates_val_acc", c}};
}

std::string AssistantDecision::summary() const {
  std::string s = "assistant " + chosen + " (target " + percent(target) + " = mean of teacher " +
                  percent(teacher_acc) + " and student " + percent(student_acc) + "; candidates";
  for (const auto& [model, acc] : candidates) s += " " + model + " " + percent(acc);
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
  if (checkpoint < 0) return c.val_acc.back();
  for (size_t i = 0; i < c.size(); ++i)
    if (c.epoch[i] == checkpoint) return c.val_acc[i];
  throw Error("teacher run " + teacher.key + " has no epoch " + std::to_string(checkpoint) +
              " in its curves");
}

AssistantDecision decide(const grid::AssistantChoice& choice,
                         const std::function<results::RunRecord(const std::string&)>& record) {
  std::vector<std::pair<std::string, double>> candidates;
  for (const auto& c : choice.candidates)
    candidates.emplace_back(c.model, record(c.baseline_key).best_val_acc);
  return choose_assistant(
      distilled_teacher_accuracy(record(choice.teacher_key), choice.teacher_checkpoint),
      record(choice.student_baseline_key).best_val_acc, candidates);
}

}  // namespace kdbench::sched
