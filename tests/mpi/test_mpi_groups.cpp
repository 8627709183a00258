// Communicator::create_group between real ranks (the communicator of a gang): only the listed
// ranks take part, in the listed order (rank 0 = the gang root), while the ranks outside go on
// with control-plane messages; two disjoint groups work at once; a BERT-sized tensor all_reduce
// (110M float32: two MPI calls) is exact.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kdbench/comm/communicator.h"
#include "kdbench/core/errors.h"
#include "mpi_world.h"

using namespace kdbench;
using mpi_test::world;

namespace {

constexpr int kGroupTag = 301;  // messages the ranks outside a group send meanwhile
constexpr int kMessages = 40;

bool listed(const std::vector<int>& ranks, int r) {
  return std::find(ranks.begin(), ranks.end(), r) != ranks.end();
}

// Collectives of a group whose rank i is world rank ranks[i], checked against closed forms.
void exercise_group(comm::Communicator& group, const std::vector<int>& ranks) {
  const int me = world().rank();
  const auto position = std::find(ranks.begin(), ranks.end(), me) - ranks.begin();
  EXPECT_EQ(group.rank(), position);
  EXPECT_EQ(group.size(), static_cast<int>(ranks.size()));
  int world_sum = 0;
  for (int r : ranks) world_sum += r;
  for (int round = 0; round < 20; ++round) {
    torch::Tensor sum = torch::full({5}, me + round, torch::kFloat32);
    group.all_reduce(sum, comm::ReduceOp::Sum);
    EXPECT_TRUE(torch::equal(
        sum, torch::full({5}, world_sum + round * static_cast<int>(ranks.size()), torch::kFloat32)))
        << sum;
    torch::Tensor from_root = torch::full({3}, me * 10 + round, torch::kInt64);
    group.broadcast(from_root, 0);  // group rank 0 = ranks[0]
    EXPECT_TRUE(torch::equal(from_root, torch::full({3}, ranks[0] * 10 + round, torch::kInt64)));
  }
  const auto names = group.all_gather(std::to_string(me));
  std::vector<std::string> expected;
  for (int r : ranks) expected.push_back(std::to_string(r));
  EXPECT_EQ(names, expected);
}

}  // namespace

// The last two ranks, the last one first (rank 2 is the root of {2, 1} on 3 ranks); on 3 ranks
// rank 0, outside, sends to both members and to itself while they run collectives.
TEST(MpiGroups, GroupOfListedRanksInListedOrderWhileOthersExchangeMessages) {
  auto& comm = world();
  const int n = comm.size();
  const std::vector<int> ranks = {n - 1, n - 2};
  if (listed(ranks, comm.rank())) {
    auto group = comm.create_group(ranks, 7);
    EXPECT_EQ(group->backend(), "mpi");
    exercise_group(*group, ranks);
  } else {
    EXPECT_THROW(comm.create_group(ranks, 7), CommError);  // not a member: refused, not blocked
    for (int i = 0; i < kMessages; ++i) {
      for (int r : ranks) comm.send(r, kGroupTag, std::to_string(i));
      comm.send(comm.rank(), kGroupTag, "self " + std::to_string(i));
      EXPECT_EQ(comm.recv(kGroupTag).payload, "self " + std::to_string(i));
    }
  }
  if (n > 2 && listed(ranks, comm.rank())) {
    for (int i = 0; i < kMessages; ++i) {
      const auto m = comm.recv(kGroupTag);
      EXPECT_EQ(m.source, 0);
      EXPECT_EQ(m.payload, std::to_string(i));  // in order, none lost to the group's traffic
    }
  }
  comm.barrier();
}

// {0} and {n-1, ..., 1}: two disjoint groups at once, each with its own tag.
TEST(MpiGroups, TwoDisjointGroupsAtOnce) {
  auto& comm = world();
  const int n = comm.size();
  std::vector<int> rest;
  for (int r = n - 1; r >= 1; --r) rest.push_back(r);
  const std::vector<int> ranks = comm.rank() == 0 ? std::vector<int>{0} : rest;
  auto group = comm.create_group(ranks, comm.rank() == 0 ? 11 : 12);
  exercise_group(*group, ranks);
  // The world is unaffected: a world collective right after.
  torch::Tensor one = torch::ones({1}, torch::kFloat64);
  comm.all_reduce(one, comm::ReduceOp::Sum);
  EXPECT_EQ(one.item<double>(), n);
}

// A gang's flat gradient of a BERT-sized model: 110M float32 (440 MB) per rank, all_reduced in
// place in two MPI calls; every element exact (small integers in float32).
TEST(MpiGroups, AllReduceOf110MFloat32InAGroup) {
  auto& comm = world();
  std::vector<int> all;
  for (int r = 0; r < comm.size(); ++r) all.push_back(r);
  auto group = comm.create_group(all, 21);
  const int64_t n = 110'000'000;
  torch::Tensor big = torch::full({n}, comm.rank() + 1, torch::kFloat32);
  big[n - 1] = 100 * (comm.rank() + 1);  // the last element lies in the second chunk
  group->all_reduce(big, comm::ReduceOp::Sum);
  const float total = static_cast<float>(comm.size() * (comm.size() + 1) / 2);
  EXPECT_EQ(big.slice(0, 0, n - 1).eq(total).all().item<bool>(), true);
  EXPECT_EQ(big[n - 1].item<float>(), 100 * total);
  group->broadcast(big, comm.size() - 1);
  EXPECT_EQ(big[0].item<float>(), total);
}
