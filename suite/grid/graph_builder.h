#pragma once
// GraphBuilder: adds tasks to a TaskGraph under their content keys (docs/design.md §3).
// expand() in task_graph.cpp drives it for teachers and students; takd_expansion.cpp for TAKD
// chains and `assistants = auto` alternatives. Adding a task whose key exists already keeps the
// existing one: that is how equal work is shared (a teacher by its students, a nokd run by every
// row).
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kdbench/grid/task_graph.h"
#include "kdbench/methods/method.h"

namespace kdbench::grid {

// What a student-side task learns from.
struct Upstream {
  std::string key;      // a teacher or TAKD assistant task; "" = none (no-KD runs)
  int checkpoint = -1;  // its epoch to read; -1 = final weights
};

class GraphBuilder {
 public:
  explicit GraphBuilder(const GridSpec& grid);

  const GridSpec& grid() const { return grid_; }
  const Task& at(const std::string& key) const { return graph_.at(key); }
  Task& mutable_at(const std::string& key) { return graph_.tasks[graph_.index.at(key)]; }
  // The raw [method.NAME] parameters; empty when the grid has no such section.
  methods::ParamMap params_for(const std::string& method) const;
  // Every student-side task trains with the [student] role's epochs and batch size.
  const methods::TrainShape& train_shape() const { return train_shape_; }
  // Parameter count of a model at the grid's input shape (TAKD orders models by it).
  int64_t size_of(const std::string& model);

  // The masked-LM pretraining of `model` ([pretrain]), one per model, shared by every task of
  // that model; returns its key.
  std::string add_pretrain(const std::string& model);
  // A teacher trained from scratch (or from its pretrain task's encoder); returns its key.
  std::string add_teacher(const std::string& model, int64_t seed);
  // A student-side task of `kind` (student | assistant | baseline) learning from `upstream`;
  // `chain` lists the models above it. Makes the upstream task keep the checkpoints the method
  // reads. Returns the key.
  std::string add_student(const std::string& kind, const std::string& model,
                          const std::string& method_name, const methods::ParamMap& params,
                          int64_t seed, const Upstream& upstream, std::vector<std::string> chain);

  // A task some cell needs whatever TAKD auto chooses: no alternative, see finish().
  void require(const std::string& key) { required_.insert(key); }
  // Adds `dep` to `key`'s dependencies, if missing, as one it has only while it is an
  // alternative of a TAKD auto choice.
  void add_decision_dependency(const std::string& key, const std::string& dep);
  void add_choice(AssistantChoice choice);

  // The graph: required tasks stop being alternatives and waiting for decisions; dependencies
  // are put first.
  TaskGraph finish();

 private:
  const Task& add(Task t);
  void fill_model(Task& t);
  // A model of [pretrain] models: the task depends on the model's pretrain task and its key text
  // names it, so other pretraining makes other fine-tunes.
  void attach_pretrain(Task& t, std::string& key_text);
  // The training config's key text for a task of `model`: `role_text` (the role's, computed once),
  // or, for a model of [init], the role's config with that init directory (set in `c`).
  std::string model_train(TrainConfig& c, const std::string& model,
                          const std::string& role_text) const;

  const GridSpec& grid_;
  TaskGraph graph_;
  int64_t classes_;
  InputShape shape_;
  double n_train_, n_eval_;  // nominal images per epoch, for cost estimates
  std::string data_;         // canonical text of the data every task sees
  // canonical(teacher) / canonical(student): once per grid (an init directory is hashed).
  std::string teacher_train_, student_train_;
  // Key texts that hash a Hugging Face directory ([init] per model, Combined-KD's generator_init),
  // computed once per grid.
  mutable std::map<std::string, std::string> dir_texts_;
  methods::TrainShape train_shape_;
  std::map<std::string, int64_t> sizes_;
  std::map<std::string, std::string> pretrain_keys_;  // model -> its pretrain task (the corpus is
                                                      // hashed by content once per grid)
  std::set<std::string> required_;
  std::map<std::string, std::set<std::string>> decision_deps_;
};

}  // namespace kdbench::grid
