// [grid] retries and on_failure, and the coordinator's checksum check of a finished teacher's
// checkpoints: the real Coordinator against fake workers (fake_worker.h).
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <string>

#include "coordinator_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/train/resume_state.h"

using namespace kdbench;
using sched_test::count;
using sched_test::GridRun;
using Status = results::Status;

namespace {

// A teacher and its students (teacher, nokd seed 1 and 2, kd seed 1 and 2), plus the policy.
std::string tiny_grid(const std::string& policy) {
  return R"([grid]
name     = tiny
data_dir = /not-read
teachers = cnn4
students = cnn2
methods  = nokd kd
seeds    = 1 2
teacher_seeds = 1
)" + policy +
         R"(
[train]
epochs = 2
)";
}

class FailurePolicyLoop : public sched_test::CoordinatorFixture {
 protected:
  void load_with(const std::string& policy) {
    text_ = tiny_grid(policy);
    load(text_.c_str());
  }
  std::string text_;
};

results::RunRecord non_finite_record(const grid::Task& t) {
  auto r = sched_test::failed_record(t, "loss became nan at epoch 1 step 3");
  r.config["failure"] = {
      {"kind", "non-finite loss"}, {"epoch", 1}, {"step", 3}, {"deterministic", true}};
  return r;
}

}  // namespace

