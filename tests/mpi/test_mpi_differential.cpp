// Where the single-process communicator applies, MPI must give exactly its answer: in a world of
// one rank (an MPI group per rank, split by rank) for every operation, and in the whole world
// when every rank holds the same input (maximum, minimum and broadcast leave it unchanged, the
// sum multiplies it by the number of ranks).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "kdbench/comm/communicator.h"
#include "kdbench/comm/single_process.h"
#include "mpi_world.h"

using namespace kdbench;
using mpi_test::world;

namespace {

// Not integer-valued: any rounding or reordering of the data would show.
torch::Tensor same_input() {
  return torch::tensor({0.1, -2.5, 3.0e-8, 1.0 / 3.0}, torch::kFloat64);
}

// Every operation of the interface on `comm`, as text, for one rank holding `text`.
std::vector<std::string> outcomes(comm::Communicator& comm, const std::string& text) {
  std::vector<std::string> out;
  out.push_back(std::to_string(comm.rank()) + "/" + std::to_string(comm.size()) + "/" +
                std::to_string(comm.local_size()));
  comm.send(0, 41, text);
  const auto m = comm.recv(41);
  out.push_back(std::to_string(m.source) + ":" + std::to_string(m.tag) + ":" + m.payload);
  out.push_back(comm.try_recv(41) ? "left over" : "empty");
  comm.barrier();
  std::string b = text;
  comm.broadcast(b, 0);
  out.push_back(b);
  for (const auto& g : comm.all_gather(text)) out.push_back("gathered " + g);
  for (auto op : {comm::ReduceOp::Sum, comm::ReduceOp::Max, comm::ReduceOp::Min}) {
    torch::Tensor t = same_input();
    comm.all_reduce(t, op);
    out.push_back(torch::equal(t, same_input()) ? "reduce unchanged" : "reduce changed");
  }
  torch::Tensor t = same_input();
  comm.broadcast(t, 0);
  out.push_back(torch::equal(t, same_input()) ? "broadcast unchanged" : "broadcast changed");
  return out;
}

}  // namespace

TEST(MpiVsSingleProcess, AOneRankMpiGroupBehavesLikeTheSingleProcessCommunicator) {
  auto& comm = world();
  auto alone = comm.split(comm.rank(), 0);  // a group of one: this rank
  comm::SingleProcessCommunicator single;
  const std::string text = "rank " + std::to_string(comm.rank()) + std::string("\0end", 4);
  EXPECT_EQ(outcomes(*alone, text), outcomes(single, text));
  auto single_split = single.split(0, 0);
  EXPECT_EQ(single_split->size(), alone->split(0, 0)->size());
}

TEST(MpiVsSingleProcess, SameInputOnEveryRankGivesTheSingleProcessResult) {
  auto& comm = world();
  comm::SingleProcessCommunicator single;
  for (auto op : {comm::ReduceOp::Max, comm::ReduceOp::Min}) {
    torch::Tensor on_mpi = same_input(), on_single = same_input();
    comm.all_reduce(on_mpi, op);
    single.all_reduce(on_single, op);
    EXPECT_TRUE(torch::equal(on_mpi, on_single)) << on_mpi << " vs " << on_single;
  }
  // The sum is n times the single-process result, up to rounding (MPI picks the order).
  torch::Tensor on_mpi = same_input(), on_single = same_input();
  comm.all_reduce(on_mpi, comm::ReduceOp::Sum);
  single.all_reduce(on_single, comm::ReduceOp::Sum);
  EXPECT_TRUE(torch::allclose(on_mpi, on_single * comm.size(), 1e-15, 0))
      << on_mpi << " vs " << on_single;
  std::string text = "same everywhere", single_text = text;
  comm.broadcast(text, comm.size() - 1);
  single.broadcast(single_text, 0);
  EXPECT_EQ(text, single_text);
  std::vector<std::string> gathered = comm.all_gather("same");
  EXPECT_EQ(gathered, std::vector<std::string>(static_cast<size_t>(comm.size()),
                                               single.all_gather("same").at(0)));
}
