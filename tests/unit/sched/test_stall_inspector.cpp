// The stall inspector (kdbench/sched/stall_inspector.h) with time passed in, and what
// `kdbench status` makes of a progress file (kdbench/sched/progress_report.h).
#include <gtest/gtest.h>

#include "kdbench/sched/progress_report.h"
#include "kdbench/sched/stall_inspector.h"

using kdbench::sched::StallInspector;

TEST(StallInspector, ATaskPastFactorTimesItsEstimateIsReportedOnce) {
  StallInspector inspector(3, 600);
  inspector.heard_from(1, 0);
  inspector.started("k", "student cnn2 kd<-cnn4 seed 1", {1}, 0, 1000, 10);
  EXPECT_TRUE(inspector.check(2999).empty());
  EXPECT_TRUE(inspector.stalls().empty());
  const auto lines = inspector.check(3001);
  ASSERT_EQ(lines.size(), 2u);  // the task, and its rank that has said nothing as long
  EXPECT_NE(lines[0].find("student cnn2 kd<-cnn4 seed 1 has run 0:50:01, 3.0× its estimate "
                          "0:16:40 (stall_factor 3)"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("rank 1 has sent nothing for 0:50:01"), std::string::npos) << lines[1];
  ASSERT_EQ(inspector.stalls().size(), 1u);
  EXPECT_EQ(inspector.stalls()[0].key, "k");
  EXPECT_TRUE(inspector.check(4000).empty()) << "reported again";
  EXPECT_EQ(inspector.stalls().size(), 1u);  // still listed
  inspector.finished("k");
  EXPECT_TRUE(inspector.check(5000).empty());
  EXPECT_TRUE(inspector.stalls().empty());
  EXPECT_TRUE(inspector.silences().empty()) << "an idle rank is never silent";
}

// A rank that reports every epoch is expected once per epoch (100 s here): silent past
// max(floor 600 s, 3 × 100 s) it is reported, once per silence.
TEST(StallInspector, ARankSilentPastItsExpectedIntervalIsReportedOncePerSilence) {
  StallInspector inspector(3, 600);
  inspector.started("k", "teacher cnn8 seed 1", {0, 1}, 0, 1000, 10);
  inspector.heard_from(1, 100, /*progress=*/true);
  EXPECT_TRUE(inspector.check(700).empty());
  const auto lines = inspector.check(701);
  ASSERT_EQ(lines.size(), 1u);  // rank 1; rank 0 never reported per epoch: 3 × 1000 s
  EXPECT_NE(lines[0].find("rank 1 has sent nothing for 0:10:01 (running teacher cnn8 seed 1; "
                          "expected within 0:10:00)"),
            std::string::npos)
      << lines[0];
  ASSERT_EQ(inspector.silences().size(), 1u);
  EXPECT_EQ(inspector.silences()[0].rank, 1);
  EXPECT_TRUE(inspector.check(800).empty());
  inspector.heard_from(1, 900, true);
  EXPECT_TRUE(inspector.check(1000).empty());
  EXPECT_TRUE(inspector.silences().empty());
  EXPECT_EQ(inspector.check(1501).size(), 1u) << "a new silence is reported again";
}

namespace {

nlohmann::json progress(const std::string& state, double unix_time) {
  return {{"state", state},
          {"time", "2026-11-29T23:00:00Z"},
          {"unix_time", unix_time},
          {"write_interval_seconds", 5},
          {"ranks", 4},
          {"tasks", 10},
          {"done", 3},
          {"failed", 0},
          {"running", 1},
          {"pending", 6},
          {"elapsed_seconds", 600},
          {"eta_seconds", 3610},
          {"running_tasks",
           {{{"key", "abc"},
             {"label", "teacher cnn8 seed 1"},
             {"ranks", {1, 2}},
             {"elapsed_seconds", 100},
             {"estimate_seconds", 400}}}},
          {"stalls", nlohmann::json::array()},
          {"silent_ranks", nlohmann::json::array()}};
}

}  // namespace

TEST(ProgressReport, RunningJobShowsEtaAndRunningTasksAgedToNow) {
  const auto lines = kdbench::sched::describe_progress(progress("running", 1000), 1010);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "job running on 4 rank(s) (progress 10 s old): 3/10 done, 0 failed, 1 running, 6 "
            "pending, elapsed 0:10:00, ETA 1:00:00");
  EXPECT_EQ(lines[1], "  running teacher cnn8 seed 1 on rank 1,2: 0:01:50 of ~0:06:40 (abc)");
}

TEST(ProgressReport, StaleOrFinishedFilesSaySo) {
  const auto stale = kdbench::sched::describe_progress(progress("running", 1000), 1000 + 1200);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].rfind("job not running (progress file 20 min old", 0), 0u) << stale[0];
  const auto done = kdbench::sched::describe_progress(progress("finished", 1000), 1000 + 7200);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].rfind("job finished (progress file 2.0 h old", 0), 0u) << done[0];
}