TEST_F(FailurePolicyLoop, ATransientFailureIsRetriedOnceAndThenDone) {
  load_with("");  // default: retries = 1
  std::atomic<int> teacher_runs{0};
  const GridRun run = run_single([&](const grid::Task& t, int) {
    if (t.kind == "teacher" && teacher_runs++ == 0)
      return sched_test::failed_record(t, "node lost its scratch disk");
    return sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_EQ(count(run.assigned(), teacher().key), 2u);
  const auto records = file_records();
  EXPECT_EQ(records.at(teacher().key).status, Status::Done);
  EXPECT_EQ(records.at(teacher().key).attempts, 2);
  for (const auto& [key, r] : records) EXPECT_EQ(r.status, Status::Done) << key;
}

TEST_F(FailurePolicyLoop, RetriesBoundsTheAttemptsOfAFailingTask) {
  for (int retries : {0, 3}) {
    SCOPED_TRACE("retries = " + std::to_string(retries));
    load_with("retries = " + std::to_string(retries));
    const GridRun run = run_single([](const grid::Task& t, int) {
      return t.method == "nokd" && t.seed == 1 ? sched_test::failed_record(t, "out of memory")
                                               : sched_test::done_record(t);
    });
    EXPECT_EQ(run.coordinator_code, kExitTasksFailed);
    EXPECT_EQ(count(run.assigned(), find("student", "nokd", 1).key),
              static_cast<size_t>(1 + retries));
    EXPECT_EQ(file_records().at(find("student", "nokd", 1).key).status, Status::Failed);
    EXPECT_EQ(file_records().at(find("student", "kd", 1).key).status, Status::Done);
  }
}

TEST_F(FailurePolicyLoop, ANonFiniteLossIsNotRetried) {
  load_with("retries = 5");
  const GridRun run = run_single([](const grid::Task& t, int) {
    return t.method == "kd" && t.seed == 2 ? non_finite_record(t) : sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitTasksFailed);
  const auto& kd = find("student", "kd", 2);
  EXPECT_EQ(count(run.assigned(), kd.key), 1u);
  const auto rec = file_records().at(kd.key);
  EXPECT_EQ(rec.status, Status::Failed);
  EXPECT_EQ(rec.config["failure"]["epoch"], 1);
  EXPECT_EQ(rec.config["failure"]["step"], 3);
}

TEST_F(FailurePolicyLoop, OnFailureStopStartsNothingNewAndExits1) {
  load_with("retries = 0\non_failure = stop");
  // One worker: the teacher runs first (longest critical path) and fails; nothing else starts.
  const GridRun run = run_single([](const grid::Task& t, int) {
    return t.kind == "teacher" ? sched_test::failed_record(t, "out of memory")
                               : sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitTasksFailed);
  EXPECT_EQ(run.worker_codes, std::vector<int>{kExitTasksFailed});
  EXPECT_EQ(run.assigned(), std::vector<std::string>{teacher().key});
  const auto records = file_records();
  EXPECT_EQ(records.at(teacher().key).status, Status::Failed);
  for (int64_t seed : {1, 2})
    EXPECT_EQ(records.count(find("student", "nokd", seed).key), 0u) << "never started";
}

TEST_F(FailurePolicyLoop, OnFailureStopLetsRunningTasksFinish) {
  load_with("retries = 0\non_failure = stop");
  // Three ranks: the teacher and a nokd run start together; nokd fails while the teacher runs.
  std::atomic<bool> nokd_failed{false};
  const GridRun run = run_cluster(3, [&](const grid::Task& t, int) {
    if (t.kind == "teacher") {
      while (!nokd_failed) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return sched_test::done_record(t);
    }
    if (t.method == "nokd") {
      nokd_failed = true;
      return sched_test::failed_record(t, "out of memory");
    }
    return sched_test::done_record(t);
  });
  EXPECT_EQ(run.coordinator_code, kExitTasksFailed);
  const auto records = file_records();
  EXPECT_EQ(records.at(teacher().key).status, Status::Done) << "the running task finished";
  for (int64_t seed : {1, 2})
    EXPECT_EQ(records.count(find("student", "kd", seed).key), 0u) << "no new task after it";
}

TEST_F(FailurePolicyLoop, DoneTeacherWithACorruptCheckpointIsTrainedAgain) {
  load_with("");
  finished_earlier(teacher());
  const std::string final_pt = artifacts_.path_for(teacher().key, "final.pt");
  {
    std::fstream f(final_pt, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2);
    f.put('W' ^ 0x01);  // one flipped bit in "weights"
  }
  EXPECT_FALSE(results::sealed_file_intact(final_pt));
  const GridRun run = run_single(sched_test::all_done());
  EXPECT_EQ(run.coordinator_code, kExitOk);
  ASSERT_FALSE(run.assigned().empty());
  EXPECT_EQ(run.assigned().front(), teacher().key) << "retrained before its students";
  EXPECT_EQ(file_records().at(teacher().key).attempts, 2);
}

// The job was killed after a task's training finished but before the coordinator recorded it:
// the trainer's finished record is taken at the next start, the task is not trained again.
TEST_F(FailurePolicyLoop, AFinishedButUnrecordedTaskIsRecordedFromItsFinishedState) {
  load_with("");
  finished_earlier(teacher());
  const auto& nokd = find("student", "nokd", 2);
  const auto finished = sched_test::done_record(nokd, {0.25, 0.625});
  artifacts_.write_sealed(nokd.key, train::kFinishedFile, [&](const std::string& tmp) {
    results::write_text_atomic(tmp, results::to_json(finished).dump(), false);
  });
  const GridRun run = run_single(sched_test::all_done());
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_EQ(count(run.assigned(), nokd.key), 0u) << "not trained again";
  EXPECT_EQ(run.assigned().size(), 3u);
  const auto rec = file_records().at(nokd.key);
  EXPECT_EQ(rec.status, Status::Done);
  EXPECT_EQ(rec.curves.val_acc, (std::vector<double>{0.25, 0.625}));
  EXPECT_FALSE(artifacts_.exists(nokd.key, train::kFinishedFile)) << "removed once recorded";
}

TEST_F(FailurePolicyLoop, ADamagedFinishedStateIsIgnored) {
  load_with("");
  const auto& nokd = find("student", "nokd", 1);
  artifacts_.write_atomic(nokd.key, train::kFinishedFile, [&](const std::string& tmp) {
    results::write_text_atomic(tmp, results::to_json(sched_test::done_record(nokd)).dump(), false);
  });  // not sealed: as if truncated
  const GridRun run = run_single(sched_test::all_done());
  EXPECT_EQ(run.coordinator_code, kExitOk);
  EXPECT_EQ(count(run.assigned(), nokd.key), 1u) << "trained, not taken from a damaged file";
}
