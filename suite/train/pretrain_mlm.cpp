#include "kdbench/train/pretrain_mlm.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "kdbench/core/errors.h"
#include "kdbench/train/lr_schedule.h"
#include "kdbench/train/optimizer.h"
#include "kdbench/train/prepared_data.h"
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

// One batch's masked positions: the model's logits K×V there and their labels K, on `device`.
struct MaskedBatch {
  torch::Tensor logits, labels;
};

MaskedBatch masked_batch(models::BertMaskedLMImpl& model, const TokenBatches& source,
                         const torch::Tensor& idx, const datasets::MlmMasking& masking,
                         at::Generator& generator, bool gather, const torch::Device& device) {
  models::Inputs in = batch(source.data, source.split, idx);
  const auto masked = datasets::mask_tokens(in.input_ids, source.split.lengths.index_select(0, idx),
                                            masking, generator);
  const auto ids = masked.input_ids.to(device), mask = in.attention_mask.to(device),
             types = in.token_type_ids.to(device), labels = masked.labels.to(device);
  if (!gather) return {model.forward(ids, mask, types), labels};
  const auto flat = labels.reshape({-1});
  const auto positions = flat.ne(kIgnoredLabel).nonzero().squeeze(1);
  return {model.masked_logits(ids, mask, types, positions), flat.index_select(0, positions)};
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
  const auto sum =
      torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), flat_labels,
                                           torch::nn::functional::CrossEntropyFuncOptions()
                                               .ignore_index(kIgnoredLabel)
                                               .reduction(torch::kSum));
  return sum / flat_labels.ne(kIgnoredLabel).sum().clamp_min(1);
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
    const auto b = masked_batch(model, source, idx, masking, generator, /*gather=*/true, device);
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
  model.train();
  auto interval_start = start;
  for (int64_t step = 0; step < c.steps; ++step) {
    if (c.should_stop && c.should_stop())
      throw Interrupted("masked-LM pretraining stopped at step " + std::to_string(step) + " of " +
                        std::to_string(c.steps) + " (" + stop_reason() +
                        "; pretraining restarts from its start)");
    // Epochs as the trainer cuts them: a fresh order each pass, the pass's last batch short.
    if (next_row >= n) {
      order = torch::randperm(n, order_generator, torch::kLong);
      next_row = 0;
    }
    const auto idx = order.slice(0, next_row, std::min(n, next_row + bs));
    next_row += bs;
    optimizer->zero_grad();
    const auto b =
        masked_batch(model, source, idx, c.masking, mask_generator, c.gather_masked, c.device);
    const auto loss = mlm_loss(b.logits, b.labels);
    loss.backward();
    if (c.train.max_grad_norm > 0) clip_gradients(model.parameters(), c.train.max_grad_norm);
    const double lr = lr_at_step(c.train.lr_schedule, c.train.lr, step, c.steps, warmup);
    set_lr(*optimizer, lr);
    optimizer->step();
    interval_loss += loss.detach().to(torch::kDouble);
    ++interval_steps;
    if ((step + 1) % c.eval_every != 0 && step + 1 != c.steps) continue;
    MlmPoint point;
    point.step = step + 1;
    point.train_loss = interval_loss.item<double>() / static_cast<double>(interval_steps);
    if (!std::isfinite(point.train_loss))
      throw NonFiniteLoss("masked-LM pretraining: loss became " + std::to_string(point.train_loss) +
                              " by step " + std::to_string(step + 1) +
                              "; check lr and max_grad_norm",
                          1, step + 1);
    const MlmScore score =
        evaluate_mlm(model, val, c.masking, c.eval_masking_seed, c.train.eval_batch_size, c.device);
    point.val_loss = score.loss;
    point.val_accuracy = score.accuracy;
    point.lr = lr;
    const auto now = std::chrono::steady_clock::now();
    point.seconds = std::chrono::duration<double>(now - interval_start).count();
    interval_start = now;
    result.curve.push_back(point);
    interval_loss.zero_();
    interval_steps = 0;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace kdbench::train
