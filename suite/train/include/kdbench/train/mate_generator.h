#pragma once
// MATE-KD's generator for Combined-KD on text (docs/methods.md §7): a masked-LM BERT over the
// grid's vocabulary, its AdamW optimizer and the cycle of generator and student batches. The
// trainer owns one per text `combined` task; the tensor pieces (masking, straight-through
// Gumbel-softmax, the schedule) are kdbench/methods/mate.h.
//
// Per batch x of the augmented stage: p of the non-special tokens become [MASK]; the generator
// reads the masked batch; a straight-through Gumbel-softmax of its logits at those positions gives
// one-hot rows, which replace the ids there (models::Inputs::token_weights, embedded as rows·E by
// each network), so x~ keeps every other token. Generator batches maximise
// MSE(z_s(x~), z_t(x~)) by one AdamW step of the generator alone (student and teacher get no
// gradient); student batches take x~ as plain token ids (the argmax), without gradient.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "kdbench/methods/mate.h"
#include "kdbench/models/bert_mlm.h"
#include "kdbench/models/models.h"

namespace kdbench::train {

// A network's forward on a batch of named inputs (gradients must reach token_weights).
using InputsForward = std::function<torch::Tensor(const models::Inputs&)>;

struct MateTokens {
  int64_t vocab_size = 0, max_tokens = 0;
  int64_t mask_id = -1;
  std::vector<int64_t> special_ids;  // never masked: [CLS], [SEP], [PAD]
};

class MateGenerator {
 public:
  // The generator `params.generator` (ConfigError when not a valid BERT name) over `tokens`'
  // vocabulary, initialised as BERT from `seed` without touching torch's default generator
  // (the student's dropout stream stays what it would be), or from the Hugging Face directory
  // `params.generator_init` (DataError when it does not fit), then moved to `device`.
  MateGenerator(const methods::MateParams& params, const MateTokens& tokens, uint64_t seed,
                const torch::Device& device);

  bool generator_turn(int64_t batch_index) const { return schedule_.generator_turn(batch_index); }

  // x~ for a student batch: x with the masked positions replaced by the generator's Gumbel sample
  // as plain token ids; no gradient. x itself when no position was chosen.
  models::Inputs sample(const models::Inputs& x);
  // One generator step on x: minimises -MSE(z_s(x~), z_t(x~)) (elementmean) with the gradient of
  // the generator's parameters only (clipped to generator_clip), then AdamW. Returns the MSE
  // before the step (0 when no position was chosen: no step).
  double adversary_step(const models::Inputs& x, const InputsForward& student,
                        const InputsForward& teacher);

  models::BertMaskedLMImpl& net() { return *net_; }
  torch::optim::Optimizer& optimizer() { return *opt_; }

 private:
  // The masked batch's chosen positions (flat, row·T + t) and the generator's one-hot rows there.
  std::pair<torch::Tensor, torch::Tensor> one_hot_tokens(const models::Inputs& x);

  methods::MateParams params_;
  MateTokens tokens_;
  methods::MateSchedule schedule_;
  models::BertMaskedLM net_{nullptr};
  std::unique_ptr<torch::optim::AdamW> opt_;
};

}  // namespace kdbench::train
