#include "kdbench/sched/worker.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "kdbench/comm/nccl.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/log.h"
#include "kdbench/results/run_record.h"
#include "kdbench/sched/protocol.h"
#include "kdbench/train/device.h"
#include "kdbench/train/fused_trainer.h"
#include "kdbench/train/gang_sync.h"
#include "kdbench/train/pretrain_task.h"
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
  std::unique_ptr<comm::Communicator> nccl;  // CUDA tensors' collectives, when built
  nlohmann::json record;
  comm::Communicator* data_plane() const { return nccl ? nccl.get() : mpi.get(); }
  bool is_root() const { return mpi->rank() == 0; }
};

Gang join_gang(comm::Communicator& world, const std::vector<int>& ranks, int tag,
               const torch::Device& device) {
  Gang g;
  g.mpi = world.create_group(ranks, tag);
  // On GPUs the gradients are summed by NCCL on the device; without NCCL the trainer's
  // collectives stage CUDA tensors through host memory over MPI (kdbench/train/gang_sync.h).
  if (device.is_cuda() && comm::nccl_built()) g.nccl = comm::make_nccl_gang(*g.mpi, device.index());
  g.record = {{"size", ranks.size()},
              {"ranks", ranks},
              {"hosts", g.mpi->all_gather(comm::hostname())},
              {"data_plane", g.data_plane()->backend()}};
  return g;
}

// A stop signal seen by any member stops the whole gang before it starts: members reach the
// task's first collective together or not at all.
bool stop_requested_in(comm::Communicator* gang) {
  const bool here = train::stop_requested();
  return gang ? train::any_member(*gang, here) : here;
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
  std::_Exit(kExitTasksFailed);  // not reached; GCC does not carry [[noreturn]] through a virtual
}

// What a worker keeps between tasks: the data, loaded with the first task and reused by all.
struct Rank {
  comm::Communicator& comm;
  const grid::GridSpec& grid;
  const results::Artifacts& artifacts;
  train::TrainEnv& env;
  std::unique_ptr<train::PreparedData> data;
  int threads = 1;
  void load_data() {
    if (!data)
      data = std::make_unique<train::PreparedData>(
          train::load_prepared(grid::data_config(grid), env.device));
    env.data = data.get();
  }
};

struct Outcome {
  results::RunRecord rec;
  bool gang_member = false;  // of a gang, not its root: the root sends the record
};

// One task on this rank, or on the gang of `gang_ranks` (> 1 ranks). An exception inside the task
// becomes a FAILED (or INTERRUPTED) record; a gang member's failure ends the job.
Outcome run_one(const grid::Task& task, const std::vector<int>& gang_ranks, int gang_tag,
                Rank& self) {
  comm::Communicator& comm = self.comm;
  train::TrainEnv& env = self.env;
  const bool in_gang = gang_ranks.size() > 1;
  spdlog::info("{}: start ({} threads{})", task.label(), self.threads,
               in_gang ? ", gang of " + std::to_string(gang_ranks.size()) : "");
  results::RunRecord rec;
  Gang gang;
  try {
    if (in_gang) gang = join_gang(comm, gang_ranks, gang_tag, env.device);
    env.gang = gang.mpi ? gang.data_plane() : nullptr;
    // A stop that arrived while this worker was idle: do not start anything new.
    if (stop_requested_in(env.gang))
      throw train::Interrupted(
          task.label() + ": not started, " +
          (train::stop_requested() ? train::stop_reason() : "another gang member was stopped"));
    self.load_data();
    if (task.kind == "pretrain") {
      rec = train::run_pretrain_task(task, self.grid, env);
    } else {
      // A pretrained model starts from its pretrain task's encoder, exactly as `init = DIR`.
      // The coordinator records which pretrain run it was (config.pretrain).
      rec = train::run_task(train::with_pretrained_init(task, self.artifacts.root()), env);
    }
  } catch (const train::Interrupted& e) {
    spdlog::warn("{}", e.what());
    rec = unfinished_record(task, results::Status::Interrupted, e.what(), comm.rank());
  } catch (const train::NonFiniteLoss& e) {
    // Deterministic: a retry would fail at the same step, so the record says not to.
    spdlog::error("{}: failed: {}", task.label(), e.what());
    rec = unfinished_record(task, results::Status::Failed,
                            comm::origin_prefix(comm) + e.what() + " (deterministic: not retried)",
                            comm.rank());
    rec.config["failure"] = {
        {"kind", "non-finite loss"}, {"epoch", e.epoch}, {"step", e.step}, {"deterministic", true}};
  } catch (const train::GangAgreedFailure& e) {
    // Raised by every member at the same point (e.g. a non-finite loss): a normal FAILED task.
    spdlog::error("{}: failed: {}", task.label(), e.what());
    rec = unfinished_record(task, results::Status::Failed, comm::origin_prefix(comm) + e.what(),
                            comm.rank());
  } catch (const std::exception& e) {
    if (in_gang) abort_for_gang(comm, task, e.what());
    spdlog::error("{}: failed: {}", task.label(), e.what());
    // The coordinator logs this on rank 0 and it stays in the results file: name where it failed.
    rec = unfinished_record(task, results::Status::Failed, comm::origin_prefix(comm) + e.what(),
                            comm.rank());
  }
  rec.dataset = self.grid.dataset;
  if (in_gang) rec.gang = gang.record;
  env.gang = nullptr;
  return {rec, in_gang && !gang.is_root()};
}

