#include "graph_builder.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "kdbench/core/hash.h"
#include "kdbench/datasets/dataset_info.h"
#include "kdbench/datasets/glue.h"
#include "kdbench/methods/registry.h"
#include "kdbench/models/bert.h"
#include "kdbench/models/models.h"

namespace kdbench::grid {
namespace {

// Every number in a key is printed exactly, so equal values always give equal keys.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Canonical text of what changes a training run's result. eval_batch_size is left out: it does
// not change any number that is recorded. Explicit milestone epochs (lr_milestones) appear only
// when set, so the keys of grids without them stay as they were before the key existed; the same
// holds for a precision other than fp32, adamw's betas and eps, a warm-up and gradient clipping.
// The vocabulary by content, so that another vocab.txt at the same path makes new tasks.
std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "missing:" + path;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}
std::string vocab_identity(const std::string& path) { return content_key(file_bytes(path)); }

// An init directory by the content of its config and weights (another checkpoint in the same
// directory makes new tasks).
std::string hf_dir_identity(const std::string& dir) {
  return content_key(file_bytes(dir + "/config.json") + "|" +
                     file_bytes(dir + "/model.safetensors"));
}

std::string canonical(const TrainConfig& c) {
  std::string s = "epochs=" + std::to_string(c.epochs) + ";bs=" + std::to_string(c.batch_size) +
                  ";opt=" + c.optimizer + ";lr=" + num(c.lr) + ";mom=" + num(c.momentum) +
                  ";wd=" + num(c.weight_decay) + ";nesterov=" + std::to_string(c.nesterov) +
                  ";sched=" + c.lr_schedule.kind + ":" + num(c.lr_schedule.gamma);
  for (double m : c.lr_schedule.milestones) s += ":" + num(m);
  if (!c.lr_schedule.milestone_epochs.empty()) {
    s += ";lr_milestones=";
    for (size_t i = 0; i < c.lr_schedule.milestone_epochs.size(); ++i)
      s += (i ? "," : "") + std::to_string(c.lr_schedule.milestone_epochs[i]);
  }
  if (c.lr_schedule.warmup_steps > 0)
    s += ";warmup_steps=" + std::to_string(c.lr_schedule.warmup_steps);
  if (c.lr_schedule.warmup_ratio > 0) s += ";warmup_ratio=" + num(c.lr_schedule.warmup_ratio);
  s += ";aug=" + std::to_string(c.augment) + ":" + std::to_string(c.augment_padding);
  if (c.precision != "fp32") s += ";precision=" + c.precision;
  if (c.optimizer == "adamw")
    s += ";adam=" + num(c.adam_beta1) + ":" + num(c.adam_beta2) + ":" + num(c.adam_eps);
  if (c.max_grad_norm > 0) s += ";clip=" + num(c.max_grad_norm);
  if (c.length_buckets) s += ";length_buckets=1";
  if (c.eval_steps > 0) s += ";eval_steps=" + std::to_string(c.eval_steps);
  if (!c.init.empty()) s += ";init=" + hf_dir_identity(c.init);
  return s;
}

}  // namespace

std::string canonical_data(const GridSpec& g) {
  std::string s = "dataset=" + g.dataset + ";val=" + num(g.val_fraction) +
                  ";split=" + std::to_string(g.split_seed) +
                  ";train_subset=" + std::to_string(g.train_subset) +
                  ";test_subset=" + std::to_string(g.test_subset);
  if (datasets::info(g.dataset).is_text())
    s += ";tokenizer=" + g.tokenizer +
         (g.tokenizer == "sentencepiece" ? ";vocab_size=" + std::to_string(g.vocab_size)
                                         : ";vocab=" + vocab_identity(g.vocab)) +
         ";max_seq_length=" + std::to_string(g.max_seq_length);
  return s;
}

std::string canonical_corpus(const GridSpec& g) {
  if (g.pretrain.grid_corpus()) return "grid:" + canonical_data(g);
  // Directories by content (another corpus at the same path makes another encoder), read with
  // the grid's tokenizer: the vocabulary by content, a SentencePiece model by the data it is
  // trained on.
  std::string s = "tokenizer=" + g.tokenizer +
                  (g.tokenizer == "sentencepiece" ? ";model=" + content_key(canonical_data(g)) +
                                                        ":" + std::to_string(g.vocab_size)
                                                  : ";vocab=" + vocab_identity(g.vocab));
  for (const auto& dir : g.pretrain.corpus)
    s += "|" + corpus_dataset(dir) + ":" +
         content_key(file_bytes(dir + "/train.tsv") + "|" + file_bytes(dir + "/dev.tsv"));
  return s;
}

