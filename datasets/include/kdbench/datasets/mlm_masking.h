#pragma once
// BERT's masked-LM corruption (Devlin et al. 2019), exactly as Hugging Face's
// DataCollatorForLanguageModeling applies it (docs/text.md, "Masked-LM pretraining"): every real
// token (inside its row's length, not a special id) is chosen with probability p; a chosen token
// becomes [MASK] with probability 0.8, else (half of the rest) a uniformly random id in [0, vocab),
// else stays. Labels hold the original id where chosen and -100 (ignored) elsewhere.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace kdbench::datasets {

constexpr int64_t kIgnoredLabel = -100;  // PyTorch's CrossEntropyLoss ignore_index

struct MlmMasking {
  double probability = 0.15;  // p, strictly between 0 and 1
  int64_t mask_id = -1;       // the tokenizer's [MASK]
  int64_t vocab_size = 0;     // random replacements are drawn from [0, vocab_size)
  // Never chosen: [CLS], [SEP], [PAD] and any other id the tokenizer reserves.
  std::vector<int64_t> special_ids;
};

// ConfigError naming the setting when p is not in (0, 1), the vocabulary is empty, or the mask id
// lies outside it.
void check_masking(const MlmMasking& masking);

struct MaskedTokens {
  torch::Tensor input_ids;  // int64 N×T, the corrupted ids
  torch::Tensor labels;     // int64 N×T, original id where chosen, kIgnoredLabel elsewhere
};

// `ids` (N×T, any integer dtype) of rows whose first lengths[i] positions are real (int64 N;
// the rest is padding, never chosen). All draws come from `generator` (a CPU generator), in
// Hugging Face's order (choice, [MASK], random-vs-keep, random ids, each over the whole N×T), so a
// seed gives the same corruption on every machine. The result lies on the CPU.
MaskedTokens mask_tokens(const torch::Tensor& ids, const torch::Tensor& lengths,
                         const MlmMasking& masking, at::Generator& generator);

}  // namespace kdbench::datasets
