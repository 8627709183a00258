// The collectives of the MPI communicator between real ranks, each against a closed-form value
// (rank r of n contributes r: the sum is n(n-1)/2, the maximum n-1, ...), and the differential
// check that where a single-process communicator applies (a world of one rank, or every rank
// holding the same input) MPI gives exactly its result.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "kdbench/comm/communicator.h"
#include "kdbench/comm/single_process.h"
#include "kdbench/core/errors.h"
#include "mpi_world.h"

using namespace kdbench;
using mpi_test::world;

namespace {

// Per rank r: [r, 1, r^2, 2^40 + r] (the last only fits exactly in 64-bit types).
torch::Tensor contribution(int r, torch::Dtype dtype) {
  const int64_t big = dtype == torch::kInt64 || dtype == torch::kFloat64 ? (int64_t{1} << 40) : 0;
  return torch::tensor({int64_t{r}, int64_t{1}, int64_t{r} * r, big + r}, torch::kInt64).to(dtype);
}

}  // namespace

TEST(MpiCollectives, AllReduceSumMaxMinInEverySupportedType) {
  auto& comm = world();
  const int64_t n = comm.size();
  const int64_t big_sum = n * (int64_t{1} << 40) + n * (n - 1) / 2;
  for (auto dtype : {torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kInt32}) {
    SCOPED_TRACE(c10::toString(dtype));
    const bool wide = dtype == torch::kInt64 || dtype == torch::kFloat64;
    torch::Tensor sum = contribution(comm.rank(), dtype);
    const void* storage = sum.data_ptr();
    comm.all_reduce(sum, comm::ReduceOp::Sum);
    EXPECT_EQ(sum.data_ptr(), storage);  // in place
    EXPECT_TRUE(torch::equal(sum, torch::tensor({n * (n - 1) / 2, n, (n - 1) * n * (2 * n - 1) / 6,
                                                 wide ? big_sum : n * (n - 1) / 2},
                                                torch::kInt64)
                                      .to(dtype)))
        << sum;
    torch::Tensor max = contribution(comm.rank(), dtype);
    comm.all_reduce(max, comm::ReduceOp::Max);
    EXPECT_TRUE(torch::equal(max, contribution(static_cast<int>(n - 1), dtype))) << max;
    torch::Tensor min = contribution(comm.rank(), dtype);
    comm.all_reduce(min, comm::ReduceOp::Min);
    EXPECT_TRUE(torch::equal(min, contribution(0, dtype))) << min;
  }
}

TEST(MpiCollectives, AllReduceOfAMatrixAndOfAnEmptyTensor) {
  auto& comm = world();
  const int64_t n = comm.size();
  // Element (i, j) of rank r holds r * (3i + j): the sum is (3i + j) n(n-1)/2.
  torch::Tensor m = torch::arange(12, torch::kFloat64).reshape({4, 3}) * comm.rank();
  comm.all_reduce(m, comm::ReduceOp::Sum);
  EXPECT_TRUE(
      torch::equal(m, torch::arange(12, torch::kFloat64).reshape({4, 3}) * (n * (n - 1) / 2)));
  torch::Tensor empty = torch::zeros({0}, torch::kFloat32);
  comm.all_reduce(empty, comm::ReduceOp::Sum);
  EXPECT_EQ(empty.numel(), 0);
}

TEST(MpiCollectives, BadTensorsAreCommErrorsOnEveryRank) {
  // Refused before any rank enters the collective, so no rank is left waiting.
  auto& comm = world();
  torch::Tensor transposed = torch::ones({3, 2}, torch::kFloat32).t();
  EXPECT_THROW(comm.all_reduce(transposed, comm::ReduceOp::Sum), CommError);
  EXPECT_THROW(comm.broadcast(transposed, 0), CommError);
  torch::Tensor bytes = torch::ones({4}, torch::kUInt8);
  try {
    comm.all_reduce(bytes, comm::ReduceOp::Sum);
    ADD_FAILURE() << "no error for uint8";
  } catch (const CommError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported dtype"), std::string::npos) << e.what();
  }
  comm.barrier();
}

