#include "kdbench/train/mate_generator.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

#include "kdbench/core/errors.h"
#include "kdbench/models/bert.h"

namespace kdbench::train {
namespace {

models::BertConfig generator_config(const methods::MateParams& params, const MateTokens& tokens) {
  models::BertConfig c;
  try {
    c = models::BertConfig::from_name(params.generator);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("[method.combined] generator: ") + e.what());
  }
  c.vocab_size = tokens.vocab_size;
  if (tokens.max_tokens > c.max_positions)
    throw ConfigError("[method.combined] generator: max_seq_length " +
                      std::to_string(tokens.max_tokens) + " exceeds the generator's " +
                      std::to_string(c.max_positions) + " positions");
  return c;
}

}  // namespace

MateGenerator::MateGenerator(const methods::MateParams& params, const MateTokens& tokens,
                             uint64_t seed, const torch::Device& device)
    : params_(params), tokens_(tokens), schedule_(params.generator_steps, params.student_steps) {
  if (tokens.mask_id < 0 || tokens.mask_id >= tokens.vocab_size)
    throw ConfigError("combined on text: the tokenizer has no [MASK] id inside its vocabulary");
  const auto config = generator_config(params, tokens);
  {
    // BERT's init draws from the default CPU generator: seed it for the generator alone and put
    // its state back, so that the student's weights and dropout stream stay those of every run.
    // (The lock is held around the state changes only: the init's draws take it themselves.)
    at::Generator cpu = at::globalContext().defaultGenerator(torch::kCPU);
    torch::Tensor saved;
    {
      std::lock_guard<std::mutex> lock(cpu.mutex());
      saved = cpu.get_state();
      cpu.set_current_seed(seed);
    }
    net_ = models::BertMaskedLM(config);
    std::lock_guard<std::mutex> lock(cpu.mutex());
    cpu.set_state(saved);
  }
  if (!params.generator_init.empty()) models::init_from_hf_dir(*net_, params.generator_init);
  net_->to(device);
  net_->train();
  opt_ = std::make_unique<torch::optim::AdamW>(net_->parameters(),
                                               torch::optim::AdamWOptions(params.generator_lr));
}

std::pair<torch::Tensor, torch::Tensor> MateGenerator::one_hot_tokens(const models::Inputs& x) {
  const auto chosen = methods::mask_for_generator(x.input_ids, x.attention_mask,
                                                  tokens_.special_ids, params_.mask_probability);
  const auto positions = chosen.reshape({-1}).nonzero().reshape({-1});
  if (positions.numel() == 0) return {positions, torch::Tensor()};
  const auto masked = x.input_ids.masked_fill(chosen, tokens_.mask_id);
  const auto logits =
      net_->masked_logits(masked, x.attention_mask, x.token_type_ids, positions).to(torch::kFloat);
  const auto noise = methods::sample_gumbel(logits.sizes(), logits.options());
  return {positions, methods::gumbel_softmax_hard(logits, noise, params_.gumbel_tau)};
}

models::Inputs MateGenerator::sample(const models::Inputs& x) {
  torch::NoGradGuard no_grad;
  const auto [positions, rows] = one_hot_tokens(x);
  if (!rows.defined()) return x;
  models::Inputs out = x;
  out.input_ids = x.input_ids.reshape({-1})
                      .index_copy(0, positions, rows.argmax(1).to(x.input_ids.scalar_type()))
                      .view(x.input_ids.sizes());
  return out;
}

double MateGenerator::adversary_step(const models::Inputs& x, const InputsForward& student,
                                     const InputsForward& teacher) {
  torch::AutoGradMode enable_grad(true);
  const auto [positions, rows] = one_hot_tokens(x);
  if (!rows.defined()) return 0;
  models::Inputs adv = x;
  adv.token_positions = positions;
  adv.token_weights = rows;
  const auto objective = torch::mse_loss(student(adv), teacher(adv));
  // Gradients of the generator's parameters only (the pooler takes no part: unused), so the
  // student's and teacher's .grad fields stay untouched.
  const auto params = net_->parameters();
  const auto grads = torch::autograd::grad({-objective}, params, /*grad_outputs=*/{},
                                           /*retain_graph=*/false, /*create_graph=*/false,
                                           /*allow_unused=*/true);
  // Each step's gradients replace the last (copies: autograd may hand out views, which the
  // optimizer's zero_grad could not detach).
  for (size_t i = 0; i < params.size(); ++i)
    params[i].mutable_grad() = grads[i].defined() ? grads[i].clone() : torch::Tensor();
  if (params_.generator_clip > 0) torch::nn::utils::clip_grad_norm_(params, params_.generator_clip);
  opt_->step();
  return objective.item<double>();
}

}  // namespace kdbench::train
