// The task DAG: TaskGraph's queries and expand(), which walks the grid's axes (teachers, then
// student x seed x method x teacher x checkpoint) and hands each cell to GraphBuilder, or to
// TakdExpansion for TAKD's chains.
#include "kdbench/grid/task_graph.h"

#include <algorithm>
#include <fstream>

#include "graph_builder.h"
#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset_info.h"
#include "kdbench/methods/registry.h"
#include "takd_expansion.h"

namespace kdbench::grid {

std::vector<std::string> AssistantChoice::decision_keys() const {
  std::vector<std::string> keys = {teacher_key, student_baseline_key};
  for (const auto& c : candidates) keys.push_back(c.baseline_key);
  return keys;
}

std::string Task::label() const {
  std::string s = kind + " " + model;
  if (!method.empty()) s += " " + method;
  if (!teacher_model.empty()) {
    s += "<-" + teacher_model;
    if (teacher_checkpoint >= 0) s += "@" + std::to_string(teacher_checkpoint);
  }
  return s + " seed " + std::to_string(seed);
}

const Task& TaskGraph::at(const std::string& key) const {
  auto it = index.find(key);
  if (it == index.end()) throw Error("internal: no task with key " + key);
  return tasks[it->second];
}

std::vector<std::string> TaskGraph::dependents(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& t : tasks)
    if (std::find(t.deps.begin(), t.deps.end(), key) != t.deps.end()) out.push_back(t.key);
  return out;
}

std::map<std::string, double> TaskGraph::critical_paths() const {
  // Dependencies precede dependents in `tasks`, so one reverse pass suffices.
  std::map<std::string, double> longest;
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) longest[it->key] += it->cost;
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it)
    for (const auto& dep : it->deps)
      longest[dep] = std::max(longest[dep], at(dep).cost + longest[it->key]);
  return longest;
}

datasets::DataConfig data_config(const GridSpec& g) {
  datasets::DataConfig dc;
  dc.dataset = g.dataset;
  dc.data_dir = g.data_dir;
  dc.val_fraction = g.val_fraction;
  dc.split_seed = g.split_seed;
  dc.train_subset = g.train_subset;
  dc.test_subset = g.test_subset;
  dc.tokenizer = g.tokenizer;
  dc.vocab = g.tokenizer == "sentencepiece" ? sentencepiece_model_path(g) : g.vocab;
  dc.vocab_size = g.vocab_size;
  dc.max_seq_length = g.max_seq_length;
  if (datasets::info(g.dataset).is_text()) dc.metric = g.metric;
  return dc;
}

int64_t num_classes(const GridSpec& g) { return datasets::info(g.dataset).num_classes; }

InputShape input_shape(const GridSpec& g) {
  InputShape shape = datasets::info(g.dataset).shape;
  if (datasets::info(g.dataset).is_text()) {
    shape.vocab_size = g.tokenizer == "sentencepiece" ? g.vocab_size : vocab_lines(g.vocab);
    shape.max_tokens = g.max_seq_length;
  }
  return shape;
}

int64_t vocab_lines(const std::string& path) {
  constexpr int64_t kBertBaseUncased = 30522;
  std::ifstream in(path, std::ios::binary);
  if (!in) return kBertBaseUncased;
  int64_t lines = 0;
  std::string line;
  while (std::getline(in, line)) ++lines;
  return lines;
}

TaskGraph expand(const GridSpec& g) {
  GraphBuilder builder(g);
  // Teachers: one per (model, teacher seed).
  std::map<std::pair<std::string, int64_t>, std::string> teacher_keys;
  for (const auto& model : g.teachers)
    for (int64_t seed : g.teacher_seeds)
      teacher_keys[{model, seed}] = builder.add_teacher(model, seed);

  TakdExpansion takd(builder);
  for (const auto& student : g.students)
    for (size_t si = 0; si < g.seeds.size(); ++si)
      for (const auto& method_name : g.methods) {
        const methods::ParamMap params = builder.params_for(method_name);
        const int64_t seed = g.seeds[si];
        const auto method = methods::builtin().make(method_name, params, builder.train_shape());
        if (!method->uses_teacher()) {
          builder.require(
              builder.add_student("student", student, method_name, params, seed, {}, {}));
          continue;
        }
        const int64_t tseed = g.teacher_seeds[si % g.teacher_seeds.size()];
        // A method that walks the teacher's trajectory itself (Pro-KD) is not crossed with the
        // checkpoint-search axis: it runs once per teacher.
        const bool own_trajectory =
            !method->required_teacher_checkpoints(g.teacher.epochs, g.student.epochs).empty();
        const std::vector<int> checkpoints =
            own_trajectory ? std::vector<int>{-1} : g.teacher_checkpoints;
        for (const auto& teacher_model : g.teachers)
          for (int checkpoint : checkpoints) {
            const std::string& teacher_key = teacher_keys.at({teacher_model, tseed});
            if (method_name == "takd") {
              takd.add_cell(student, seed, teacher_key, checkpoint, params);
              continue;
            }
            builder.require(builder.add_student("student", student, method_name, params, seed,
                                                Upstream{teacher_key, checkpoint},
                                                {teacher_model}));
          }
      }
  takd.check_every_assistant_fits();
  return builder.finish();
}

}  // namespace kdbench::grid