std::string pretrained_encoder_dir(const std::string& artifacts, const std::string& key) {
  return artifacts + "/" + key + "/encoder";
}

std::string canonical_selection(const GridSpec& g) {
  // Named only when it is not the task's own metric, so the keys of grids without `metric` stay
  // what they were.
  const auto* task = datasets::text_task_of_dataset(g.dataset);
  if (task == nullptr || g.metric == datasets::selectable_metrics(*task).front()) return "";
  return ";metric=" + g.metric;
}

std::string sentencepiece_model_path(const GridSpec& g) {
  return g.artifacts + "/tokenizers/sentencepiece-" + content_key(canonical_data(g)) + ".model";
}

namespace {

// Nominal training-set size (for cost estimates only; the real size is known after loading).
double nominal_train_images(const GridSpec& g) {
  double n = static_cast<double>(datasets::info(g.dataset).train_size) * (1 - g.val_fraction);
  if (g.train_subset > 0) n = std::min(n, static_cast<double>(g.train_subset));
  return n;
}

double nominal_eval_images(const GridSpec& g) {
  const auto& info = datasets::info(g.dataset);
  const double full_test = static_cast<double>(info.test_size);
  const double test = g.test_subset > 0 ? std::min<double>(full_test, g.test_subset) : full_test;
  return static_cast<double>(info.train_size) * g.val_fraction + test;
}

// Depth-first, keeping the original order wherever the dependencies allow it.
void put_dependencies_first(TaskGraph& graph) {
  std::vector<Task> ordered;
  ordered.reserve(graph.tasks.size());
  std::vector<char> placed(graph.tasks.size(), 0);
  std::function<void(size_t)> place = [&](size_t i) {
    if (placed[i]) return;
    placed[i] = 1;
    for (const auto& dep : graph.tasks[i].deps) place(graph.index.at(dep));
    ordered.push_back(std::move(graph.tasks[i]));
  };
  for (size_t i = 0; i < graph.tasks.size(); ++i) place(i);
  graph.tasks = std::move(ordered);
  for (size_t i = 0; i < graph.tasks.size(); ++i) graph.index[graph.tasks[i].key] = i;
}

}  // namespace

GraphBuilder::GraphBuilder(const GridSpec& grid)
    : grid_(grid),
      classes_(num_classes(grid)),
      shape_(input_shape(grid)),
      n_train_(nominal_train_images(grid)),
      n_eval_(nominal_eval_images(grid)),
      data_(canonical_data(grid) + canonical_selection(grid)),
      teacher_train_(canonical(grid.teacher)),
      student_train_(canonical(grid.student)),
      train_shape_{grid.student.epochs, grid.student.batch_size, static_cast<int>(classes_),
                   classes_ == 1, shape_.is_text()} {}

methods::ParamMap GraphBuilder::params_for(const std::string& method) const {
  const auto it = grid_.method_params.find(method);
  return it == grid_.method_params.end() ? methods::ParamMap{} : it->second;
}

int64_t GraphBuilder::size_of(const std::string& model) {
  auto it = sizes_.find(model);
  if (it == sizes_.end())
    it = sizes_.emplace(model, models::count_parameters(*models::make(model, classes_, shape_)))
             .first;
  return it->second;
}

const Task& GraphBuilder::add(Task t) {
  auto it = graph_.index.find(t.key);
  if (it != graph_.index.end()) return graph_.tasks[it->second];
  graph_.index[t.key] = graph_.tasks.size();
  graph_.tasks.push_back(std::move(t));
  return graph_.tasks.back();
}

void GraphBuilder::fill_model(Task& t) {
  // size_of is memoised: building a model (random initialisation) per task made a 10,000-task
  // grid take a minute to expand.
  t.params_count = size_of(t.model);
  t.macs_per_image = static_cast<double>(models::forward_macs(t.model, classes_, shape_));
}

