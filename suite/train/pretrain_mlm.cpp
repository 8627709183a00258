#include "kdbench/train/pretrain_mlm.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <string>

#include "kdbench/comm/communicator.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/core/test_pause.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/train/gang_sync.h"
#include "kdbench/train/lr_schedule.h"
#include "kdbench/train/optimizer.h"
#include "kdbench/train/prepared_data.h"
#include "kdbench/train/pretrain_state.h"
#include "kdbench/train/stop_flag.h"
#include "kdbench/train/trainer.h"

namespace kdbench::train {
namespace {

using datasets::kIgnoredLabel;

int64_t rows_of(const datasets::TokenSet& t) { return t.ids.defined() ? t.ids.size(0) : 0; }

// A TokenSet as the trainer's batch() reads it: the same dynamic padding as the text trainer.
struct TokenBatches {
  explicit TokenBatches(const datasets::TokenSet& t) {
    data.text = true;
    split.x = t.ids;
    split.token_types = t.token_types;
    split.lengths = t.lengths;
  }
  PreparedData data;
  Split split;
};

// One batch's inputs with BERT's masks, on the CPU. The masks are drawn over the whole batch: in a
// gang every member draws them, so the generator advances as in a 1-rank run whatever rows the
// member then keeps.
struct MaskedInputs {
  torch::Tensor ids, attention_mask, token_types, labels;
  MaskedInputs rows(const BatchShare& share) const {
    const auto cut = [&](const torch::Tensor& t) { return t.slice(0, share.begin, share.end); };
    return {cut(ids), cut(attention_mask), cut(token_types), cut(labels)};
  }
};

MaskedInputs masked_inputs(const TokenBatches& source, const torch::Tensor& idx,
                           const datasets::MlmMasking& masking, at::Generator& generator) {
  models::Inputs in = batch(source.data, source.split, idx);
  auto masked = datasets::mask_tokens(in.input_ids, source.split.lengths.index_select(0, idx),
                                      masking, generator);
  return {masked.input_ids, in.attention_mask, in.token_type_ids, masked.labels};
}

// One batch's masked positions: the model's logits K×V there and their labels K, on `device`.
struct MaskedBatch {
  torch::Tensor logits, labels;
};

MaskedBatch masked_logits_of(models::BertMaskedLMImpl& model, const MaskedInputs& b, bool gather,
                             const torch::Device& device) {
  const auto ids = b.ids.to(device), mask = b.attention_mask.to(device),
             types = b.token_types.to(device), labels = b.labels.to(device);
  if (!gather) return {model.forward(ids, mask, types), labels};
  const auto flat = labels.reshape({-1});
  const auto positions = flat.ne(kIgnoredLabel).nonzero().squeeze(1);
  return {model.masked_logits(ids, mask, types, positions), flat.index_select(0, positions)};
}

// Summed cross-entropy over the labelled positions (the numerator of mlm_loss).
torch::Tensor masked_loss_sum(const torch::Tensor& logits, const torch::Tensor& flat_labels) {
  return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), flat_labels,
                                              torch::nn::functional::CrossEntropyFuncOptions()
                                                  .ignore_index(kIgnoredLabel)
                                                  .reduction(torch::kSum));
}

// A gang member's step: the summed loss of its rows' masked positions over the masked count of
// the GLOBAL batch, back-propagated. Summed over the gang (GradientSync), the gradients are
// those of the global batch's mean loss, as one rank computes it; so is the returned loss. A
// member without rows (a last batch smaller than the gang) adds zeros.
torch::Tensor member_step_loss(models::BertMaskedLMImpl& model, const MaskedInputs& global,
                               const comm::Communicator& gang, bool gather,
                               const torch::Device& device) {
  const auto share = split_batch(global.ids.size(0), gang.rank(), gang.size());
  const int64_t masked = global.labels.ne(kIgnoredLabel).sum().item<int64_t>();
  if (share.size() == 0) {
    for (auto& p : model.parameters()) p.mutable_grad() = torch::Tensor();
    return torch::zeros({}, torch::TensorOptions(torch::kFloat).device(device));
  }
  const auto b = masked_logits_of(model, global.rows(share), gather, device);
  const auto loss = masked_loss_sum(b.logits, b.labels.reshape({-1})) /
                    static_cast<double>(std::max<int64_t>(1, masked));
  loss.backward();
  return loss.detach();
}

