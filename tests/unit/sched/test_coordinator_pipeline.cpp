// Pipelining on teacher checkpoints ([grid] pipeline, docs/design.md §3.6): the real Coordinator
// against fake workers whose teacher sends the progress messages a real teacher sends, so the
// order of assignments shows when each student became ready.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "coordinator_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/sched/coordinator.h"
#include "kdbench/sched/protocol.h"
#include "local_cluster.h"

using namespace kdbench;
using sched_test::Event;
using sched_test::GridRun;
using sched_test::Journal;
using Status = results::Status;

namespace {

// One teacher (4 epochs, keeps 1 and 2), plain KD from checkpoints 1, 2 and the final weights.
const char* kSearch = R"([grid]
name     = search
dataset  = fashion-mnist
data_dir = /not-read
teachers = cnn4
students = cnn2
methods  = kd
seeds    = 1
retries  = 0
teacher_checkpoints = 1 2 final
[train]
epochs = 2
[teacher]
epochs = 4
)";

// kSearch with one [grid] line replaced.
std::string search_with(const std::string& line, const std::string& replacement) {
  std::string text = kSearch;
  return text.replace(text.find(line), line.size(), replacement);
}

// Position of the first event of `kind` for `key` in the journal; -1 when there is none.
long position(const std::vector<Event>& events, Event::Kind kind, const std::string& key) {
  for (size_t i = 0; i < events.size(); ++i)
    if (events[i].kind == kind && events[i].key == key) return static_cast<long>(i);
  return -1;
}

