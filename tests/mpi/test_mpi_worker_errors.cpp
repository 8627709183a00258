// A task that fails on rank 1 reaches the coordinator as a FAILED record whose message names
// rank 1 and its host: the real worker loop (run_worker) on rank 1, a stand-in coordinator on
// rank 0 speaking the protocol, and a grid whose data directory does not exist (so the task fails
// while loading its data, before any training).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "kdbench/comm/communicator.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/results/run_record.h"
#include "kdbench/sched/protocol.h"
#include "kdbench/sched/worker.h"
#include "mpi_world.h"

using namespace kdbench;
using mpi_test::world;

namespace {

const char* kGrid = R"([grid]
name     = failing
dataset  = fashion-mnist
data_dir = /nonexistent-kdbench-test-data
teachers = cnn4
students = cnn2
methods  = kd
seeds    = 1
[train]
epochs = 1
threads = 1
)";

}  // namespace

TEST(WorkerErrors, ATaskFailingOnRank1NamesRank1AndItsHost) {
  auto& comm = world();
  if (comm.size() < 2) GTEST_SKIP() << "needs a rank 1";
  const auto hosts = comm.all_gather(comm::hostname());
  const grid::GridSpec spec =
      grid::parse_grid_text(kGrid, "failing.ini", grid::ParseOptions{false});
  const grid::TaskGraph graph = grid::expand(spec);
  const results::Artifacts artifacts("/nonexistent-kdbench-test-artifacts", false);
  const grid::Task& teacher = graph.tasks.front();
  if (comm.rank() == 1) {
    EXPECT_EQ(sched::run_worker(comm, spec, graph, artifacts), kExitTasksFailed);
  } else if (comm.rank() == 0) {
    const auto ready = comm.recv(sched::kToCoordinator);
    EXPECT_EQ(ready.source, 1);
    EXPECT_EQ(nlohmann::json::parse(ready.payload).at("type"), "ready");
    comm.send(1, sched::kToWorker, sched::task_message(teacher.key));
    const auto reply = comm.recv(sched::kToCoordinator);
    EXPECT_EQ(reply.source, 1);
    const results::RunRecord rec =
        results::record_from_json(nlohmann::json::parse(reply.payload).at("record"));
    EXPECT_EQ(rec.key, teacher.key);
    EXPECT_EQ(rec.status, results::Status::Failed);
    EXPECT_EQ(rec.rank, 1);
    EXPECT_EQ(rec.host, hosts.at(1));
    const std::string origin = "[rank 1@" + hosts.at(1) + "] ";
    EXPECT_EQ(rec.error.rfind(origin, 0), 0u) << rec.error;
    EXPECT_NE(rec.error.find("/nonexistent-kdbench-test-data"), std::string::npos) << rec.error;
    EXPECT_EQ(rec.error.find('\n'), std::string::npos) << "not one line: " << rec.error;
    comm.send(1, sched::kToWorker, sched::stop_message(kExitTasksFailed));
  }
  comm.barrier();
}
