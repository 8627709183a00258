// The data-parallel pieces of a gang (kdbench/train/gang_sync.h) between real ranks: gradient
// sums through the bucketed flat buffer, the root's state to every member, the stop agreement,
// and the property the trainer builds on: k members each taking their share of a global batch,
// loss weighted by that share, gradients summed, take the same SGD steps as one rank on the
// whole batch.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "kdbench/train/gang_sync.h"
#include "mpi_world.h"

using namespace kdbench;
using mpi_test::world;

namespace {

torch::nn::Sequential small_net() {
  return torch::nn::Sequential(torch::nn::Linear(6, 5), torch::nn::ReLU(), torch::nn::Linear(5, 3));
}

std::vector<torch::Tensor> params_of(torch::nn::Module& m) { return m.parameters(); }

}  // namespace

TEST(GangSync, GradientsAreSummedOverTheGangInEveryBucket) {
  auto& comm = world();
  const int64_t n = comm.size(), r = comm.rank();
  torch::manual_seed(7);
  auto net = small_net();
  // Rank r's gradient of parameter i is (i + 1) * (r + 1): the sum is (i + 1) n(n+1)/2.
  const auto params = params_of(*net);
  for (size_t i = 0; i < params.size(); ++i)
    params[i].mutable_grad() = torch::full_like(params[i], double(i + 1) * double(r + 1));
  // 80 bytes = 20 floats per bucket: [weight 5x6 alone, larger than a bucket], [bias 5 +
  // weight 3x5], [bias 3].
  train::GradientSync sync(comm, params, 80);
  EXPECT_EQ(sync.collectives_per_step(), 3);
  sync.all_reduce();
  for (size_t i = 0; i < params.size(); ++i)
    EXPECT_TRUE(torch::allclose(params[i].grad(),
                                torch::full_like(params[i], double(i + 1) * n * (n + 1) / 2)))
        << "parameter " << i;
}

TEST(GangSync, AMemberWithoutGradientsCountsAsZeros) {
  auto& comm = world();
  const int64_t n = comm.size();
  auto net = small_net();
  const auto params = params_of(*net);
  // Rank 0 had no rows in this batch (no backward): its gradients are undefined.
  if (comm.rank() != 0)
    for (auto& p : params) p.mutable_grad() = torch::ones_like(p);
  train::GradientSync sync(comm, params);
  EXPECT_EQ(sync.collectives_per_step(), 1);
  sync.all_reduce();
  for (const auto& p : params) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_TRUE(torch::equal(p.grad(), torch::full_like(p, double(n - 1))));
  }
}

TEST(GangSync, BroadcastStateGivesEveryMemberTheRootsWeightsAndBuffers) {
  auto& comm = world();
  torch::manual_seed(100 + static_cast<uint64_t>(comm.rank()));  // different weights per rank
  torch::nn::Sequential net(torch::nn::Linear(4, 4), torch::nn::BatchNorm1d(4));
  net->train();
  net->forward(torch::randn({8, 4}));  // running stats and the int64 step counter move
  train::broadcast_state(comm, *net);
  // Every member now holds what rank 0 held: compare a fingerprint through the gang.
  std::vector<double> mine;
  for (const auto& t : net->parameters()) mine.push_back(t.sum().item<double>());
  for (const auto& t : net->buffers()) mine.push_back(t.to(torch::kFloat64).sum().item<double>());
  std::vector<double> roots = mine;
  train::broadcast_values(comm, roots);
  EXPECT_EQ(mine, roots);
}

TEST(GangSync, AnyMemberAndSums) {
  auto& comm = world();
  const int n = comm.size();
  EXPECT_FALSE(train::any_member(comm, false));
  EXPECT_TRUE(train::any_member(comm, comm.rank() == n - 1));
  std::vector<double> v{double(comm.rank()), 0.5};
  train::sum_over_gang(comm, v);
  EXPECT_EQ(v, (std::vector<double>{n * (n - 1) / 2.0, 0.5 * n}));
}

// The gang's invariant: share-weighted member losses + summed gradients = the 1-rank step, also
// when the batch does not divide by the gang (and a member may get no rows at all).
TEST(GangSync, DataParallelSgdStepsEqualTheOneRankSteps) {
  auto& comm = world();
  const int n = comm.size(), r = comm.rank();
  torch::manual_seed(11);
  const auto x = torch::randn({23, 6}), y = torch::randint(0, 3, {23}, torch::kLong);
  auto make = [] {
    torch::manual_seed(3);
    return small_net();
  };
  auto alone = make(), member = make();
  torch::optim::SGD opt_alone(alone->parameters(),
                              torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4));
  torch::optim::SGD opt_member(member->parameters(),
                               torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4));
  train::GradientSync sync(comm, member->parameters());
  // Batches of 10, 10, 3 and 1 rows: the last two leave some members of 2 and 3 without rows.
  for (auto [lo, hi] : {std::pair<int64_t, int64_t>{0, 10}, {10, 20}, {20, 23}, {22, 23}}) {
    opt_alone.zero_grad();
    torch::nn::functional::cross_entropy(alone->forward(x.slice(0, lo, hi)), y.slice(0, lo, hi))
        .backward();
    opt_alone.step();

    opt_member.zero_grad();
    const auto share = train::split_batch(hi - lo, r, n);
    if (share.size() > 0) {
      const auto rows = x.slice(0, lo + share.begin, lo + share.end);
      const auto loss = torch::nn::functional::cross_entropy(
          member->forward(rows), y.slice(0, lo + share.begin, lo + share.end));
      (loss * (double(share.size()) / double(hi - lo))).backward();
    } else {
      for (auto& p : member->parameters()) p.mutable_grad() = torch::Tensor();
    }
    sync.all_reduce();
    opt_member.step();
  }
  const auto a = alone->parameters(), m = member->parameters();
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(torch::allclose(m[i], a[i], 1e-5, 1e-7)) << "parameter " << i << " on rank " << r;
}