// GradientSync gives every parameter the gang's sum, zeros where no member had a gradient. A
// parameter that no member's loss has reached (the pooler: the MLM loss does not use it) keeps
// none, as on one rank, where the optimizer then skips it (AdamW would decay it).
void sync_gradients(GradientSync& sync, comm::Communicator& gang,
                    const std::vector<torch::Tensor>& params) {
  std::vector<double> reached(params.size());
  for (size_t i = 0; i < params.size(); ++i) reached[i] = params[i].grad().defined() ? 1 : 0;
  sum_over_gang(gang, reached);
  sync.all_reduce();
  for (size_t i = 0; i < params.size(); ++i)
    if (reached[i] == 0) params[i].mutable_grad() = torch::Tensor();
}

// The pretraining state saved at the last curve point, when there is one to continue from. In a
// gang every member reads the root's file, so every member must see it.
std::optional<PretrainState> saved_pretrain_state(const PretrainConfig& c,
                                                  models::BertMaskedLMImpl& model,
                                                  torch::optim::Optimizer& optimizer,
                                                  comm::Communicator* gang) {
  if (c.state_file.empty()) return std::nullopt;
  std::string why;
  bool saved = std::filesystem::exists(c.state_file);
  if (saved && !results::sealed_file_intact(c.state_file, &why)) {
    spdlog::warn(
        "not resuming masked-LM pretraining from a damaged state: {}; it restarts from "
        "step 0 (the file is replaced at the next curve point)",
        why);
    saved = false;
  }
  if (gang && any_member(*gang, saved) && any_member(*gang, !saved))
    throw IoError(c.state_file +
                  " is visible on some members of the gang and not on others: the artifacts "
                  "directory must be on a filesystem shared by the gang's hosts");
  if (!saved) return std::nullopt;
  PretrainState s = load_pretrain_state(c.state_file, model, optimizer);
  spdlog::info("resuming masked-LM pretraining at step {} of {} from {}", s.step, c.steps,
               c.state_file);
  return s;
}

// Dropout's generator: the training device's default one (seeded by the caller with the model).
at::Generator dropout_generator(const torch::Device& device) {
  return at::globalContext().defaultGenerator(device);
}

uint64_t training_mask_seed(uint64_t seed) { return seed ^ 0x9E3779B97F4A7C15ULL; }

void check_pretrain_config(const PretrainConfig& c, const datasets::TokenSet& train,
                           const datasets::TokenSet& val) {
  const auto at_least_one = [](const char* key, int64_t value) {
    if (value < 1)
      throw ConfigError(std::string("[pretrain] ") + key + " " + std::to_string(value) +
                        ": must be at least 1");
  };
  at_least_one("steps", c.steps);
  at_least_one("eval_every", c.eval_every);
  at_least_one("batch_size", c.train.batch_size);
  at_least_one("eval_batch_size", c.train.eval_batch_size);
  datasets::check_masking(c.masking);
  if (rows_of(train) == 0 || rows_of(val) == 0)
    throw DataError("masked-LM pretraining needs sequences in both the training (" +
                    std::to_string(rows_of(train)) + ") and the validation (" +
                    std::to_string(rows_of(val)) + ") split");
}

}  // namespace

torch::Tensor mlm_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  const auto flat_labels = labels.reshape({-1});
  return masked_loss_sum(logits, flat_labels) / flat_labels.ne(kIgnoredLabel).sum().clamp_min(1);
}

double mlm_accuracy(const torch::Tensor& logits, const torch::Tensor& labels) {
  const auto flat_labels = labels.reshape({-1});
  const auto labelled = flat_labels.ne(kIgnoredLabel);
  const int64_t count = labelled.sum().item<int64_t>();
  if (count == 0) return std::numeric_limits<double>::quiet_NaN();
  const auto predicted = logits.reshape({-1, logits.size(-1)}).argmax(-1);
  return static_cast<double>((predicted.eq(flat_labels) & labelled).sum().item<int64_t>()) /
         static_cast<double>(count);
}

