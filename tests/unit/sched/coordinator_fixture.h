#pragma once
// The fixture of the coordinator tests: a real results file and artifacts directory in a temp
// dir, a grid expanded from text (no data files read), and the real Coordinator run against fake
// workers (fake_worker.h) on one rank or on an in-process cluster.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fake_worker.h"
#include "kdbench/comm/single_process.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/results/results_store.h"
#include "kdbench/train/stop_flag.h"
#include "local_cluster.h"
#include "record_fixtures.h"

namespace kdbench::sched_test {

inline Answer all_done() {
  return [](const grid::Task& t, int) { return done_record(t); };
}

class CoordinatorFixture : public ::testing::Test {
 protected:
  CoordinatorFixture()
      : store_(results::ResultsStore::open_or_create(dir_.file("results.h5"), {})),
        artifacts_(dir_.file("artifacts"), false) {}
  ~CoordinatorFixture() override { train::reset_stop_for_tests(); }

  void load(const char* grid_text) {
    const auto spec = grid::parse_grid_text(grid_text, "g.ini", grid::ParseOptions{false});
    graph_ = grid::expand(spec);
    policy_ = sched::FailurePolicy::of(spec);
    scheduling_.pipeline = spec.pipeline;
    scheduling_.fuse = spec.fuse;
    if (spec.fuse > 1) scheduling_.fuse_check = sched::fuse_check_of(spec);
  }
  GridRun run_single(const Answer& answer) {
    comm::SingleProcessCommunicator comm;
    return run_with_fake_workers(graph_, store_, artifacts_, {&comm}, answer, policy_, scheduling_);
  }
  GridRun run_cluster(int ranks, const Answer& answer, const BeforeAnswer& before = {}) {
    LocalCluster cluster(ranks);
    std::vector<comm::Communicator*> comms;
    for (int r = 0; r < ranks; ++r) comms.push_back(&cluster.rank(r));
    return run_with_fake_workers(graph_, store_, artifacts_, comms, answer, policy_, scheduling_,
                                 before);
  }

  const grid::Task& find(const std::string& kind, const std::string& method, int64_t seed) const {
    for (const auto& t : graph_.tasks)
      if (t.kind == kind && t.method == method && t.seed == seed) return t;
    throw std::runtime_error("no task " + kind + " " + method);
  }
  const grid::Task& teacher() const { return find("teacher", "", 1); }

  // What the results file holds, read back by a second reader; fails the test when a key
  // appears twice.
  std::map<std::string, results::RunRecord> file_records() const {
    std::map<std::string, results::RunRecord> by_key;
    for (auto& r : results::ResultsStore::open_read_only(dir_.file("results.h5")).read_all()) {
      EXPECT_EQ(by_key.count(r.key), 0u) << "recorded twice: " << r.key;
      by_key[r.key] = r;
    }
    return by_key;
  }
  std::set<std::string> all_keys() const {
    std::set<std::string> keys;
    for (const auto& t : graph_.tasks) keys.insert(t.key);
    return keys;
  }
  static std::set<std::string> keys_of(const std::map<std::string, results::RunRecord>& m) {
    std::set<std::string> keys;
    for (const auto& [k, r] : m) keys.insert(k);
    return keys;
  }
  static void touch(const std::string& path) { results::write_text_atomic(path, "weights", false); }
  // A run finished by an earlier job: DONE in the file, a teacher's checkpoints on disk.
  void finished_earlier(const grid::Task& t, bool with_checkpoints = true) {
    results::RunRecord r = done_record(t, {0.7});
    r.host = "earlier-run";
    r.attempts = 1;
    store_.put(r);
    if (!with_checkpoints || !t.provides_weights()) return;
    // Checksummed as the trainer's are: the coordinator checks them.
    for (int e : t.keep_checkpoints)
      artifacts_.write_sealed(t.key, results::checkpoint_name(e), touch);
    artifacts_.write_sealed(t.key, results::checkpoint_name(-1), touch);
  }

  fixtures::TempDir dir_;
  results::ResultsStore store_;
  results::Artifacts artifacts_;
  grid::TaskGraph graph_;
  sched::FailurePolicy policy_;
  sched::SchedulerOptions scheduling_;
};

inline size_t count(const std::vector<std::string>& keys, const std::string& key) {
  return static_cast<size_t>(std::count(keys.begin(), keys.end(), key));
}

}  // namespace kdbench::sched_test
