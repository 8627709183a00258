#include "read_pretrain.h"

#include <algorithm>
#include <filesystem>

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/datasets/dataset_info.h"
#include "kdbench/datasets/glue.h"

namespace kdbench::grid {
namespace {

std::vector<std::string> grid_models(const GridSpec& g) {
  std::vector<std::string> all = g.teachers;
  for (const auto& s : g.students)
    if (std::find(all.begin(), all.end(), s) == all.end()) all.push_back(s);
  return all;
}

std::vector<std::string> local_corpus_names() {
  std::vector<std::string> names;
  for (const auto& t : datasets::local_text_tasks()) names.push_back(t.name);
  return names;
}

std::vector<std::string> read_corpus(const IniValues& v) {
  const auto words = v.words("pretrain.corpus", false);
  if (words.empty()) return {"grid"};
  if (std::find(words.begin(), words.end(), "grid") != words.end() && words.size() > 1)
    throw ConfigError(v.where("pretrain.corpus") +
                      ": 'grid' stands alone (the grid's own "
                      "training split); got '" +
                      join(words, " ") + "'");
  if (words.front() == "grid") return words;
  const auto names = local_corpus_names();
  for (const auto& dir : words)
    if (std::find(names.begin(), names.end(), corpus_dataset(dir)) == names.end())
      throw ConfigError(v.where("pretrain.corpus") + ": '" + dir +
                        "' is not a corpus directory (allowed: grid, or directories written by "
                        "`kdbench text-data`, named " +
                        join(names, " ") + ")");
  return words;
}

// A role that starts from `init = DIR` cannot also start from the grid's own pretrained encoder.
void check_init(const GridSpec& g, const IniValues& v, const std::string& model) {
  for (const char* role : {"teacher", "student"}) {
    const bool is_teacher = std::string(role) == "teacher";
    const auto& models = is_teacher ? g.teachers : g.students;
    const std::string& init = is_teacher ? g.teacher.init : g.student.init;
    if (init.empty() || std::find(models.begin(), models.end(), model) == models.end()) continue;
    throw ConfigError(v.where("pretrain.models") + ": " + model + " is pretrained here, but the " +
                      role + "s start from init = " + init +
                      ": choose one (remove it from [pretrain] models or drop init)");
  }
  const auto own = g.model_init.find(model);
  if (own != g.model_init.end())
    throw ConfigError(v.where("pretrain.models") + ": " + model +
                      " is pretrained here, but [init] starts it from " + own->second +
                      ": choose one (remove it from [pretrain] models or from [init])");
}

}  // namespace

const std::vector<std::string>& pretrain_keys() {
  static const std::vector<std::string> keys = {
      "models",       "corpus",       "steps",         "eval_every",     "batch_size",       "lr",
      "weight_decay", "warmup_ratio", "max_grad_norm", "max_seq_length", "mask_probability", "seed",
      "val_sequences"};
  return keys;
}

std::string corpus_dataset(const std::string& dir) {
  auto p = std::filesystem::path(dir);
  if (!p.has_filename()) p = p.parent_path();  // "data/text/spam/"
  return p.filename().string();
}

void read_pretrain(GridSpec& g, const IniValues& v,
                   const std::map<std::string, std::string>& entries) {
  const auto first = entries.lower_bound("pretrain.");
  if (first == entries.end() || first->first.compare(0, 9, "pretrain.") != 0) return;
  if (!datasets::info(g.dataset).is_text())
    throw ConfigError(v.where(first->first) + ": masked-LM pretraining needs a text dataset; " +
                      g.dataset + " holds images");
  auto& p = g.pretrain;
  const auto all = grid_models(g);
  const auto words = v.words("pretrain.models", true);
  if (words.size() == 1 && words.front() == "all") {
    p.models = all;
  } else {
    for (const auto& m : words)
      if (std::find(all.begin(), all.end(), m) == all.end())
        throw ConfigError(v.where("pretrain.models") + ": '" + m +
                          "' is not a model of this grid (allowed: " + join(all, " ") +
                          ", or all)");
    p.models = words;
  }
  p.corpus = read_corpus(v);
  p.steps = v.integer("pretrain.steps", 1000, 1, 1000000000);
  p.eval_every = v.integer("pretrain.eval_every", std::min<int64_t>(100, p.steps), 1, p.steps);
  p.max_seq_length = v.integer("pretrain.max_seq_length", g.max_seq_length, 3, 512);
  p.mask_probability = v.real("pretrain.mask_probability", 0.15, 0.01, 0.99);
  p.val_sequences = v.integer("pretrain.val_sequences", 2000, 0, INT32_MAX);
  p.seed = static_cast<uint64_t>(v.integer("pretrain.seed", 0, 0, INT32_MAX));
  auto& t = p.train;
  t.optimizer = "adamw";
  t.batch_size = static_cast<int>(v.integer("pretrain.batch_size", 32, 1, 65536));
  t.eval_batch_size = 128;
  t.lr = v.real("pretrain.lr", 5e-4, 1e-9, 10);
  t.weight_decay = v.real("pretrain.weight_decay", 0.01, 0, 1);
  t.lr_schedule.kind = "linear";
  t.lr_schedule.milestones.clear();
  t.lr_schedule.warmup_ratio = v.real("pretrain.warmup_ratio", 0.1, 0, 1);
  t.max_grad_norm = v.real("pretrain.max_grad_norm", 1.0, 0, 1e6);
  t.augment = false;
  for (const auto& m : p.models) check_init(g, v, m);
}

void check_pretrain_corpus(const GridSpec& g) {
  if (g.pretrain.models.empty() || g.pretrain.grid_corpus()) return;
  for (const auto& dir : g.pretrain.corpus)
    for (const char* file : {"train.tsv", "dev.tsv"}) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(std::filesystem::path(dir) / file, ec))
        throw ConfigError(g.path + ": [pretrain] corpus: " + dir + "/" + file +
                          " is missing (write the corpora with scripts/fetch-text-data.sh DIR, "
                          "or `kdbench text-data FETCHED_DIR`)");
    }
}

}  // namespace kdbench::grid