// Waits until `key` is assigned (true) or `limit` passes (false).
bool wait_assigned(const Journal& journal, const std::string& key,
                   std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (position(journal.events(), Event::Assigned, key) >= 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

class Pipeline : public sched_test::CoordinatorFixture {
 protected:
  const grid::Task& student_of(int checkpoint) const {
    for (const auto& t : graph_.tasks)
      if (t.kind == "student" && t.teacher_checkpoint == checkpoint) return t;
    throw std::runtime_error("no student of checkpoint " + std::to_string(checkpoint));
  }
  // The teacher reports epochs 1 and 2 as a real one does (checkpoint 1 sealed, then epoch 2
  // still being written: no checkpoint field), then waits up to `wait` for the student of
  // checkpoint 1 before answering; everything else answers at once.
  sched_test::BeforeAnswer teacher_reports(std::chrono::milliseconds wait,
                                           bool* saw_student = nullptr) {
    return [this, wait, saw_student](const grid::Task& t, comm::Communicator& comm,
                                     const Journal& journal) {
      if (t.kind != "teacher") return;
      comm.send(0, sched::kToCoordinator, sched::progress_message(t.key, 1, 0.5, true));
      comm.send(0, sched::kToCoordinator, sched::progress_message(t.key, 2, 0.5, false));
      const bool seen = wait_assigned(journal, student_of(1).key, wait);
      if (saw_student) *saw_student = seen;
    };
  }
};

}  // namespace

TEST_F(Pipeline, StudentOfASealedCheckpointStartsBeforeItsTeacherEndsTheNextDoesNot) {
  load(kSearch);
  ASSERT_EQ(graph_.tasks.size(), 4u);
  bool saw_student = false;
  // While the teacher waits, the second rank is idle: any ready student would be handed to it.
  const GridRun run = run_cluster(2, sched_test::all_done(),
                                  teacher_reports(std::chrono::seconds(10), &saw_student));
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_TRUE(saw_student);
  const long teacher_done = position(run.events, Event::Answered, teacher().key);
  ASSERT_GE(teacher_done, 0);
  EXPECT_LT(position(run.events, Event::Assigned, student_of(1).key), teacher_done);
  EXPECT_GT(position(run.events, Event::Assigned, student_of(2).key), teacher_done);
  EXPECT_GT(position(run.events, Event::Assigned, student_of(-1).key), teacher_done);
  for (const auto& t : graph_.tasks) EXPECT_EQ(sched_test::count(run.assigned(), t.key), 1u);
  for (const auto& [key, r] : file_records()) EXPECT_EQ(r.status, Status::Done) << key;
}

TEST_F(Pipeline, OffKeepsEveryStudentWaitingForTheWholeTeacher) {
  load(search_with("retries  = 0", "retries  = 0\npipeline = false").c_str());
  ASSERT_FALSE(scheduling_.pipeline);
  bool saw_student = true;
  const GridRun run = run_cluster(2, sched_test::all_done(),
                                  teacher_reports(std::chrono::milliseconds(300), &saw_student));
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_FALSE(saw_student);
  const long teacher_done = position(run.events, Event::Answered, teacher().key);
  for (int c : {1, 2, -1})
    EXPECT_GT(position(run.events, Event::Assigned, student_of(c).key), teacher_done) << c;
}

TEST_F(Pipeline, TeacherFailingAfterAStudentStartedKeepsThatStudentAndFailsTheOthers) {
  load(kSearch);
  const std::string early = student_of(1).key;
  const auto answer = [&](const grid::Task& t, int) {
    if (t.kind == "teacher") return sched_test::failed_record(t, "out of memory");
    // Still training when the teacher's failure arrives.
    if (t.key == early) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return sched_test::done_record(t);
  };
  const GridRun run = run_cluster(2, answer, teacher_reports(std::chrono::seconds(10)));
  EXPECT_EQ(run.coordinator_code, kExitTasksFailed);
  EXPECT_LT(position(run.events, Event::Assigned, early),
            position(run.events, Event::Answered, teacher().key));
  const auto records = file_records();
  EXPECT_EQ(records.at(teacher().key).status, Status::Failed);
  EXPECT_EQ(records.at(early).status, Status::Done);
  for (int c : {2, -1}) {
    const auto& r = records.at(student_of(c).key);
    EXPECT_EQ(r.status, Status::Failed) << c;
    EXPECT_NE(r.error.find("upstream task failed"), std::string::npos) << r.error;
    EXPECT_EQ(sched_test::count(run.assigned(), r.key), 0u) << c;
  }
}

TEST_F(Pipeline, IntactCheckpointLeftByAnEarlierJobReleasesItsStudentsAtStartUp) {
  load(kSearch);
  // The teacher was interrupted after epoch 2: both checkpoints on disk, epoch 2's damaged.
  artifacts_.write_sealed(teacher().key, results::checkpoint_name(1), touch);
  touch(artifacts_.path_for(teacher().key, results::checkpoint_name(2)));  // no checksum
  const auto slow_teacher = [](const grid::Task& t, comm::Communicator&, const Journal&) {
    if (t.kind == "teacher") std::this_thread::sleep_for(std::chrono::milliseconds(300));
  };
  const GridRun run = run_cluster(2, sched_test::all_done(), slow_teacher);
  EXPECT_EQ(run.coordinator_code, kExitOk);
  const long teacher_done = position(run.events, Event::Answered, teacher().key);
  EXPECT_LT(position(run.events, Event::Assigned, student_of(1).key), teacher_done);
  EXPECT_GT(position(run.events, Event::Assigned, student_of(2).key), teacher_done);
  for (const auto& t : graph_.tasks) EXPECT_EQ(sched_test::count(run.assigned(), t.key), 1u);
}

TEST_F(Pipeline, RepeatedCheckpointReportsFromARetriedTeacherRunEachStudentOnce) {
  load(search_with("retries  = 0", "retries  = 1").c_str());
  int teacher_attempts = 0;
  const auto answer = [&](const grid::Task& t, int) {
    if (t.kind == "teacher" && ++teacher_attempts == 1)
      return sched_test::failed_record(t, "node lost");
    return sched_test::done_record(t);
  };
  const GridRun run = run_cluster(2, answer, teacher_reports(std::chrono::seconds(10)));
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_EQ(teacher_attempts, 2);
  for (const auto& t : graph_.tasks)
    EXPECT_EQ(sched_test::count(run.assigned(), t.key), t.kind == "teacher" ? 2u : 1u) << t.label();
  for (const auto& [key, r] : file_records()) EXPECT_EQ(r.status, Status::Done) << key;
}

TEST_F(Pipeline, ProgressForAnUnknownTaskIsACommErrorNamingTheRank) {
  load(kSearch);
  const auto bad = [](const grid::Task& t, comm::Communicator& comm, const Journal&) {
    if (t.kind == "teacher")
      comm.send(0, sched::kToCoordinator, sched::progress_message("no-such-key", 1, 1, true));
  };
  try {
    run_cluster(1, sched_test::all_done(), bad);
    FAIL() << "no CommError";
  } catch (const CommError& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-key from rank 0"), std::string::npos) << e.what();
  }
}

TEST_F(Pipeline, TakdAssistantStartsFromTheCheckpointItsStudentsWaitForTheWholeAssistant) {
  load(R"([grid]
name     = chain
dataset  = fashion-mnist
data_dir = /not-read
teachers = cnn8
students = cnn2
methods  = takd
seeds    = 1
teacher_checkpoints = 1 final
[train]
epochs = 2
[teacher]
epochs = 3
[method.takd]
assistants = cnn4
)");
  const auto link = [&](const std::string& kind, int checkpoint) -> const grid::Task& {
    for (const auto& t : graph_.tasks)
      if (t.kind == kind && (kind != "assistant" || t.teacher_checkpoint == checkpoint) &&
          (kind != "student" || graph_.at(t.teacher_key).teacher_checkpoint == checkpoint))
        return t;
    throw std::runtime_error("no " + kind);
  };
  const std::string assistant = link("assistant", 1).key, student = link("student", 1).key;
  const auto before = [&](const grid::Task& t, comm::Communicator& comm, const Journal& journal) {
    // Each reports a sealed epoch 1; the assistant's students read its final weights.
    comm.send(0, sched::kToCoordinator, sched::progress_message(t.key, 1, 0.5, true));
    if (t.kind == "teacher") wait_assigned(journal, assistant, std::chrono::seconds(10));
    if (t.key == assistant) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  };
  const GridRun run = run_cluster(3, sched_test::all_done(), before);
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_LT(position(run.events, Event::Assigned, assistant),
            position(run.events, Event::Answered, teacher().key));
  EXPECT_GT(position(run.events, Event::Assigned, student),
            position(run.events, Event::Answered, assistant));
  for (const auto& t : graph_.tasks) EXPECT_EQ(sched_test::count(run.assigned(), t.key), 1u);
}

TEST_F(Pipeline, ProgressRecordsEachRanksLastReportAndEachTasksLatestEpoch) {
  load(kSearch);
  sched_test::LocalCluster cluster(2);
  sched::Coordinator coordinator(graph_, store_, artifacts_, cluster.rank(0), policy_, scheduling_);
  Journal journal;
  const auto reports = [](const grid::Task& t, comm::Communicator& comm, const Journal&) {
    for (int e = 1; e <= t.total_epochs; ++e)
      comm.send(0, sched::kToCoordinator, sched::progress_message(t.key, e, 0.25, false));
  };
  std::vector<std::thread> workers;
  for (int r = 0; r < 2; ++r)
    workers.emplace_back([&, r] {
      sched_test::fake_worker(cluster.rank(r), graph_, sched_test::all_done(), journal, reports);
    });
  EXPECT_EQ(coordinator.run(), kExitOk);
  for (auto& w : workers) w.join();
  ASSERT_EQ(coordinator.latest_epoch().size(), graph_.tasks.size());
  for (const auto& t : graph_.tasks)
    EXPECT_EQ(coordinator.latest_epoch().at(t.key), t.total_epochs);
  std::set<int> reporting;
  for (const auto& e : journal.events()) reporting.insert(e.rank);
  for (int r : reporting) EXPECT_GT(coordinator.last_report().count(r), 0u) << r;
}

// Progress messages feed the cost model as they arrive; the finished record's curve (the same
// epochs) is then not counted a second time.
TEST_F(Pipeline, ProgressEpochTimesRefineTheCostModelOnce) {
  load(kSearch);
  sched_test::LocalCluster cluster(2);
  sched::Coordinator coordinator(graph_, store_, artifacts_, cluster.rank(0), policy_, scheduling_);
  const uint64_t before = coordinator.cost_model().version();
  Journal journal;
  const auto reports = [](const grid::Task& t, comm::Communicator& comm, const Journal&) {
    for (int e = 1; e <= t.total_epochs; ++e)
      comm.send(0, sched::kToCoordinator, sched::progress_message(t.key, e, 0.25, false));
  };
  const sched_test::Answer measured_on_cpu = [](const grid::Task& t, int) {
    auto r = sched_test::done_record(t);
    r.device = "cpu";  // so the record's curve would count if the progress had not
    return r;
  };
  std::vector<std::thread> workers;
  for (int r = 0; r < 2; ++r)
    workers.emplace_back([&, r] {
      sched_test::fake_worker(cluster.rank(r), graph_, measured_on_cpu, journal, reports);
    });
  EXPECT_EQ(coordinator.run(), kExitOk);
  for (auto& w : workers) w.join();
  uint64_t epochs = 0;
  for (const auto& t : graph_.tasks) epochs += t.total_epochs;
  EXPECT_EQ(coordinator.cost_model().version() - before, epochs);
  // 0.25 s per epoch is not what the prior predicts: every model's estimate moved.
  for (const auto& t : graph_.tasks)
    EXPECT_NE(coordinator.cost_model().scale(t.model, "cpu"), 1.0) << t.model;
}
