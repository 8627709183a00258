// Merge's rules (kdbench/results/merge.h) without a Slurm cluster: the choice per key, conflicts
// between DONE records (generated from the field list), and the all-or-nothing output file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "field_values.h"
#include "kdbench/core/errors.h"
#include "kdbench/results/merge.h"
#include "kdbench/results/run_record_fields.h"
#include "record_fixtures.h"

using namespace kdbench;
using namespace kdbench::results;

namespace {

RunRecord record(const std::string& key, Status status, int attempts, const std::string& host) {
  RunRecord r = fixtures::full_record(key);
  r.status = status;
  r.attempts = attempts;
  r.host = host;  // tells the copies apart
  return r;
}

MergeInput input(const std::string& path, std::vector<RunRecord> records) {
  return MergeInput{path, std::move(records), {{"grid_ini", "[grid]\n"}}};
}

std::string chosen_host(const std::vector<MergeInput>& inputs) {
  const MergeResult merged = merge_records(inputs);
  EXPECT_EQ(merged.records.size(), 1u);
  return merged.records.empty() ? "" : merged.records[0].host;
}

std::string config_error_of(const std::vector<MergeInput>& inputs) {
  try {
    merge_records(inputs);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(merged)";
}

// `value` changed so that it differs from before, whatever its type.
template <typename T>
void change(T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    value += "-changed";
  } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, int64_t>) {
    value += 1;
  } else if constexpr (std::is_same_v<T, double>) {
    value += 0.01;
  } else if constexpr (std::is_same_v<T, Status>) {
    value = value == Status::Done ? Status::Failed : Status::Done;
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    if (value.is_array()) {
      value.push_back("changed");
    } else {
      value["changed"] = true;
    }
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    value.push_back("changed");
  } else {
    value.back() += 1;  // a curve: same length, other last value
  }
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Provenance provenance(const std::string& host, const std::string& grid = "[grid]\n") {
  Provenance p;
  p.grid_name = "g";
  p.grid_ini = grid;
  p.hostnames = {host};
  p.world_size = 3;
  p.versions = {{"kdbench", "0.1.0"}};
  return p;
}

std::string write(const fixtures::TempDir& tmp, const std::string& name,
                  const std::vector<RunRecord>& records, const std::string& host = "node-01") {
  const std::string path = tmp.file(name);
  auto store = ResultsStore::open_or_create(path, provenance(host));
  for (const auto& r : records) store.put(r);
  return path;
}

std::vector<RunRecord> read(const std::string& path) {
  return ResultsStore::open_read_only(path).read_all();
}

// The same records by key (the order follows the inputs' order, so it may differ).
void expect_same_records(const std::vector<RunRecord>& a, const std::vector<RunRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  std::map<std::string, const RunRecord*> by_key;
  for (const auto& r : b) by_key[r.key] = &r;
  for (const auto& r : a) {
    ASSERT_TRUE(by_key.count(r.key)) << r.key;
    EXPECT_EQ(fixtures::differing_fields(r, *by_key.at(r.key)), "") << r.key;
  }
}

bool has_temporary_file(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().find(".merge-tmp.") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST(MergeRecords, DoneBeatsEveryOtherStatusInEitherOrder) {
  for (Status other : {Status::Pending, Status::Running, Status::Interrupted, Status::Failed}) {
    SCOPED_TRACE(to_string(other));
    const auto done = input("a.h5", {record("k", Status::Done, 1, "done")});
    const auto unfinished = input("b.h5", {record("k", other, 5, "unfinished")});
    EXPECT_EQ(chosen_host({done, unfinished}), "done");
    EXPECT_EQ(chosen_host({unfinished, done}), "done");
  }
}

TEST(MergeRecords, MoreAttemptsWinAmongUnfinishedThenTheEarlierInput) {
  const auto one = input("a.h5", {record("k", Status::Interrupted, 1, "one")});
  const auto two = input("b.h5", {record("k", Status::Failed, 2, "two")});
  EXPECT_EQ(chosen_host({one, two}), "two");
  EXPECT_EQ(chosen_host({two, one}), "two");
  const auto also_two = input("c.h5", {record("k", Status::Running, 2, "also-two")});
  EXPECT_EQ(chosen_host({two, also_two}), "two");
  EXPECT_EQ(chosen_host({also_two, two}), "also-two");
  // Equal DONE records: the earlier input's copy stays.
  const auto done_a = input("a.h5", {record("k", Status::Done, 1, "done-a")});
  const auto done_b = input("b.h5", {record("k", Status::Done, 3, "done-b")});
  EXPECT_EQ(chosen_host({done_a, done_b}), "done-a");
}

TEST(MergeRecords, KeysKeepTheirFirstSeenOrderAndProvenanceJoinsHosts) {
  MergeInput a =
      input("a.h5", {record("k2", Status::Done, 1, "a"), record("k1", Status::Running, 1, "a")});
  MergeInput b =
      input("b.h5", {record("k3", Status::Done, 1, "b"), record("k1", Status::Done, 1, "b")});
  a.root = {{"grid_name", "g"},
            {"grid_ini", "[grid]\n"},
            {"world_size", "4"},
            {"version_torch", "1.13.1"},
            {"hostnames", "node-02 node-01"}};
  b.root = {{"grid_name", "other"}, {"grid_ini", "[grid]\n"}, {"hostnames", "node-03 node-01"}};
  const MergeResult merged = merge_records({a, b});
  ASSERT_EQ(merged.records.size(), 3u);
  EXPECT_EQ(merged.records[0].key, "k2");
  EXPECT_EQ(merged.records[1].key, "k1");
  EXPECT_EQ(merged.records[1].host, "b");
  EXPECT_EQ(merged.records[2].key, "k3");
  EXPECT_EQ(merged.provenance.grid_name, "g");
  EXPECT_EQ(merged.provenance.world_size, 4);
  EXPECT_EQ(merged.provenance.versions, (std::map<std::string, std::string>{{"torch", "1.13.1"}}));
  EXPECT_EQ(merged.provenance.hostnames,
            (std::vector<std::string>{"node-01", "node-02", "node-03"}));
}

TEST(MergeRecords, DoneRecordsDifferingInAResultAreRefusedNamingKeyFieldAndFiles) {
  RunRecord base = record("run-7", Status::Done, 1, "a");
  // Scored by MCC, so the metric's values are results of their own (for accuracy they are the
  // accuracies: MergeRecords.AccuracyRunsCompareAsStored).
  base.metric = "matthews";
  base.curves.val_metric = {0.1, 0.2, 0.3};
  base.curves.test_metric = {0.1, 0.2, 0.25};
  int checked = 0;
  for_each_field_with<kResult>([&](const auto& field) {
    SCOPED_TRACE(field.name);
    RunRecord other = base;
    change(field.of(other));
    const std::string what = config_error_of({input("shard0.h5", {base}), input("x.h5", {other})});
    const std::string named = std::decay_t<decltype(field)>::kIsCurve
                                  ? std::string("(curve ") + field.name + ")"
                                  : std::string("(") + field.name;
    EXPECT_EQ(what.rfind("kdbench merge: run run-7 is DONE in shard0.h5 and in x.h5 with different "
                         "results " +
                             named,
                         0),
              0u)
        << what;
    EXPECT_NE(what.find("; nothing written"), std::string::npos) << what;
    ++checked;
  });
  // Accuracies, best_epoch, best_step, the metric and its values, evaluations, curves but seconds.
  EXPECT_EQ(checked, 20);
  RunRecord other = base;
  other.best_val_acc = 0.5;
  EXPECT_EQ(config_error_of({input("a.h5", {base}), input("b.h5", {other})}),
            "kdbench merge: run run-7 is DONE in a.h5 and in b.h5 with different results "
            "(best_val_acc 0.893100 vs 0.500000); nothing written");
}

// A record in memory may leave an accuracy run's metric values unset: stored, they are its
// accuracies, so it agrees with the same run read back from a file.
TEST(MergeRecords, AccuracyRunsCompareAsStored) {
  const RunRecord in_memory = record("run-7", Status::Done, 1, "a");
  ASSERT_TRUE(in_memory.curves.val_metric.empty());
  const RunRecord read_back = record_from_json(to_json(in_memory));
  EXPECT_EQ(first_result_difference(in_memory, read_back), "");
  RunRecord other = read_back;
  other.test_acc_at_best_val += 0.01;
  EXPECT_EQ(first_result_difference(in_memory, other).rfind("test_acc_at_best_val", 0), 0u);
}

TEST(MergeRecords, DoneRecordsDifferingOutsideTheResultsMerge) {
  const RunRecord base = record("k", Status::Done, 1, "a");
  for_each_field([&](const auto& field) {
    if (field.has(kResult) || field.has(kKeyField) || std::string(field.name) == "status") return;
    SCOPED_TRACE(field.name);
    RunRecord other = base;
    change(field.of(other));
    const MergeResult merged = merge_records({input("a.h5", {base}), input("b.h5", {other})});
    ASSERT_EQ(merged.records.size(), 1u);
    EXPECT_EQ(fixtures::differing_fields(merged.records[0], base), "");
  });
  // Identical DONE records, NaN included: bit for bit equal.
  RunRecord nan = base;
  nan.curves.train_loss[1] = std::nan("");
  EXPECT_EQ(merge_records({input("a.h5", {nan}), input("b.h5", {nan})}).records.size(), 1u);
}

TEST(MergeRecords, NoteForAnotherGridComesBeforeARefusal) {
  MergeInput a = input("a.h5", {record("k", Status::Done, 1, "a")});
  RunRecord changed = record("k", Status::Done, 1, "b");
  changed.best_epoch += 1;
  MergeInput b = input("b.h5", {changed});
  b.root["grid_ini"] = "[grid]\nname = other\n";
  std::vector<std::string> notes;
  EXPECT_THROW(merge_records({a, b}, [&](const std::string& n) { notes.push_back(n); }),
               ConfigError);
  EXPECT_EQ(notes, std::vector<std::string>{
                       "kdbench merge: note: b.h5 comes from another grid than a.h5"});
  EXPECT_THROW(merge_records({}), ConfigError);
}

TEST(MergeFiles, MergesShardsAndIsIdempotentAlsoInPlace) {
  fixtures::TempDir tmp;
  const std::string s0 = write(
      tmp, "s0.h5", {record("k1", Status::Done, 1, "n0"), record("k2", Status::Running, 1, "n0")});
  const std::string s1 = write(
      tmp, "s1.h5", {record("k2", Status::Done, 1, "n1"), record("k3", Status::Failed, 2, "n1")},
      "node-02");
  const std::string out = tmp.file("all.h5");
  EXPECT_EQ(merge_files({s0, s1}, out), (MergeCounts{{"DONE", 2}, {"FAILED", 1}}));
  const auto merged = read(out);
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[1].host, "n1");  // k2: DONE from s1 beat RUNNING from s0
  const auto root = ResultsStore::open_read_only(out).root_attributes();
  EXPECT_EQ(root.at("hostnames"), "node-01 node-02");
  EXPECT_EQ(root.at("world_size"), "3");

  const std::string again = tmp.file("again.h5");
  merge_files({out, s1, s0}, again);
  expect_same_records(read(again), merged);
  merge_files({s1, out}, out);  // the output is also an input
  expect_same_records(read(out), merged);
  EXPECT_FALSE(has_temporary_file(tmp.path()));
}

TEST(MergeFiles, RefusedMergeLeavesNoFileAndKeepsAnInPlaceOutput) {
  fixtures::TempDir tmp;
  const RunRecord done = record("k1", Status::Done, 1, "n0");
  RunRecord conflicting = done;
  conflicting.curves.val_acc[0] += 0.5;
  const std::string s0 = write(tmp, "s0.h5", {done});
  const std::string bad = write(tmp, "bad.h5", {conflicting});
  const std::string refused = tmp.file("refused.h5");
  EXPECT_THROW(merge_files({s0, bad}, refused), ConfigError);
  EXPECT_FALSE(std::filesystem::exists(refused));
  EXPECT_FALSE(has_temporary_file(tmp.path()));

  const std::string out = tmp.file("all.h5");
  merge_files({s0}, out);
  const std::string before = file_bytes(out);
  try {
    merge_files({out, bad}, out);
    FAIL() << "conflict accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("(curve val_acc)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(file_bytes(out), before);
  EXPECT_FALSE(has_temporary_file(tmp.path()));
}

TEST(MergeFiles, BadInputsAreNamedAndWriteNothing) {
  fixtures::TempDir tmp;
  const std::string s0 = write(tmp, "s0.h5", {record("k1", Status::Done, 1, "n0")});
  const std::string out = tmp.file("x.h5");
  const std::string missing = tmp.file("missing.h5");
  try {
    merge_files({s0, missing}, out);
    FAIL() << "missing input accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "kdbench merge: " + missing + ": no such file");
  }
  const std::string text = tmp.file("notes.h5");
  std::ofstream(text) << "not hdf5\n";
  EXPECT_THROW(merge_files({s0, text}, out), IoError);
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(has_temporary_file(tmp.path()));
}