std::string GraphBuilder::add_pretrain(const std::string& model) {
  if (const auto it = pretrain_keys_.find(model); it != pretrain_keys_.end()) return it->second;
  const PretrainSpec& p = grid_.pretrain;
  Task t;
  t.kind = "pretrain";
  t.model = model;
  t.seed = static_cast<int64_t>(p.seed);
  t.train = p.train;
  // [gang_size] MODEL, else the gang of the model's role (a teacher's when it is both): the
  // encoder is pretrained data-parallel like any gang task.
  const bool teacher =
      std::find(grid_.teachers.begin(), grid_.teachers.end(), model) != grid_.teachers.end();
  t.gang_size = gang_size_of(grid_, model, teacher);
  // One curve point per eval_every steps (and after the last): the cost model's "epochs".
  t.total_epochs = static_cast<int>((p.steps + p.eval_every - 1) / p.eval_every);
  t.chain = {model};
  t.key = content_key(
      "v1|pretrain|model=" + model + "|corpus=" + canonical_corpus(grid_) +
      "|steps=" + std::to_string(p.steps) + "|eval_every=" + std::to_string(p.eval_every) +
      "|val_sequences=" + std::to_string(p.val_sequences) +
      "|max_seq_length=" + std::to_string(p.max_seq_length) + "|mask=" + num(p.mask_probability) +
      "|seed=" + std::to_string(p.seed) + "|" + canonical(p.train));
  fill_model(t);
  // Forward and backward of every training sequence, plus the validation passes (nominal sizes).
  // The masked-LM head (transform h×h, then the tied h×V projection) runs on the masked tokens
  // only, but with BERT's 30,522 words it is a third of a small model's step.
  const double sequences = static_cast<double>(p.steps) * p.train.batch_size;
  const models::BertConfig bert = models::BertConfig::from_name(model);
  const double head = p.mask_probability * static_cast<double>(p.max_seq_length) *
                      static_cast<double>(bert.hidden) *
                      static_cast<double>(bert.hidden + shape_.vocab_size);
  const double per_sequence = t.macs_per_image + head;
  t.cost = 3 * per_sequence * sequences + t.total_epochs * per_sequence * n_eval_;
  return pretrain_keys_[model] = add(std::move(t)).key;
}

void GraphBuilder::attach_pretrain(Task& t, std::string& key_text) {
  if (!grid_.pretrain.pretrains(t.model)) return;
  t.pretrain_key = add_pretrain(t.model);
  t.deps.push_back(t.pretrain_key);
  key_text += "|pretrain=" + t.pretrain_key;
}

std::string GraphBuilder::model_train(TrainConfig& c, const std::string& model,
                                      const std::string& role_text) const {
  const auto it = grid_.model_init.find(model);
  if (it == grid_.model_init.end()) return role_text;
  c.init = it->second;
  // Hashed once per (role, model): the directory holds the whole checkpoint.
  auto& text = dir_texts_[role_text + "|" + model];
  if (text.empty()) text = canonical(c);
  return text;
}

std::string GraphBuilder::add_teacher(const std::string& model, int64_t seed) {
  Task t;
  t.kind = "teacher";
  t.model = model;
  t.seed = seed;
  t.train = grid_.teacher;
  const std::string train_text = model_train(t.train, model, teacher_train_);
  t.gang_size = gang_size_of(grid_, model, true);
  t.total_epochs = grid_.teacher.epochs;
  t.keep_checkpoints = grid_.teacher_keep_checkpoints;
  t.chain = {model};
  // Kept checkpoints are not part of the key: they do not change the teacher's result, and a
  // DONE teacher missing a checkpoint that a new grid needs is re-run by the coordinator.
  std::string key_text = "v1|teacher|model=" + model + "|seed=" + std::to_string(seed) + "|" +
                         data_ + "|" + train_text;
  attach_pretrain(t, key_text);
  t.key = content_key(key_text);
  fill_model(t);
  t.cost = t.total_epochs * (3 * t.macs_per_image * n_train_ + t.macs_per_image * n_eval_);
  return add(std::move(t)).key;
}

