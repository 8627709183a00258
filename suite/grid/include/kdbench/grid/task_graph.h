#pragma once
// The task DAG of a grid (docs/design.md §3.1). Teacher tasks train a model from scratch; student
// tasks train with a method, reading a teacher task's checkpoint. Every task has a content key: a
// hash of everything that determines its result, so equal work is done once (nokd runs are shared
// by every teacher row; a teacher is shared by every student using it) and a finished key is never
// run again.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kdbench/core/shape.h"
#include "kdbench/datasets/data_config.h"
#include "kdbench/grid/grid_spec.h"

namespace kdbench::grid {

// TAKD `assistants = auto` (docs/methods.md §3): for one student cell (student, teacher,
// checkpoint, seed) the assistant is the candidate whose no-KD accuracy is closest to the mean of
// the teacher's and the student's. The accuracies exist only after training, so the DAG holds one
// alternative (assistant + student) per candidate; each alternative's assistant depends on every
// baseline the rule reads, and the coordinator drops the alternatives it did not choose.
struct AssistantChoice {
  std::string id;               // the student cell, e.g. "student cnn2 takd<-cnn10 seed 1"
  std::string teacher_key;      // its accuracy: validation accuracy of the distilled checkpoint
  int teacher_checkpoint = -1;  // -1 = final
  std::string student_baseline_key;  // no-KD run of the student (best validation accuracy)
  struct Candidate {
    std::string model, baseline_key;  // no-KD run of the candidate (best validation accuracy)
  };
  std::vector<Candidate> candidates;               // largest first
  std::vector<std::string> decision_keys() const;  // every run the rule reads
};

// Membership of a task in an alternative of an AssistantChoice.
struct Alternative {
  std::string choice_id, candidate;
};

struct Task {
  std::string key;
  // teacher | student | assistant | baseline (no-KD run only TAKD auto reads) | pretrain (masked-LM
  // pretraining of a model's encoder, [pretrain]; its artifact is <artifacts>/<key>/encoder/)
  std::string kind;
  std::string model;
  std::string method;               // "" for teachers
  methods::ParamMap method_params;  // raw [method.NAME] values
  nlohmann::json method_params_resolved =
      nlohmann::json::object();  // every parameter, defaults filled in
  std::string method_variant;
  int64_t seed = 0;
  TrainConfig train;
  int total_epochs = 0;           // sum over the method's phases
  std::vector<std::string> deps;  // keys that must be DONE before this task starts
  std::string teacher_key, teacher_model;
  int teacher_checkpoint = -1;  // teacher epoch for the checkpoint-search axis; -1 = final
  int teacher_epochs = 0;
  // The pretrain task whose encoder this task starts from ([pretrain] models): one of `deps`, and
  // its key is part of this task's key. "" = none.
  std::string pretrain_key;
  std::vector<int> keep_checkpoints;  // teacher tasks: epochs whose weights are kept
  std::vector<std::string> chain;     // models from the first teacher to this one
  int64_t params_count = 0;
  double macs_per_image = 0;  // forward pass of this model
  double cost = 0;            // estimated multiply-accumulates of the whole task
  // TAKD auto: the alternatives this task belongs to; it runs when one of them is chosen.
  std::vector<Alternative> alternative_of;
  // Ranks that train it together (a gang; [gang_size]). Execution only: not part of the key.
  int gang_size = 1;
  std::string label() const;  // "student cnn2 kd<-resnet8 seed 1", for logs
  // Whether later tasks read this task's final weights (teachers, TAKD assistants, and the
  // encoders of pretrain tasks).
  bool provides_weights() const {
    return kind == "teacher" || kind == "assistant" || kind == "pretrain";
  }
};

struct TaskGraph {
  std::vector<Task> tasks;  // dependencies always come before their dependents
  std::map<std::string, size_t> index;
  std::map<std::string, AssistantChoice> choices;  // TAKD auto, by id
  const Task& at(const std::string& key) const;
  bool contains(const std::string& key) const { return index.count(key) > 0; }
  // Keys of the tasks that depend directly on `key`.
  std::vector<std::string> dependents(const std::string& key) const;
  // Per task, the longest chain of cost from it to the end of the DAG (scheduling priority).
  std::map<std::string, double> critical_paths() const;
};

datasets::DataConfig data_config(const GridSpec& grid);
int64_t num_classes(const GridSpec& grid);
// Text: the vocabulary's size and max_seq_length fill the shape's text fields.
InputShape input_shape(const GridSpec& grid);
// Tokens in a vocab.txt (its lines); bert-base-uncased's 30,522 when the file cannot be read
// (plans made away from the data; training checks the file first).
int64_t vocab_lines(const std::string& path);
// tokenizer = sentencepiece: <artifacts>/tokenizers/sentencepiece-<key>.model, the key naming the
// data (dataset, split, subsets) and vocab_size, so grids on the same data share one model.
std::string sentencepiece_model_path(const GridSpec& grid);
// The data part of every task key (dataset, split, subsets; text: tokenizer and vocabulary).
std::string canonical_data(const GridSpec& grid);
// The encoder a pretrain task saves: <artifacts>/<key>/encoder (a Hugging Face BERT directory).
std::string pretrained_encoder_dir(const std::string& artifacts, const std::string& pretrain_key);
// The corpus of [pretrain] by content: "grid" (the grid's own data, canonical_data) or the bytes
// of each directory's train.tsv and dev.tsv.
std::string canonical_corpus(const GridSpec& grid);
// The dataset a [pretrain] corpus directory holds: its last path component ("data/text/spam/" ->
// spam), as `kdbench text-data` names them.
std::string corpus_dataset(const std::string& dir);
// The selection metric's part of every task key: "" for the task's own metric (and images), else
// ";metric=NAME". Not part of canonical_data: the tokenizer does not depend on it.
std::string canonical_selection(const GridSpec& grid);

TaskGraph expand(const GridSpec& grid);

}  // namespace kdbench::grid