// A fused group ([grid] fuse; kdbench/train/fused_trainer.h): every member's record, in order.
// A stop seen before the start leaves every member INTERRUPTED. Any other failure of the group
// (a member's non-finite loss, a teacher checkpoint that does not load, ...) is not charged to
// all members: each is trained again alone, as if never fused, so each ends exactly as its solo
// run would (the one with the non-finite loss FAILED, deterministically; the others DONE). Their
// records say so (config.fused_fallback).
std::vector<results::RunRecord> run_fused_group(const std::vector<const grid::Task*>& tasks,
                                                Rank& self) {
  std::string labels;
  for (const grid::Task* t : tasks) labels += (labels.empty() ? "" : ", ") + t->label();
  spdlog::info("fused group of {}: start ({} threads): {}", tasks.size(), self.threads, labels);
  std::vector<results::RunRecord> records;
  std::string error;
  try {
    if (train::stop_requested())
      throw train::Interrupted("fused group: not started, " + train::stop_reason());
    self.load_data();
    records = train::run_fused(tasks, self.env);
  } catch (const train::Interrupted& e) {
    spdlog::warn("{}", e.what());
    for (const grid::Task* t : tasks)
      records.push_back(
          unfinished_record(*t, results::Status::Interrupted, e.what(), self.comm.rank()));
  } catch (const std::exception& e) {
    error = comm::origin_prefix(self.comm) + e.what();
    spdlog::warn("fused group of {} failed: {}; training its members one by one", tasks.size(),
                 error);
  }
  if (!error.empty()) {
    records.clear();
    for (const grid::Task* t : tasks) {
      results::RunRecord rec = run_one(*t, {}, 0, self).rec;
      rec.config["fused_fallback"] = {{"members", tasks.size()}, {"error", error}};
      records.push_back(rec);
    }
  }
  for (auto& rec : records) rec.dataset = self.grid.dataset;
  return records;
}

}  // namespace

int run_worker(comm::Communicator& comm, const grid::GridSpec& grid, const grid::TaskGraph& graph,
               const results::Artifacts& artifacts, const DeviceRequest& device) {
  keep_tensor_buffers_in_heap();
  const int threads =
      apply_intra_op_threads(choose_intra_op_threads(grid.threads, comm.local_size()));
  train::TrainEnv env;
  env.artifacts = &artifacts;
  env.rank = comm.rank();
  env.host = comm::hostname();
  env.threads = threads;
  const train::DeviceChoice dev = train::select_device(device.device, comm.local_rank(),
                                                       comm.local_size(), device.ranks_per_gpu);
  env.device = dev.device;
  env.device_name = dev.name;
  env.device_memory = dev.memory_bytes;
  if (!dev.device.is_cpu())
    spdlog::info("device {} ({}, {:.1f} GiB){}", dev.device.str(), dev.name,
                 static_cast<double>(dev.memory_bytes) / (1 << 30),
                 dev.ranks_sharing > 1
                     ? ", shared by " + std::to_string(dev.ranks_sharing) + " ranks of this node"
                     : std::string());
  else
    spdlog::info("device cpu");
  // Only the root of a gang is called: one progress message per task and epoch.
  env.on_epoch = [&comm](const train::EpochReport& r) {
    spdlog::info("{}: epoch {}/{} loss {:.4f} val {:.2f}% ({:.1f} s)", r.task->label(), r.epoch,
                 r.total_epochs, r.train_loss, 100 * r.val_acc, r.seconds);
    comm.send(0, kToCoordinator,
              progress_message(r.task->key, r.epoch, r.seconds, r.checkpoint_sealed));
  };

  Rank self{comm, grid, artifacts, env, nullptr, threads};
  comm.send(0, kToCoordinator, ready_message());
  for (;;) {
    const auto msg = nlohmann::json::parse(comm.recv(kToWorker).payload);
    if (msg.at("type") == "stop") return msg.at("exit_code").get<int>();
    if (msg.at("type") == "fused") {
      std::vector<const grid::Task*> tasks;
      for (const auto& key : msg.at("keys")) tasks.push_back(&graph.at(key.get<std::string>()));
      comm.send(0, kToCoordinator, fused_result_message(run_fused_group(tasks, self)));
      continue;
    }
    const grid::Task& task = graph.at(msg.at("key").get<std::string>());
    const std::vector<int> gang_ranks = message_gang(msg);
    const bool in_gang = gang_ranks.size() > 1;
    const Outcome out =
        run_one(task, gang_ranks, in_gang ? msg.at("gang_tag").get<int>() : 0, self);
    if (out.gang_member)  // the gang's root reports the task
      comm.send(0, kToCoordinator, member_done_message(task.key, out.rec.status));
    else
      comm.send(0, kToCoordinator, result_message(out.rec));
  }
}

}  // namespace kdbench::sched