std::string GraphBuilder::add_student(const std::string& kind, const std::string& model,
                                      const std::string& method_name,
                                      const methods::ParamMap& params, int64_t seed,
                                      const Upstream& upstream, std::vector<std::string> chain) {
  const auto method = methods::builtin().make(method_name, params, train_shape_);
  Task t;
  t.kind = kind;
  t.model = model;
  t.method = method_name;
  t.method_params = params;
  t.method_params_resolved = method->params_json();
  t.method_variant = method->variant();
  t.seed = seed;
  t.train = grid_.student;
  const std::string train_text = model_train(t.train, model, student_train_);
  t.gang_size = gang_size_of(grid_, model, false);
  for (const auto& p : method->phases(grid_.student.epochs)) t.total_epochs += p.epochs;
  fill_model(t);
  chain.push_back(model);
  t.chain = chain;
  std::string key_text = "v1|" + kind + "|model=" + model + "|method=" + method_name +
                         "|params=" + t.method_params_resolved.dump() +
                         "|seed=" + std::to_string(seed) + "|" + data_ + "|" + train_text;
  double teacher_macs = 0;
  if (!upstream.key.empty()) {
    Task& up = mutable_at(upstream.key);
    t.teacher_key = up.key;
    t.teacher_model = up.model;
    t.teacher_checkpoint = upstream.checkpoint;
    t.teacher_epochs = up.total_epochs;
    t.deps = {up.key};
    key_text += "|teacher=" + up.key + "@" + std::to_string(upstream.checkpoint);
    // Rounded cached logits change the runs that read the cache, and only those (only when set,
    // so that the keys of earlier grids stay).
    if (grid_.student.teacher_logits != "fp32" && !method->perturbs_inputs())
      key_text += "|teacher_logits=" + grid_.student.teacher_logits;
    teacher_macs = up.macs_per_image;
    // The upstream task must keep what this method reads.
    for (int e : method->required_teacher_checkpoints(up.total_epochs, grid_.student.epochs))
      if (std::find(up.keep_checkpoints.begin(), up.keep_checkpoints.end(), e) ==
          up.keep_checkpoints.end())
        up.keep_checkpoints.push_back(e);
    std::sort(up.keep_checkpoints.begin(), up.keep_checkpoints.end());
  }
  // Combined-KD's generator_init (text) by content, as an init directory is: other weights under
  // the same path make other runs.
  const auto generator_init = params.find("generator_init");
  if (generator_init != params.end() && !generator_init->second.empty()) {
    auto& id = dir_texts_["generator_init|" + generator_init->second];
    if (id.empty()) id = hf_dir_identity(generator_init->second);
    key_text += "|generator_init=" + id;
  }
  attach_pretrain(t, key_text);  // after `up` is last used: it adds to the graph
  t.key = content_key(key_text);
  t.cost = t.total_epochs *
           ((3 * t.macs_per_image + teacher_macs) * n_train_ + t.macs_per_image * n_eval_);
  return add(std::move(t)).key;
}

void GraphBuilder::add_decision_dependency(const std::string& key, const std::string& dep) {
  Task& t = mutable_at(key);
  if (std::find(t.deps.begin(), t.deps.end(), dep) != t.deps.end()) return;
  t.deps.push_back(dep);
  decision_deps_[key].insert(dep);
}

void GraphBuilder::add_choice(AssistantChoice choice) {
  const std::string id = choice.id;
  graph_.choices[id] = std::move(choice);
}

TaskGraph GraphBuilder::finish() {
  // A task some cell needs anyway is no alternative and need not wait for any decision (the
  // alternative students taught by it still do).
  for (auto& t : graph_.tasks) {
    if (!required_.count(t.key)) continue;
    t.alternative_of.clear();
    if (auto d = decision_deps_.find(t.key); d != decision_deps_.end()) {
      const auto only_for_decision = [&](const std::string& k) { return d->second.count(k) > 0; };
      t.deps.erase(std::remove_if(t.deps.begin(), t.deps.end(), only_for_decision), t.deps.end());
    }
  }
  // An assistant shared by several TAKD auto cells gained dependencies on baselines added after
  // it: restore the order "dependencies first" that the scheduler and sharding rely on.
  put_dependencies_first(graph_);
  return std::move(graph_);
}

}  // namespace kdbench::grid
