#include "kdbench/datasets/mlm_masking.h"

#include <string>

#include "kdbench/core/errors.h"

namespace kdbench::datasets {

void check_masking(const MlmMasking& m) {
  if (!(m.probability > 0 && m.probability < 1))
    throw ConfigError("mlm_probability " + std::to_string(m.probability) +
                      ": the share of tokens masked must lie strictly between 0 and 1");
  if (m.vocab_size < 1)
    throw ConfigError("masked-LM vocabulary size " + std::to_string(m.vocab_size) +
                      ": must be at least 1");
  if (m.mask_id < 0 || m.mask_id >= m.vocab_size)
    throw ConfigError("[MASK] id " + std::to_string(m.mask_id) +
                      " lies outside the vocabulary of " + std::to_string(m.vocab_size));
}

MaskedTokens mask_tokens(const torch::Tensor& ids, const torch::Tensor& lengths,
                         const MlmMasking& m, at::Generator& generator) {
  check_masking(m);
  const auto original = ids.to(torch::kCPU, torch::kLong);
  const auto real = torch::arange(original.size(1), torch::kLong)
                        .unsqueeze(0)
                        .lt(lengths.to(torch::kCPU, torch::kLong).unsqueeze(1));
  auto eligible = real.clone();
  for (const int64_t special : m.special_ids) eligible &= original.ne(special);
  const auto uniform_p = [&](double p) { return torch::full(original.sizes(), p, torch::kFloat); };
  // Hugging Face draws bernoulli(p) everywhere and zeroes the special positions' probability
  // first; drawing over the whole matrix keeps the stream independent of where specials are.
  const auto chosen =
      at::bernoulli(uniform_p(m.probability) * eligible.to(torch::kFloat), generator)
          .to(torch::kBool);
  const auto to_mask = at::bernoulli(uniform_p(0.8), generator).to(torch::kBool) & chosen;
  const auto to_random =
      at::bernoulli(uniform_p(0.5), generator).to(torch::kBool) & chosen & to_mask.logical_not();
  const auto random_ids =
      at::randint(m.vocab_size, original.sizes(), generator, torch::TensorOptions(torch::kLong));
  MaskedTokens out;
  out.labels = torch::where(chosen, original, torch::full_like(original, kIgnoredLabel));
  out.input_ids = torch::where(to_mask, torch::full_like(original, m.mask_id), original);
  out.input_ids = torch::where(to_random, random_ids, out.input_ids);
  return out;
}

}  // namespace kdbench::datasets
