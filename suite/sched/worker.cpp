#include "kdbench/sched/worker.h"

#include <memory>

#include "kdbench/core/log.h"
#include "kdbench/results/run_record.h"
#include "kdbench/sched/protocol.h"
#include "kdbench/train/device.h"
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

}  // namespace

int run_worker(comm::Communicator& comm, const grid::GridSpec& grid, const grid::TaskGraph& graph,
               const results::Artifacts& artifacts, const DeviceRequest& device) {
  keep_tensor_buffers_in_heap();
  const int threads =
      apply_intra_op_threads(choose_intra_op_threads(grid.threads, comm.local_size()));
  std::unique_ptr<train::PreparedData> data;  // loaded with the first task, reused by all
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
  env.on_epoch = [](const train::EpochReport& r) {
    spdlog::info("{}: epoch {}/{} loss {:.4f} val {:.2f}% ({:.1f} s)", r.task->label(), r.epoch,
                 r.total_epochs, r.train_loss, 100 * r.val_acc, r.seconds);
  };

  comm.send(0, kToCoordinator, ready_message());
  for (;;) {
    const auto msg = nlohmann::json::parse(comm.recv(kToWorker).payload);
    if (msg.at("type") == "stop") return msg.at("exit_code").get<int>();
    const grid::Task& task = graph.at(msg.at("key").get<std::string>());
    spdlog::info("{}: start ({} threads)", task.label(), threads);
    results::RunRecord rec;
    try {
      // A stop that arrived while this worker was idle: do not start anything new.
      if (train::stop_requested())
        throw train::Interrupted(task.label() + ": not started, " + train::stop_reason());
      if (!data)
        data = std::make_unique<train::PreparedData>(
            env.device.is_cpu()
                ? train::prepare(datasets::load(grid::data_config(grid)))
                : train::prepare_uint8(datasets::load(grid::data_config(grid)), env.device));
      env.data = data.get();
      rec = train::run_task(task, env);
    } catch (const train::Interrupted& e) {
      spdlog::warn("{}", e.what());
      rec = unfinished_record(task, results::Status::Interrupted, e.what(), comm.rank());
    } catch (const std::exception& e) {
      spdlog::error("{}: failed: {}", task.label(), e.what());
      // The coordinator logs this on rank 0 and it stays in the results file: name where it failed.
      rec = unfinished_record(task, results::Status::Failed, comm::origin_prefix(comm) + e.what(),
                              comm.rank());
    }
    rec.dataset = grid.dataset;
    comm.send(0, kToCoordinator, result_message(rec));
  }
}

}  // namespace kdbench::sched
