#pragma once
// Data-parallel training of one task by a gang of k ranks (docs/design.md, "Gangs"): the pieces
// the trainer calls so that k members take the same optimizer steps as one rank would with the
// same global batch.
//   - split_batch: member m trains rows [begin, end) of every global batch, in the 1-rank order;
//   - GradientSync: each member's loss is weighted by its share of the batch, then the gradients
//     are summed across the gang through one flat buffer (bucketed, a few collectives per step
//     instead of one per parameter tensor), so every member holds the full-batch gradient;
//   - broadcast_state: the root's parameters and buffers to every member (start and resume);
//   - any_member / sum_over_gang: flags agreed over the gang (at each step boundary the stop
//     request and the root's "checkpoint due", so the gang stops, saves and resumes as one).
// Every call is a collective of the gang: every member makes the same calls in the same order.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "kdbench/comm/communicator.h"

namespace kdbench::train {

struct BatchShare {
  int64_t begin = 0, end = 0;  // rows of the global batch
  int64_t size() const { return end - begin; }
};

// Rows of a batch of `batch` samples for member `member` of `members`: contiguous, as equal as
// possible, the first (batch % members) members one row more. A member may get none (a last batch
// smaller than the gang).
BatchShare split_batch(int64_t batch, int member, int members);

class GradientSync {
 public:
  // params: the trainable parameters, in the same order on every member. bucket_bytes bounds one
  // collective (large models go in several; a bucket never splits a tensor unless it alone is
  // larger).
  GradientSync(comm::Communicator& gang, std::vector<torch::Tensor> params,
               int64_t bucket_bytes = int64_t{32} << 20);
  // Sums every parameter's gradient over the gang, in place. A parameter without a gradient on
  // this member counts as zeros (a member with no rows in this batch) and gets the sum.
  void all_reduce();
  // The collectives the last all_reduce() made (tests; the bench reports it).
  int collectives_per_step() const { return static_cast<int>(buckets_.size()); }

 private:
  struct Bucket {
    size_t first = 0, last = 0;  // params [first, last)
    int64_t offset = 0, numel = 0;
  };
  comm::Communicator& gang_;
  std::vector<torch::Tensor> params_;
  std::vector<int64_t> offsets_;
  std::vector<Bucket> buckets_;
  torch::Tensor flat_;
};

// The root's parameters and buffers of `module` to every member (one flat collective per dtype).
void broadcast_state(comm::Communicator& gang, torch::nn::Module& module, int root = 0);

// True on every member when `flag` is true on any member.
bool any_member(comm::Communicator& gang, bool flag);

// The smallest value over the gang (the first failing step).
int64_t min_over_gang(comm::Communicator& gang, int64_t value);

// Sums doubles over the gang (epoch loss sums and accuracy counts), in place.
void sum_over_gang(comm::Communicator& gang, std::vector<double>& values);

// The root's values to every member (evaluation results: only the root evaluates).
void broadcast_values(comm::Communicator& gang, std::vector<double>& values, int root = 0);

}  // namespace kdbench::train
