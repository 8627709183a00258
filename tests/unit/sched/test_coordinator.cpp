// The coordinator loop without MPI and without training: the real Coordinator against fake
// workers (fake_worker.h) that answer every assignment with a synthetic DONE, FAILED or
// INTERRUPTED record, on the single-process communicator (one worker, as `kdbench` alone) or on
// an in-process cluster of several ranks. Results go to a real results file in a temp dir.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <set>
#include <thread>

#include "coordinator_fixture.h"
#include "kdbench/comm/single_process.h"
#include "kdbench/core/errors.h"
#include "kdbench/sched/coordinator.h"
#include "kdbench/sched/protocol.h"
#include "kdbench/train/stop_flag.h"

using namespace kdbench;
using sched_test::all_done;
using sched_test::count;
using sched_test::Event;
using sched_test::GridRun;
using Status = results::Status;

namespace {

// One teacher, one student: teacher, nokd seed 1 and 2, kd seed 1 and 2 (5 tasks).
const char* kTiny = R"([grid]
name     = tiny
dataset  = fashion-mnist
data_dir = /not-read
teachers = cnn4
students = cnn2
methods  = nokd kd
seeds    = 1 2
teacher_seeds = 1
[train]
epochs = 2
[teacher]
epochs = 2
checkpoints = 1
)";

// Two teachers of different size and three seeds: several tasks ready at once, students that
// wait for one teacher or the other.
const char* kWide = R"([grid]
name     = wide
dataset  = fashion-mnist
data_dir = /not-read
teachers = cnn8 cnn4
students = cnn2
methods  = nokd kd
seeds    = 1 2 3
teacher_seeds = 1
[train]
epochs = 2
[teacher]
epochs = 3
)";

using CoordinatorLoop = sched_test::CoordinatorFixture;

}  // namespace

TEST_F(CoordinatorLoop, EveryTaskRunsOnceAndIsRecordedOnceThenExit0) {
  load(kTiny);
  ASSERT_EQ(graph_.tasks.size(), 5u);
  const GridRun run = run_single(all_done());
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_EQ(run.worker_codes, std::vector<int>{kExitOk});
  const auto assigned = run.assigned();
  EXPECT_EQ(assigned.size(), 5u);
  for (const auto& t : graph_.tasks) EXPECT_EQ(count(assigned, t.key), 1u) << t.label();
  const auto records = file_records();
  EXPECT_EQ(keys_of(records), all_keys());
  for (const auto& [key, r] : records) {
    EXPECT_EQ(r.status, Status::Done) << key;
    EXPECT_EQ(r.attempts, 1) << key;
    EXPECT_EQ(r.rank, 0) << key;
  }
}

