#include "kdbench/sched/worker.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/results/run_record.h"
#include "kdbench/sched/protocol.h"
#include "kdbench/train/stop_flag.h"
#include "kdbench/train/threads.h"
#include "kdbench/train/trainer.h"

namespace kdbench::sched {
namespace {

results::RunRecord unfinished_record(const grid::Task& t, results::Status status,
                                     const std::string& error, int rank) {
  results::RunRecord rec = train::task_record(t);
  rec.status = status;
  rec.error = error;
  rec.rank = rank;
  rec.host = comm::hostname();
  rec.finished = results::utc_now();
  return rec;
}

// The members of a gang build its communicator together; every member's task message names the
// same ranks and tag. Recorded with the run: {"size", "ranks", "hosts"}.
struct Gang {
  std::unique_ptr<comm::Communicator> mpi;
  nlohmann::json record;
  comm::Communicator* data_plane() const { return mpi.get(); }
  bool is_root() const { return mpi->rank() == 0; }
};

Gang join_gang(comm::Communicator& world, const std::vector<int>& ranks, int tag) {
  Gang g;
  g.mpi = world.create_group(ranks, tag);
  // TODO(lead, merge with the device branch): for a CUDA env.device and comm::nccl_built(), add
  // `std::unique_ptr<comm::Communicator> nccl = comm::make_nccl_gang(*g.mpi, device index)` and
  // let data_plane() return it (collectives of CUDA tensors through NCCL).
  g.record = {
      {"size", ranks.size()}, {"ranks", ranks}, {"hosts", g.mpi->all_gather(comm::hostname())}};
  return g;
}

// A stop signal seen by any member stops the whole gang before it starts: members reach the
// task's first collective together or not at all.
bool stop_requested_in(comm::Communicator* gang) {
  const bool here = train::stop_requested();
  if (!gang) return here;
  const auto votes = gang->all_gather(here ? "1" : "0");
  return std::find(votes.begin(), votes.end(), "1") != votes.end();
}

// A member of a gang that fails may leave the others blocked in a collective for ever: end the
// whole job instead (docs/design.md §3.7). The task stays RUNNING in results.h5, so the rerun of
// the same command trains it again; finished tasks are kept.
[[noreturn]] void abort_for_gang(comm::Communicator& world, const grid::Task& task,
                                 const std::string& error) {
  spdlog::critical(
      "{}{}: a gang member failed: {}; aborting the job (the other members may wait in a "
      "collective); rerun the same command to continue, finished tasks are kept",
      comm::origin_prefix(world), task.label(), error);
  world.abort(kExitTasksFailed);
}

}  // namespace

int run_worker(comm::Communicator& comm, const grid::GridSpec& grid, const grid::TaskGraph& graph,
               const results::Artifacts& artifacts) {
  keep_tensor_buffers_in_heap();
  const int threads =
      apply_intra_op_threads(choose_intra_op_threads(grid.threads, comm.local_size()));
  std::unique_ptr<train::PreparedData> data;  // loaded with the first task, reused by all
  train::TrainEnv env;
  env.artifacts = &artifacts;
  env.rank = comm.rank();
  env.host = comm::hostname();
  env.threads = threads;
  env.on_epoch = [](const train::EpochReport& r) {
    spdlog::info("{}: epoch {}/{} loss {:.4f} val {:.2f}% ({:.1f} s)", r.task->label(), r.epoch,
                 r.total_epochs, r.train_loss, 100 * r.val_acc, r.seconds);
  };

  comm.send(0, kToCoordinator, ready_message());
  for (;;) {
    const auto msg = nlohmann::json::parse(comm.recv(kToWorker).payload);
    if (msg.at("type") == "stop") return msg.at("exit_code").get<int>();
    const grid::Task& task = graph.at(msg.at("key").get<std::string>());
    const std::vector<int> gang_ranks = message_gang(msg);
    const bool in_gang = gang_ranks.size() > 1;
    spdlog::info("{}: start ({} threads{})", task.label(), threads,
                 in_gang ? ", gang of " + std::to_string(gang_ranks.size()) : "");
    results::RunRecord rec;
    Gang gang;
    try {
      if (in_gang) gang = join_gang(comm, gang_ranks, msg.at("gang_tag").get<int>());
      env.gang = gang.mpi ? gang.data_plane() : nullptr;
      // A stop that arrived while this worker was idle: do not start anything new.
      if (stop_requested_in(env.gang))
        throw train::Interrupted(
            task.label() + ": not started, " +
            (train::stop_requested() ? train::stop_reason() : "another gang member was stopped"));
      if (!data)
        data = std::make_unique<train::PreparedData>(
            train::prepare(datasets::load(grid::data_config(grid))));
      env.data = data.get();
      rec = train::run_task(task, env);
    } catch (const train::Interrupted& e) {
      spdlog::warn("{}", e.what());
      rec = unfinished_record(task, results::Status::Interrupted, e.what(), comm.rank());
    } catch (const std::exception& e) {
      if (in_gang) abort_for_gang(comm, task, e.what());
      spdlog::error("{}: failed: {}", task.label(), e.what());
      // The coordinator logs this on rank 0 and it stays in the results file: name where it failed.
      rec = unfinished_record(task, results::Status::Failed, comm::origin_prefix(comm) + e.what(),
                              comm.rank());
    }
    rec.dataset = grid.dataset;
    if (in_gang) rec.gang = gang.record;
    env.gang = nullptr;
    if (in_gang && !gang.is_root())
      comm.send(0, kToCoordinator, member_done_message(task.key, rec.status));
    else
      comm.send(0, kToCoordinator, result_message(rec));
  }
}

}  // namespace kdbench::sched