TEST(MpiCollectives, BroadcastTensorFromEveryRoot) {
  auto& comm = world();
  for (int root = 0; root < comm.size(); ++root) {
    torch::Tensor t = comm.rank() == root ? torch::arange(5, torch::kInt64) * (root + 1)
                                          : torch::full({5}, -1, torch::kInt64);
    comm.broadcast(t, root);
    EXPECT_TRUE(torch::equal(t, torch::arange(5, torch::kInt64) * (root + 1)))
        << "root " << root << ": " << t;
  }
}

TEST(MpiCollectives, BroadcastTextFromEveryRootWhateverTheReceiversHeld) {
  auto& comm = world();
  for (int root = 0; root < comm.size(); ++root) {
    const std::string sent = "grid from rank " + std::to_string(root) + std::string("\0\n[x]", 5);
    // Receivers start longer, shorter or empty: the root's text replaces theirs entirely.
    std::string text =
        comm.rank() == root ? sent : std::string(static_cast<size_t>(comm.rank()) * 50, 'z');
    comm.broadcast(text, root);
    EXPECT_EQ(text, sent) << "root " << root;
  }
  std::string empty = comm.rank() == 0 ? "" : "not empty";
  comm.broadcast(empty, 0);
  EXPECT_EQ(empty, "");
}

TEST(MpiCollectives, AllGatherOfTextsOfDifferentLengths) {
  auto& comm = world();
  // Rank r contributes r copies of 'a' + r: rank 0 an empty text.
  const auto all = comm.all_gather(
      std::string(static_cast<size_t>(comm.rank()), static_cast<char>('a' + comm.rank())));
  EXPECT_EQ(all.size(), static_cast<size_t>(comm.size()));
  for (int r = 0; r < comm.size() && r < static_cast<int>(all.size()); ++r)
    EXPECT_EQ(all[static_cast<size_t>(r)],
              std::string(static_cast<size_t>(r), static_cast<char>('a' + r)));
}

TEST(MpiCollectives, BarrierHoldsEveryRankUntilTheLastArrives) {
  auto& comm = world();
  if (comm.size() < 2) GTEST_SKIP() << "nobody to wait for on 1 rank";
  comm.barrier();
  const auto start = std::chrono::steady_clock::now();
  if (comm.rank() == comm.size() - 1) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  comm.barrier();
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Every rank left the barrier after the last one arrived, 300 ms after the common start (less
  // the few ms by which ranks may leave the first barrier apart).
  EXPECT_GE(waited, 0.2) << "rank " << comm.rank() << " left the barrier early";
}

TEST(MpiCollectives, SplitGroupsRanksByColorOrderedByKey) {
  auto& comm = world();
  const int n = comm.size(), color = comm.rank() % 2;
  // Key -rank: inside a group the highest world rank comes first.
  auto sub = comm.split(color, -comm.rank());
  std::vector<std::string> members;
  for (int r = n - 1; r >= 0; --r)
    if (r % 2 == color) members.push_back(std::to_string(r));
  EXPECT_EQ(sub->size(), static_cast<int>(members.size()));
  EXPECT_EQ(sub->all_gather(std::to_string(comm.rank())), members);
  EXPECT_EQ(members.at(static_cast<size_t>(sub->rank())), std::to_string(comm.rank()));
  EXPECT_EQ(sub->backend(), "mpi");
  // A collective inside a group sums only its members: ranks c, c+2, ... below n.
  torch::Tensor t = torch::tensor({int64_t{comm.rank()}});
  sub->all_reduce(t, comm::ReduceOp::Sum);
  int64_t expected = 0;
  for (int r = color; r < n; r += 2) expected += r;
  EXPECT_EQ(t.item<int64_t>(), expected);
  // Messages inside a group use group ranks: the group's rank 0 is the highest world rank.
  sub->send(0, 31, std::to_string(comm.rank()));
  if (sub->rank() == 0)
    for (int i = 0; i < sub->size(); ++i) {
      const auto m = sub->recv(31);
      EXPECT_EQ(m.payload, members.at(static_cast<size_t>(m.source))) << "group rank " << m.source;
    }
  sub->barrier();
}
