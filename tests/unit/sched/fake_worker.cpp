#include "fake_worker.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <thread>

#include "kdbench/sched/coordinator.h"
#include "kdbench/sched/protocol.h"
#include "kdbench/train/trainer.h"

namespace kdbench::sched_test {

void Journal::add(Event e) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back(std::move(e));
}

std::vector<Event> Journal::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

size_t Journal::assignments() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<size_t>(std::count_if(
      events_.begin(), events_.end(), [](const Event& e) { return e.kind == Event::Assigned; }));
}

std::vector<std::string> GridRun::assigned() const {
  std::vector<std::string> keys;
  for (const auto& e : events)
    if (e.kind == Event::Assigned) keys.push_back(e.key);
  return keys;
}

results::RunRecord done_record(const grid::Task& task, const std::vector<double>& val_acc) {
  results::RunRecord r = train::task_record(task);
  r.status = results::Status::Done;
  r.host = "fake-worker";
  r.started = r.finished = results::utc_now();
  r.wall_seconds = 1;
  for (size_t i = 0; i < val_acc.size(); ++i) r.curves.epoch.push_back(static_cast<int>(i) + 1);
  r.curves.val_acc = val_acc;
  for (auto* v : {&r.curves.train_loss, &r.curves.train_acc, &r.curves.test_acc, &r.curves.lr,
                  &r.curves.seconds})
    v->assign(val_acc.size(), 0.25);
  const auto best = std::max_element(val_acc.begin(), val_acc.end());
  r.best_val_acc = *best;
  r.best_epoch = static_cast<int>(best - val_acc.begin()) + 1;
  r.test_acc_at_best_val = r.final_test_acc = r.best_test_acc = 0.25;
  return r;
}

results::RunRecord failed_record(const grid::Task& task, const std::string& error) {
  results::RunRecord r = train::task_record(task);
  r.status = results::Status::Failed;
  r.error = error;
  r.host = "fake-worker";
  r.finished = results::utc_now();
  return r;
}

results::RunRecord interrupted_record(const grid::Task& task) {
  results::RunRecord r = train::task_record(task);
  r.status = results::Status::Interrupted;
  r.error = task.label() + ": stopped by SIGTERM at epoch 1, state saved for resume";
  r.host = "fake-worker";
  r.finished = results::utc_now();
  return r;
}

int fake_worker(comm::Communicator& comm, const grid::TaskGraph& graph, const Answer& answer,
                Journal& journal, const BeforeAnswer& before) {
  comm.send(0, sched::kToCoordinator, sched::ready_message());
  for (;;) {
    const auto msg = nlohmann::json::parse(comm.recv(sched::kToWorker).payload);
    if (msg.at("type") == "stop") return msg.at("exit_code").get<int>();
    if (msg.at("type") == "fused") {
      const auto keys = msg.at("keys").get<std::vector<std::string>>();
      std::vector<results::RunRecord> records;
      for (const auto& key : keys)
        journal.add({Event::Assigned, comm.rank(), key, results::Status::Running, {}, keys});
      for (const auto& key : keys) {
        const grid::Task& task = graph.at(key);
        if (before) before(task, comm, journal);
        records.push_back(journal.assignments() > 10 * graph.tasks.size()
                              ? failed_record(task, "fake worker: assignment limit reached")
                              : answer(task, comm.rank()));
        records.back().rank = comm.rank();
        journal.add({Event::Answered, comm.rank(), key, records.back().status, {}, keys});
      }
      comm.send(0, sched::kToCoordinator, sched::fused_result_message(records));
      continue;
    }
    const grid::Task& task = graph.at(msg.at("key").get<std::string>());
    const std::vector<int> gang = sched::message_gang(msg);
    journal.add({Event::Assigned, comm.rank(), task.key, results::Status::Running, gang});
    if (before) before(task, comm, journal);
    results::RunRecord rec = journal.assignments() > 10 * graph.tasks.size()
                                 ? failed_record(task, "fake worker: assignment limit reached")
                                 : answer(task, comm.rank());
    rec.rank = comm.rank();
    journal.add({Event::Answered, comm.rank(), task.key, rec.status, gang});
    if (!gang.empty() && gang.front() != comm.rank())
      comm.send(0, sched::kToCoordinator, sched::member_done_message(task.key, rec.status));
    else
      comm.send(0, sched::kToCoordinator, sched::result_message(rec));
  }
}

GridRun run_with_fake_workers(const grid::TaskGraph& graph, results::ResultsStore& store,
                              const results::Artifacts& artifacts,
                              const std::vector<comm::Communicator*>& ranks, const Answer& answer,
                              sched::FailurePolicy policy, sched::SchedulerOptions options,
                              const BeforeAnswer& before) {
  GridRun run;
  run.worker_codes.assign(ranks.size(), -1);
  Journal journal;
  std::exception_ptr coordinator_error;
  std::thread coordinator([&] {
    try {
      run.coordinator_code =
          sched::Coordinator(graph, store, artifacts, *ranks[0], policy, options).run();
    } catch (...) {
      coordinator_error = std::current_exception();
      // Release the workers, which would otherwise wait for a task forever.
      for (size_t r = 0; r < ranks.size(); ++r)
        ranks[0]->send(static_cast<int>(r), sched::kToWorker, sched::stop_message(-1));
    }
  });
  std::vector<std::thread> workers;
  for (size_t r = 0; r < ranks.size(); ++r)
    workers.emplace_back(
        [&, r] { run.worker_codes[r] = fake_worker(*ranks[r], graph, answer, journal, before); });
  for (auto& w : workers) w.join();
  coordinator.join();
  if (coordinator_error) std::rethrow_exception(coordinator_error);
  run.events = journal.events();
  return run;
}

}  // namespace kdbench::sched_test
