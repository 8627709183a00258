#pragma once
// MATE-KD's adversarial masked-text augmentation (Rashid et al. 2021), the text half of
// Combined-KD (docs/methods.md §7): the pieces that need tensors only. The generator itself (a
// masked-LM BERT and its optimizer) lives with the trainer (kdbench/train/mate_generator.h),
// since methods never hold networks.
//   1. mask_for_generator: p of the non-special tokens of each batch become [MASK];
//   2. the generator's logits at those positions -> gumbel_softmax_hard -> one-hot rows whose
//      embeddings (rows·E) feed student and teacher;
//   3. MateSchedule: cycles of generator_steps batches that train the generator (maximising
//      MSE(z_s(x~), z_t(x~))) followed by student_steps batches that train the student.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kdbench::methods {

// [method.combined] keys of the text variant (all in the resolved parameters).
struct MateParams {
  std::string generator = "bert-L2-H128";  // a bert-L{l}-H{h}[-A{a}] masked LM, grid's vocabulary
  std::string generator_init;              // "" = BERT's random init; else a Hugging Face BERT dir
  double generator_lr = 5e-7;              // AdamW
  double generator_clip = 5.0;             // gradient-norm clip of the generator; 0 = none
  int generator_steps = 10;                // per cycle, first
  int student_steps = 100;                 // per cycle, then
  double mask_probability = 0.3;           // of the non-special tokens
  double gumbel_tau = 1.0;                 // tau_g
};

// Which batches of the augmented stage train the generator: batch i (0-based, counted over the
// stage) is a generator batch iff i mod (generator_steps + student_steps) < generator_steps.
class MateSchedule {
 public:
  MateSchedule(int generator_steps, int student_steps)
      : generator_steps_(generator_steps), cycle_(generator_steps + student_steps) {}
  bool generator_turn(int64_t batch_index) const { return batch_index % cycle_ < generator_steps_; }

 private:
  int64_t generator_steps_, cycle_;
};

// Bool N×T: each real token (attention_mask 1) whose id is not in `special_ids` ([CLS], [SEP],
// [PAD]) is chosen with probability p, drawn with torch::bernoulli from the default generator of
// the ids' device.
torch::Tensor mask_for_generator(const torch::Tensor& input_ids,
                                 const torch::Tensor& attention_mask,
                                 const std::vector<int64_t>& special_ids, double p);

// Standard Gumbel noise -log(-log(U)), U ~ uniform(0, 1) from the default generator of
// `options`' device.
torch::Tensor sample_gumbel(at::IntArrayRef sizes, const torch::TensorOptions& options);

// Straight-through Gumbel-softmax over the last dimension with the given noise: the value is
// exactly one_hot(argmax(logits + noise)), the gradient that of softmax((logits + noise) / tau)
// (as torch.nn.functional.gumbel_softmax(hard=True), with the value kept exactly one-hot).
torch::Tensor gumbel_softmax_hard(const torch::Tensor& logits, const torch::Tensor& noise,
                                  double tau);

}  // namespace kdbench::methods
