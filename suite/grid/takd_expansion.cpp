#include "takd_expansion.h"

#include <algorithm>

#include "kdbench/core/errors.h"

namespace kdbench::grid {

methods::ParamMap TakdExpansion::link_params(const std::string& up, const std::string& down,
                                             const methods::ParamMap& fallback) const {
  const auto link = grid_.takd_links.find(up + ">" + down);
  return link == grid_.takd_links.end() ? fallback : link->second;
}

std::vector<std::string> TakdExpansion::auto_candidates(int64_t hi, int64_t lo) {
  std::vector<std::string> out;
  for (const auto* list : {&grid_.teachers, &grid_.students})
    for (const auto& m : *list)
      if (builder_.size_of(m) < hi && builder_.size_of(m) > lo &&
          std::find(out.begin(), out.end(), m) == out.end())
        out.push_back(m);
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    return builder_.size_of(a) > builder_.size_of(b);
  });
  return out;
}

// The grid's own nokd student run when the model is a student (same key, so shared), else a
// `baseline` run the reports leave out.
std::string TakdExpansion::baseline(const std::string& model, int64_t seed) {
  const bool is_student =
      std::find(grid_.students.begin(), grid_.students.end(), model) != grid_.students.end();
  return builder_.add_student(is_student ? "student" : "baseline", model, "nokd",
                              builder_.params_for("nokd"), seed, Upstream{}, {});
}

void TakdExpansion::add_choice(const std::string& student, int64_t seed,
                               const std::string& teacher_key, int checkpoint,
                               const std::vector<std::string>& candidates,
                               const methods::ParamMap& params) {
  const std::string teacher_model = builder_.at(teacher_key).model;
  AssistantChoice choice;
  choice.id = "student " + student + " takd<-" + teacher_model +
              (checkpoint >= 0 ? "@" + std::to_string(checkpoint) : "") + " seed " +
              std::to_string(seed);
  choice.teacher_key = teacher_key;
  choice.teacher_checkpoint = checkpoint;
  choice.student_baseline_key = baseline(student, seed);
  for (const auto& c : candidates) choice.candidates.push_back({c, baseline(c, seed)});
  const auto decision_keys = choice.decision_keys();
  for (const auto& c : candidates) {
    const std::string assistant_key =
        builder_.add_student("assistant", c, "takd", link_params(teacher_model, c, params), seed,
                             Upstream{teacher_key, checkpoint}, {teacher_model});
    for (const auto& k : decision_keys) builder_.add_decision_dependency(assistant_key, k);
    builder_.mutable_at(assistant_key).alternative_of.push_back({choice.id, c});
    const std::vector<std::string> chain = builder_.at(assistant_key).chain;
    const std::string student_key =
        builder_.add_student("student", student, "takd", link_params(c, student, params), seed,
                             Upstream{assistant_key, -1}, chain);
    // The student waits for the decision too: its assistant may also run unconditionally
    // (another cell's fixed chain) and finish before the baselines.
    Task& alternative_student = builder_.mutable_at(student_key);
    alternative_student.deps.insert(alternative_student.deps.end(), decision_keys.begin(),
                                    decision_keys.end());
    alternative_student.alternative_of.push_back({choice.id, c});
  }
  builder_.add_choice(std::move(choice));
}

void TakdExpansion::add_cell(const std::string& student, int64_t seed,
                             const std::string& teacher_key, int checkpoint,
                             const methods::ParamMap& params) {
  const std::string teacher_model = builder_.at(teacher_key).model;
  // Assistants strictly between teacher and student in size (the TAKD rule); others are skipped
  // for this pair, so a teacher sweep can share one assistant list.
  const int64_t hi = builder_.size_of(teacher_model), lo = builder_.size_of(student);
  std::vector<std::string> path;
  if (grid_.takd_auto) {
    path = auto_candidates(hi, lo);
    if (path.size() > 1) {
      add_choice(student, seed, teacher_key, checkpoint, path, params);
      return;
    }
  } else {
    for (const auto& a : grid_.takd_assistants)
      if (builder_.size_of(a) < hi && builder_.size_of(a) > lo) path.push_back(a);
    had_cells_ = true;
    fitting_assistants_.insert(path.begin(), path.end());
  }
  Upstream upstream{teacher_key, checkpoint};
  std::vector<std::string> chain = {teacher_model};
  for (const auto& assistant : path) {
    const std::string key = builder_.add_student(
        "assistant", assistant, "takd",
        link_params(builder_.at(upstream.key).model, assistant, params), seed, upstream, chain);
    chain = builder_.at(key).chain;
    upstream = Upstream{key, -1};
    builder_.require(key);
  }
  builder_.require(builder_.add_student(
      "student", student, "takd", link_params(builder_.at(upstream.key).model, student, params),
      seed, upstream, chain));
}

void TakdExpansion::check_every_assistant_fits() const {
  if (!had_cells_) return;
  const auto sized = [&](const std::vector<std::string>& models) {
    std::string out;
    for (const auto& m : models)
      out += (out.empty() ? "" : ", ") + m + " " + std::to_string(builder_.size_of(m));
    return out;
  };
  for (const auto& a : grid_.takd_assistants)
    if (!fitting_assistants_.count(a))
      throw ConfigError(grid_.path + ": [method.takd] assistants: '" + a + "' (" +
                        std::to_string(builder_.size_of(a)) +
                        " parameters) is not strictly between any teacher and student in size "
                        "(teachers: " +
                        sized(grid_.teachers) + "; students: " + sized(grid_.students) +
                        "); an assistant is smaller than its teacher and larger than its student");
}

}  // namespace kdbench::grid
