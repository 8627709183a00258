#include "kdbench/train/pretrain_task.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/datasets/text_data.h"
#include "kdbench/models/bert_mlm.h"
#include "kdbench/train/pretrain_mlm.h"
#include "kdbench/train/pretrain_state.h"
#include "kdbench/train/resume_state.h"
#include "kdbench/train/stop_flag.h"
#include "run_bookkeeping.h"
#include "task_record.h"

namespace fs = std::filesystem;

namespace kdbench::train {
namespace {

struct Corpus {
  datasets::TokenSet train, val;
  int64_t vocab_size = 0, mask_id = -1, pad_id = 0;
  std::vector<int64_t> special_ids;
};

// Rows of several corpora in one TokenSet, padded to the widest (labels are not used).
datasets::TokenSet concat(const std::vector<datasets::TokenSet>& parts, int64_t pad_id) {
  if (parts.size() == 1) return parts.front();
  int64_t width = 0;
  for (const auto& p : parts) width = std::max(width, p.ids.size(1));
  std::vector<torch::Tensor> ids, types, lengths, labels;
  for (const auto& p : parts) {
    const int64_t extra = width - p.ids.size(1);
    ids.push_back(torch::constant_pad_nd(p.ids, {0, extra}, static_cast<double>(pad_id)));
    types.push_back(torch::constant_pad_nd(p.token_types, {0, extra}, 0));
    lengths.push_back(p.lengths);
    labels.push_back(p.labels.to(torch::kFloat));  // regression corpora hold floats
  }
  return {torch::cat(ids), torch::cat(types), torch::cat(lengths), torch::cat(labels)};
}

// `n` rows spread evenly over the set (every row when n is 0 or not smaller): the corpora's rows
// come one corpus after another, so a prefix would score the first corpus alone.
datasets::TokenSet evenly_spaced(const datasets::TokenSet& t, int64_t n) {
  const int64_t rows = t.ids.size(0);
  if (n <= 0 || n >= rows) return t;
  const auto idx = torch::arange(n, torch::kLong).mul(rows).div(n, "floor");
  return {t.ids.index_select(0, idx), t.token_types.index_select(0, idx),
          t.lengths.index_select(0, idx), t.labels.index_select(0, idx)};
}

// The grid's own training and validation splits, or each corpus directory's train and dev files,
// read with the grid's tokenizer at [pretrain] max_seq_length.
Corpus load_corpus(const grid::GridSpec& grid) {
  const auto& p = grid.pretrain;
  datasets::DataConfig base = grid::data_config(grid);
  base.max_seq_length = p.max_seq_length;
  std::vector<datasets::DataConfig> configs;
  if (p.grid_corpus()) {
    configs.push_back(base);
  } else {
    for (const auto& dir : p.corpus) {
      datasets::DataConfig c = base;
      c.dataset = grid::corpus_dataset(dir);
      c.data_dir = dir;
      c.train_subset = c.test_subset = 0;
      c.metric.clear();
      configs.push_back(c);
    }
  }
  Corpus corpus;
  std::vector<datasets::TokenSet> train, val;
  for (const auto& c : configs) {
    auto splits = datasets::load_text(c);
    train.push_back(std::move(splits.train));
    val.push_back(std::move(splits.val));
    corpus.vocab_size = splits.shape.vocab_size;
    corpus.mask_id = splits.mask_id;
    corpus.pad_id = splits.pad_id;
    corpus.special_ids = splits.special_ids;
  }
  corpus.train = concat(train, corpus.pad_id);
  corpus.val = evenly_spaced(concat(val, corpus.pad_id), p.val_sequences);
  return corpus;
}

// The encoder directory appears whole or not at all: written into a temporary directory beside
// it, then renamed (an older one, from a run whose record was lost, is replaced).
void save_encoder_atomically(models::BertMaskedLMImpl& model, const std::string& dir) {
  const fs::path final_dir(dir);
  const fs::path tmp = final_dir.string() + ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  save_hf_dir(model, tmp.string());
  fs::remove_all(final_dir, ec);
  fs::rename(tmp, final_dir, ec);
  if (ec)
    throw IoError(final_dir.string() +
                  ": cannot rename the saved encoder into place: " + ec.message());
}

nlohmann::json pretrain_json(const grid::GridSpec& grid, const Corpus& corpus) {
  const auto& p = grid.pretrain;
  nlohmann::json datasets_of = nlohmann::json::array();
  for (const auto& dir : p.corpus)
    datasets_of.push_back(p.grid_corpus() ? grid.dataset : grid::corpus_dataset(dir));
  return {{"corpus", p.corpus},
          {"corpus_datasets", datasets_of},
          {"train_sequences", corpus.train.ids.size(0)},
          {"val_sequences", corpus.val.ids.size(0)},
          {"steps", p.steps},
          {"eval_every", p.eval_every},
          {"val_sequences_limit", p.val_sequences},
          {"batch_size", p.train.batch_size},
          {"optimizer", p.train.optimizer},
          {"lr", p.train.lr},
          {"weight_decay", p.train.weight_decay},
          {"warmup_ratio", p.train.lr_schedule.warmup_ratio},
          {"max_grad_norm", p.train.max_grad_norm},
          {"max_seq_length", p.max_seq_length},
          {"mask_probability", p.mask_probability},
          {"seed", p.seed},
          {"tokenizer", grid.tokenizer}};
}

// The curve as the results file's per-epoch datasets hold it: one entry per point, its step in
// `epoch`; there is no test split and no training accuracy.
void record_curve(results::RunRecord& rec, const PretrainResult& result) {
  constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  auto& c = rec.curves;
  rec.evaluations = nlohmann::json::array();
  for (const auto& pt : result.curve) {
    c.epoch.push_back(static_cast<int>(pt.step));
    c.train_loss.push_back(pt.train_loss);
    c.train_acc.push_back(kNone);
    c.val_acc.push_back(pt.val_accuracy);
    c.test_acc.push_back(kNone);
    c.lr.push_back(pt.lr);
    c.seconds.push_back(pt.seconds);
    c.val_metric.push_back(pt.val_accuracy);
    c.test_metric.push_back(kNone);
    rec.evaluations.push_back({{"step", pt.step},
                               {"train_loss", pt.train_loss},
                               {"val_loss", pt.val_loss},
                               {"val_accuracy", pt.val_accuracy},
                               {"lr", pt.lr}});
  }
  const MlmPoint& last = result.curve.back();
  rec.metric = "accuracy";
  rec.best_val_acc = rec.best_val_metric = last.val_accuracy;
  rec.test_acc_at_best_val = rec.final_test_acc = rec.best_test_acc = kNone;
  rec.test_metric_at_best_val = rec.final_test_metric = rec.best_test_metric = kNone;
  rec.best_epoch = static_cast<int>(result.curve.size());
  rec.best_step = last.step;
}

}  // namespace

grid::Task with_pretrained_init(const grid::Task& task, const std::string& artifacts_root) {
  grid::Task t = task;
  if (!task.pretrain_key.empty())
    t.train.init = grid::pretrained_encoder_dir(artifacts_root, task.pretrain_key);
  return t;
}

results::RunRecord run_pretrain_task(const grid::Task& task, const grid::GridSpec& grid,
                                     const TrainEnv& env) {
  const auto& p = grid.pretrain;
  results::RunRecord rec = task_record(task);
  rec.started = results::utc_now();
  const auto start = std::chrono::steady_clock::now();
  const Corpus corpus = load_corpus(grid);
  spdlog::info("{}: {} training and {} validation sequences, {} steps of {}", task.label(),
               corpus.train.ids.size(0), corpus.val.ids.size(0), p.steps, p.train.batch_size);

  torch::manual_seed(init_seed(task));  // weights and dropout, as the trainer seeds a task
  models::BertConfig bert = models::BertConfig::from_name(task.model);
  bert.vocab_size = corpus.vocab_size;
  models::BertMaskedLM model(bert);
  model->to(env.device);

  PretrainConfig c;
  c.steps = p.steps;
  c.eval_every = p.eval_every;
  c.train = p.train;
  c.masking.probability = p.mask_probability;
  c.masking.mask_id = corpus.mask_id;
  c.masking.vocab_size = corpus.vocab_size;
  c.masking.special_ids = corpus.special_ids;
  c.seed = data_seed(task);
  c.device = env.device;
  c.should_stop = env.should_stop ? env.should_stop : [] { return stop_requested(); };
  c.gang = env.gang;  // a gang trains data-parallel; the worker's record names its ranks
  // A stopped pretraining continues from its last curve point.
  c.state_file = env.artifacts->path_for(task.key, kPretrainStateFile);
  const PretrainResult result = pretrain_mlm(*model, corpus.train, corpus.val, c);
  // A gang's members hold the same weights: the root saves them and writes the record.
  const bool root = env.gang == nullptr || env.gang->rank() == 0;

  const std::string dir = grid::pretrained_encoder_dir(env.artifacts->root(), task.key);
  model->to(torch::kCPU);
  if (root) save_encoder_atomically(*model, dir);

  record_curve(rec, result);
  const MlmPoint& last = result.curve.back();
  rec.config = {{"pretrain", pretrain_json(grid, corpus)}};
  auto& pj = rec.config["pretrain"];
  pj["val_mlm_loss"] = last.val_loss;
  pj["val_mlm_accuracy"] = last.val_accuracy;
  pj["seconds"] = result.seconds;
  pj["sequences_per_second"] =
      static_cast<double>(p.steps) * p.train.batch_size / std::max(result.seconds, 1e-9);
  pj["encoder"] = task.key + "/encoder";
  detail::stamp_done(
      rec, env, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  // Until the coordinator records it, the finished record keeps the task DONE across a crash.
  if (root) {
    detail::write_finished(*env.artifacts, task.key, rec);
    env.artifacts->remove(task.key, kPretrainStateFile);
    spdlog::info("{}: val MLM loss {:.4f} accuracy {:.2f}% after {} steps ({:.1f} s), encoder {}",
                 task.label(), last.val_loss, 100 * last.val_accuracy, p.steps, result.seconds,
                 dir);
  }
  return rec;
}

}  // namespace kdbench::train
