#include "validate_grid.h"

#include <string>

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/datasets/dataset_info.h"
#include "kdbench/datasets/glue.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/methods/registry.h"
#include "kdbench/models/bert.h"

namespace kdbench::grid {
namespace {

// Combined-KD on text: its generator must be a BERT name, and its generator steps are one
// rank's (each member of a gang would sample and step on its own rows): no student gangs. The
// generator_init directory is read with the data, before anything runs (sched/run_grid.cpp), so
// that a grid plans where its weights are not (kdbench plan --no-data-check).
void validate_text_generator(const GridSpec& g, const methods::MateParams& mate) {
  try {
    models::BertConfig::from_name(mate.generator);
  } catch (const ConfigError& e) {
    throw ConfigError(g.path + ": [method.combined] generator: " + e.what());
  }
  for (const auto& student : g.students)
    if (gang_size_of(g, student, false) > 1)
      throw ConfigError(g.path +
                        ": [method.combined]: on text the generator trains on one rank; "
                        "student " +
                        student + " has gang_size " +
                        std::to_string(gang_size_of(g, student, false)) + " (give it 1)");
}

// Parameters can depend on the student's epochs (Annealing-KD's stages) and the dataset.
void validate_methods(const GridSpec& g, const IniValues& v) {
  const methods::TrainShape shape{g.student.epochs, g.student.batch_size,
                                  static_cast<int>(num_classes(g)), num_classes(g) == 1,
                                  datasets::info(g.dataset).is_text()};
  bool any_teacher = false;
  for (const auto& m : g.methods) {
    const auto it = g.method_params.find(m);
    const methods::ParamMap params = it == g.method_params.end() ? methods::ParamMap{} : it->second;
    try {
      const auto method = methods::builtin().make(m, params, shape);
      any_teacher |= method->uses_teacher();
      if (const auto* mate = method->text_generator()) validate_text_generator(g, *mate);
    } catch (const ConfigError& e) {
      throw ConfigError(g.path + ": " + e.what());
    }
  }
  for (const auto& [link, link_params] : g.takd_links) {
    try {
      methods::builtin().make("takd", link_params, shape);
    } catch (const ConfigError& e) {
      throw ConfigError(g.path + ": [method.takd] links: " + link + ": " + e.what());
    }
  }
  if (any_teacher && g.teachers.empty())
    throw ConfigError(v.where("grid.teachers") + ": missing (give a space-separated list)");
}

// [teacher] checkpoints and [grid] teacher_checkpoints name epochs of the teacher's training.
// The written tokens are checked (they read as integers already), so a message quotes the value
// as given and nothing out of range can pass as 'final' (-1).
void validate_checkpoints(const GridSpec& g, const IniValues& v) {
  for (const std::string key : {"teacher.checkpoints", "grid.teacher_checkpoints"})
    for (const auto& tok : v.words(key, false)) {
      if (tok == "final") continue;
      const int64_t e = parse_int(tok, v.where(key));
      if (e < 1 || e > g.teacher.epochs)
        throw ConfigError(v.where(key) + ": " + tok + " is outside the teacher's epochs [1, " +
                          std::to_string(g.teacher.epochs) + "] (or 'final')");
    }
}

// lr_milestones are epochs of the role's training; [teacher]/[student] inherit them from [train].
void validate_milestones(const TrainConfig& c, const std::string& role, const IniValues& v) {
  const std::string key = (v.has(role + ".lr_milestones") ? role : "train") + ".lr_milestones";
  for (int m : c.lr_schedule.milestone_epochs)
    if (m > c.epochs)
      throw ConfigError(v.where(key) + ": " + std::to_string(m) + " is after the " + role +
                        "'s last epoch (epochs = " + std::to_string(c.epochs) +
                        "); milestones are epochs in [1, " + std::to_string(c.epochs) + "]");
}

// A warm-up is a part of the linear schedule; [teacher]/[student] inherit it from [train].
void validate_warmup(const TrainConfig& c, const std::string& role, const IniValues& v) {
  const auto& sched = c.lr_schedule;
  if (sched.kind == "linear" || (sched.warmup_steps == 0 && sched.warmup_ratio == 0)) return;
  const std::string name = sched.warmup_steps > 0 ? "warmup_steps" : "warmup_ratio";
  const std::string key = (v.has(role + "." + name) ? role : "train") + "." + name;
  throw ConfigError(v.where(key) + ": a warm-up needs lr_schedule = linear (the " + role +
                    "'s schedule is '" + sched.kind + "')");
}

// fp16 storage only where the cache is used at all: unaugmented batches.
void validate_teacher_logits(const GridSpec& g, const IniValues& v) {
  if (g.student.teacher_logits == "fp16" && g.student.augment)
    throw ConfigError(v.where("student.teacher_logits") +
                      ": fp16 needs augment = false (augmented batches are distilled from the "
                      "teacher online, never from the cache)");
}

// Text grids: BERT models, a vocabulary, no image augmentation, classification tasks, and the
// methods that need classes on classification tasks only (checked with the methods).
void validate_text(const GridSpec& g, const IniValues& v) {
  const bool text = datasets::info(g.dataset).is_text();
  const auto check_models = [&](const std::vector<std::string>& models, const char* key) {
    for (const auto& m : models)
      if (models::is_bert_name(m) != text)
        throw ConfigError(v.where(key) + ": model '" + m + "' " +
                          (text ? "reads images; text datasets train bert-L{layers}-H{hidden}"
                                  "[-A{heads}] models"
                                : "reads token sequences; dataset " + g.dataset + " holds images"));
  };
  check_models(g.teachers, "grid.teachers");
  check_models(g.students, "grid.students");
  if (!text) {
    for (const char* key :
         {"train.length_buckets", "teacher.length_buckets", "student.length_buckets"})
      if (v.has(key) && (g.teacher.length_buckets || g.student.length_buckets))
        throw ConfigError(v.where(key) + ": length buckets group text examples by length; " +
                          g.dataset + " holds images");
    for (const char* key : {"train.init", "teacher.init", "student.init"})
      if (v.has(key))
        throw ConfigError(v.where(key) + ": init loads Hugging Face BERT weights; " + g.dataset +
                          " holds images");
    return;
  }
  if (g.tokenizer == "wordpiece" && g.vocab.empty())
    throw ConfigError(g.path + ": [grid] vocab is required for text dataset " + g.dataset +
                      ": the path of a WordPiece vocab.txt (bert-base-uncased's comes with "
                      "scripts/fetch-text-data.sh)");
  for (const char* role : {"teacher", "student"}) {
    const TrainConfig& c = std::string(role) == "teacher" ? g.teacher : g.student;
    if (c.augment)
      throw ConfigError(g.path + ": [" + role + "] augment = true: crop and flip are image " +
                        "augmentations; text datasets train on the sentences as they are");
  }
}

}  // namespace

void validate_grid(const GridSpec& g, const IniValues& v) {
  validate_text(g, v);
  if (g.data_dir.empty())
    throw ConfigError(g.path + ": [grid] data_dir is required for dataset " + g.dataset);
  validate_methods(g, v);
  validate_checkpoints(g, v);
  validate_milestones(g.teacher, "teacher", v);
  validate_milestones(g.student, "student", v);
  validate_warmup(g.teacher, "teacher", v);
  validate_warmup(g.student, "student", v);
  validate_teacher_logits(g, v);
}

}  // namespace kdbench::grid