TEST_F(CoordinatorLoop, StudentsWaitForTheirTeacherWhileOtherWorkersAreIdle) {
  load(kWide);
  // Teachers take a while, so the other two workers ask for work while they train: only tasks
  // without an unfinished dependency may be handed to them.
  const GridRun run = run_cluster(3, [](const grid::Task& t, int) {
    if (t.kind == "teacher") std::this_thread::sleep_for(std::chrono::milliseconds(60));
    return sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_EQ(run.worker_codes, (std::vector<int>{kExitOk, kExitOk, kExitOk}));
  std::set<std::string> answered_done;
  std::set<int> busy_ranks;
  size_t students_with_teacher = 0;
  for (const auto& e : run.events) {
    if (e.kind == Event::Answered) {
      if (e.status == Status::Done) answered_done.insert(e.key);
      continue;
    }
    busy_ranks.insert(e.rank);
    const auto& t = graph_.at(e.key);
    if (!t.teacher_key.empty()) ++students_with_teacher;
    for (const auto& dep : t.deps)
      EXPECT_TRUE(answered_done.count(dep))
          << t.label() << " assigned before " << graph_.at(dep).label() << " was DONE";
  }
  EXPECT_EQ(students_with_teacher, 6u);  // kd x 3 seeds x 2 teachers: the check above had work
  EXPECT_GE(busy_ranks.size(), 2u) << "the tasks never ran in parallel";
  const auto assigned = run.assigned();
  for (const auto& t : graph_.tasks) EXPECT_EQ(count(assigned, t.key), 1u) << t.label();
  EXPECT_EQ(keys_of(file_records()), all_keys());
}

TEST_F(CoordinatorLoop, LongestCriticalPathFirst) {
  load(kWide);
  const auto priority = graph_.critical_paths();
  const GridRun run = run_single(all_done());
  const auto assigned = run.assigned();
  ASSERT_EQ(assigned.size(), graph_.tasks.size());
  // The bigger teacher unblocks the most expensive students: it starts before anything else.
  const auto top =
      std::max_element(priority.begin(), priority.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
  EXPECT_EQ(assigned.front(), top->first);
  EXPECT_EQ(graph_.at(assigned.front()).kind, "teacher");
  EXPECT_EQ(graph_.at(assigned.front()).model, "cnn8");
  // With one worker, the order is the ready tasks by (priority descending, key ascending). A
  // task's dependents have lower priority than it, so that order never goes back up.
  for (size_t i = 1; i < assigned.size(); ++i) {
    const double before = priority.at(assigned[i - 1]), now = priority.at(assigned[i]);
    EXPECT_TRUE(now < before || (now == before && assigned[i - 1] < assigned[i]))
        << "task " << i << " " << graph_.at(assigned[i]).label() << " (" << now << ") after "
        << graph_.at(assigned[i - 1]).label() << " (" << before << ")";
  }
  // Every nokd run (cheap, nothing depends on it) after both teachers.
  const auto position = [&](const std::string& key) {
    return std::find(assigned.begin(), assigned.end(), key) - assigned.begin();
  };
  for (const auto& t : graph_.tasks) {
    if (t.method != "nokd") continue;
    for (const auto& u : graph_.tasks) {
      if (u.kind != "teacher") continue;
      EXPECT_GT(position(t.key), position(u.key)) << t.label() << " before " << u.label();
    }
  }
}

TEST_F(CoordinatorLoop, FailedTeacherFailsItsStudentsWithoutRunningThem) {
  load(kTiny);
  const GridRun run = run_single([](const grid::Task& t, int) {
    return t.kind == "teacher" ? sched_test::failed_record(t, "out of memory")
                               : sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitTasksFailed);
  EXPECT_EQ(run.worker_codes, std::vector<int>{kExitTasksFailed});
  const auto assigned = run.assigned();
  for (int64_t seed : {1, 2}) EXPECT_EQ(count(assigned, find("student", "kd", seed).key), 0u);
  EXPECT_EQ(count(assigned, teacher().key), 2u);  // retried once: [grid] retries defaults to 1
  EXPECT_EQ(assigned.size(), 4u);                 // the teacher twice and both nokd runs
  const auto records = file_records();
  EXPECT_EQ(keys_of(records), all_keys());
  EXPECT_EQ(records.at(teacher().key).status, Status::Failed);
  EXPECT_EQ(records.at(teacher().key).error, "out of memory");
  for (int64_t seed : {1, 2}) {
    const auto& kd = records.at(find("student", "kd", seed).key);
    EXPECT_EQ(kd.status, Status::Failed);
    EXPECT_EQ(kd.error, "upstream task failed: " + teacher().label());
    EXPECT_EQ(kd.attempts, 0);  // never started
    EXPECT_EQ(records.at(find("student", "nokd", seed).key).status, Status::Done);
  }
}

TEST_F(CoordinatorLoop, ResumeAssignsOnlyWhatIsNotDone) {
  load(kTiny);
  finished_earlier(teacher());
  finished_earlier(find("student", "nokd", 1));
  const std::string before = results::to_json(*store_.get(teacher().key)).dump();
  const GridRun run = run_single(all_done());
  EXPECT_EQ(run.coordinator_code, kExitOk);
  const auto assigned = run.assigned();
  EXPECT_EQ(std::set<std::string>(assigned.begin(), assigned.end()),
            (std::set<std::string>{find("student", "nokd", 2).key, find("student", "kd", 1).key,
                                   find("student", "kd", 2).key}));
  EXPECT_EQ(assigned.size(), 3u);
  const auto records = file_records();
  EXPECT_EQ(keys_of(records), all_keys());
  EXPECT_EQ(results::to_json(records.at(teacher().key)).dump(), before);  // left as it was
  EXPECT_EQ(records.at(find("student", "nokd", 1).key).host, "earlier-run");
  for (const auto& [key, r] : records) EXPECT_EQ(r.status, Status::Done) << key;
}

TEST_F(CoordinatorLoop, DoneTeacherWithoutItsCheckpointsIsTrainedAgain) {
  load(kTiny);
  finished_earlier(teacher(), /*with_checkpoints=*/false);  // e.g. artifacts/ was deleted
  const GridRun run = run_single(all_done());
  EXPECT_EQ(run.coordinator_code, kExitOk);
  const auto assigned = run.assigned();
  ASSERT_EQ(assigned.size(), 5u);
  EXPECT_EQ(assigned.front(), teacher().key);
  EXPECT_EQ(file_records().at(teacher().key).attempts, 2);
}

TEST_F(CoordinatorLoop, InterruptedExits3AndTheRerunContinues) {
  load(kTiny);
  const GridRun first = run_single([](const grid::Task& t, int) {
    return t.kind == "teacher" ? sched_test::interrupted_record(t) : sched_test::done_record(t);
  });
  EXPECT_EQ(first.coordinator_code, kExitInterrupted);
  EXPECT_EQ(first.worker_codes, std::vector<int>{kExitInterrupted});
  EXPECT_EQ(first.assigned(), std::vector<std::string>{teacher().key});  // nothing new after it
  auto records = file_records();
  EXPECT_EQ(keys_of(records), std::set<std::string>{teacher().key});
  EXPECT_EQ(records.at(teacher().key).status, Status::Interrupted);

  const GridRun second = run_single(all_done());
  EXPECT_EQ(second.coordinator_code, kExitOk);
  const auto assigned = second.assigned();
  ASSERT_EQ(assigned.size(), 5u);
  EXPECT_EQ(assigned.front(), teacher().key);
  records = file_records();
  EXPECT_EQ(keys_of(records), all_keys());
  EXPECT_EQ(records.at(teacher().key).status, Status::Done);
  EXPECT_EQ(records.at(teacher().key).attempts, 2);
}

TEST_F(CoordinatorLoop, StopSignalBeforeAnyTaskAssignsNothingAndExits3) {
  load(kTiny);
  train::request_stop(SIGTERM);
  const GridRun run = run_single(all_done());
  EXPECT_EQ(run.coordinator_code, kExitInterrupted);
  EXPECT_EQ(run.worker_codes, std::vector<int>{kExitInterrupted});
  EXPECT_TRUE(run.assigned().empty());
  EXPECT_TRUE(file_records().empty());
}

TEST_F(CoordinatorLoop, StopSignalWhileTrainingLetsRunningTasksFinishThenExits3) {
  load(kWide);
  const GridRun run = run_cluster(2, [](const grid::Task& t, int) {
    train::request_stop(SIGUSR1);  // arrives while this task trains; it still ends DONE
    return sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitInterrupted);
  EXPECT_EQ(run.worker_codes, (std::vector<int>{kExitInterrupted, kExitInterrupted}));
  const auto assigned = run.assigned();
  EXPECT_GE(assigned.size(), 1u);
  EXPECT_LT(assigned.size(), graph_.tasks.size());
  const auto records = file_records();
  EXPECT_EQ(keys_of(records), std::set<std::string>(assigned.begin(), assigned.end()));
  for (const auto& [key, r] : records) EXPECT_EQ(r.status, Status::Done) << key;
}

TEST_F(CoordinatorLoop, UnknownMessageTypeIsACommErrorNamingTheRank) {
  load(kTiny);
  comm::SingleProcessCommunicator comm;
  comm.send(0, sched::kToCoordinator, R"({"type":"hello"})");
  sched::Coordinator coordinator(graph_, store_, artifacts_, comm);
  try {
    coordinator.run();
    FAIL() << "no error";
  } catch (const CommError& e) {
    EXPECT_STREQ(e.what(), "coordinator: unknown message type 'hello' from rank 0");
  }
}