MlmScore evaluate_mlm(models::BertMaskedLMImpl& model, const datasets::TokenSet& data,
                      const datasets::MlmMasking& masking, uint64_t masking_seed,
                      int64_t batch_size, const torch::Device& device) {
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  const TokenBatches source(data);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(masking_seed);
  auto loss_sum = torch::zeros({}, torch::TensorOptions(torch::kDouble).device(device));
  auto correct = torch::zeros({}, torch::TensorOptions(torch::kLong).device(device));
  MlmScore score;
  for (int64_t begin = 0, n = rows_of(data); begin < n; begin += batch_size) {
    const auto idx = torch::arange(begin, std::min(n, begin + batch_size), torch::kLong);
    const auto b = masked_logits_of(model, masked_inputs(source, idx, masking, generator),
                                    /*gather=*/true, device);
    loss_sum += torch::nn::functional::cross_entropy(
                    b.logits, b.labels,
                    torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .to(torch::kDouble);
    correct += b.logits.argmax(-1).eq(b.labels).sum();
    score.positions += b.labels.size(0);
  }
  const double count = static_cast<double>(score.positions);
  score.loss = score.positions ? loss_sum.item<double>() / count : 0.0;
  score.accuracy = score.positions ? static_cast<double>(correct.item<int64_t>()) / count
                                   : std::numeric_limits<double>::quiet_NaN();
  model.train(was_training);
  return score;
}

PretrainResult pretrain_mlm(models::BertMaskedLMImpl& model, const datasets::TokenSet& train,
                            const datasets::TokenSet& val, const PretrainConfig& c) {
  check_pretrain_config(c, train, val);
  const auto start = std::chrono::steady_clock::now();
  comm::Communicator* gang = c.gang != nullptr && c.gang->size() > 1 ? c.gang : nullptr;
  const std::vector<torch::Tensor> params = model.parameters();
  std::optional<GradientSync> grad_sync;
  if (gang) {
    // The members built the same weights from the same seed; the root's are the reference all
    // the same, as in the fine-tune trainer.
    broadcast_state(*gang, model);
    grad_sync.emplace(*gang, params);
  }
  const TokenBatches source(train);
  // Two generators: the data order does not depend on how many draws a batch's masking took.
  at::Generator order_generator = at::make_generator<at::CPUGeneratorImpl>(c.seed);
  at::Generator mask_generator =
      at::make_generator<at::CPUGeneratorImpl>(training_mask_seed(c.seed));
  const auto optimizer = make_optimizer(model, c.train);
  const int64_t warmup = warmup_steps_of(c.train.lr_schedule, c.steps);
  const int64_t n = rows_of(train), bs = c.train.batch_size;
  torch::Tensor order;
  int64_t next_row = n;  // draws the first order at step 0
  auto interval_loss = torch::zeros({}, torch::TensorOptions(torch::kDouble).device(c.device));
  int64_t interval_steps = 0;
  PretrainResult result;
  int64_t first_step = 0;
  double prior_seconds = 0;
  if (auto saved = saved_pretrain_state(c, model, *optimizer, gang)) {
    first_step = saved->step;
    order = saved->order;
    next_row = saved->next_row;
    order_generator.set_state(saved->order_generator);
    mask_generator.set_state(saved->mask_generator);
    at::Generator dropout = dropout_generator(c.device);
    std::lock_guard<std::mutex> lock(dropout.mutex());
    dropout.set_state(saved->dropout_generator);
    result.curve = saved->curve;
    prior_seconds = saved->seconds;
  }
  const bool saves_state = !c.state_file.empty() && (!gang || gang->rank() == 0);
  model.train();
  auto interval_start = start;
  for (int64_t step = first_step; step < c.steps; ++step) {
    // A signal reaches the members at different moments: they agree at each step boundary.
    bool stop = c.should_stop && c.should_stop();
    if (gang) stop = any_member(*gang, stop);
    if (stop)
      throw Interrupted("masked-LM pretraining stopped at step " + std::to_string(step) + " of " +
                        std::to_string(c.steps) + " (" + stop_reason() + "; pretraining " +
                        (c.state_file.empty() || result.curve.empty()
                             ? std::string("restarts from its start)")
                             : "resumes from step " + std::to_string(result.curve.back().step) +
                                   ", its last curve point)"));
    // Epochs as the trainer cuts them: a fresh order each pass, the pass's last batch short.
    if (next_row >= n) {
      order = torch::randperm(n, order_generator, torch::kLong);
      next_row = 0;
    }
    const auto idx = order.slice(0, next_row, std::min(n, next_row + bs));
    next_row += bs;
    optimizer->zero_grad();
    const MaskedInputs inputs = masked_inputs(source, idx, c.masking, mask_generator);
    torch::Tensor loss;
    if (gang) {
      loss = member_step_loss(model, inputs, *gang, c.gather_masked, c.device);
      sync_gradients(*grad_sync, *gang, params);
    } else {
      const auto b = masked_logits_of(model, inputs, c.gather_masked, c.device);
      loss = mlm_loss(b.logits, b.labels);
      loss.backward();
    }
    // After the all-reduce: every member of a gang clips the same global gradient.
    if (c.train.max_grad_norm > 0) clip_gradients(model.parameters(), c.train.max_grad_norm);
    const double lr = lr_at_step(c.train.lr_schedule, c.train.lr, step, c.steps, warmup);
    set_lr(*optimizer, lr);
    optimizer->step();
    interval_loss += loss.detach().to(torch::kDouble);
    ++interval_steps;
    if ((step + 1) % c.eval_every != 0 && step + 1 != c.steps) continue;
    MlmPoint point;
    point.step = step + 1;
    // A gang's members hold their shares of each step's loss: their sum is the step's loss, and
    // every member takes the same decision on a non-finite one.
    std::vector<double> loss_sum{interval_loss.item<double>()};
    if (gang) sum_over_gang(*gang, loss_sum);
    point.train_loss = loss_sum[0] / static_cast<double>(interval_steps);
    if (!std::isfinite(point.train_loss))
      throw NonFiniteLoss("masked-LM pretraining: loss became " + std::to_string(point.train_loss) +
                              " by step " + std::to_string(step + 1) +
                              "; check lr and max_grad_norm",
                          1, step + 1);
    // In a gang the root evaluates and the members take its numbers (the trainer's way).
    std::vector<double> score{0, 0};
    if (!gang || gang->rank() == 0) {
      const MlmScore s = evaluate_mlm(model, val, c.masking, c.eval_masking_seed,
                                      c.train.eval_batch_size, c.device);
      score = {s.loss, s.accuracy};
    }
    if (gang) broadcast_values(*gang, score);
    point.val_loss = score[0];
    point.val_accuracy = score[1];
    point.lr = lr;
    const auto now = std::chrono::steady_clock::now();
    point.seconds = std::chrono::duration<double>(now - interval_start).count();
    interval_start = now;
    result.curve.push_back(point);
    interval_loss.zero_();
    interval_steps = 0;
    if (saves_state) {
      PretrainState state;
      state.step = step + 1;
      state.order = order;
      state.next_row = next_row;
      state.order_generator = order_generator.get_state();
      state.mask_generator = mask_generator.get_state();
      {
        at::Generator dropout = dropout_generator(c.device);
        std::lock_guard<std::mutex> lock(dropout.mutex());
        state.dropout_generator = dropout.get_state();
      }
      state.curve = result.curve;
      state.seconds = prior_seconds + std::chrono::duration<double>(now - start).count();
      save_pretrain_state(c.state_file, state, model, *optimizer);
      test_pause_point("pretrain-state");  // e2e.text_pretrain stops the run here
    }
  }
  result.seconds = prior_seconds +
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace kdbench::train
