#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "kdbench/core/errors.h"
#include "kdbench/results/results_store.h"
#include "record_fixtures.h"

using namespace kdbench;
using namespace kdbench::results;

namespace {

Provenance provenance(int world_size = 4) {
  Provenance p;
  p.grid_name = "capacity-gap";
  p.grid_ini = "[grid]\nname = capacity-gap\nmethods = nokd kd\n";
  p.hostnames = {"node-01", "node-02"};
  p.world_size = world_size;
  p.versions = {{"kdbench", "0.1.0"}, {"git_sha", "abc123def456"}, {"torch", "1.13.1"}};
  return p;
}

RunRecord running_record(const std::string& key) {
  RunRecord r;
  r.key = key;
  r.kind = "teacher";
  r.model = "resnet20";
  r.seed = 1;
  r.status = Status::Running;
  r.attempts = 1;
  return r;
}

hsize_t summary_rows(const std::string& path) {
  H5::H5File file(path, H5F_ACC_RDONLY);
  hsize_t n = 0;
  file.openDataSet("summary").getSpace().getSimpleExtentDims(&n);
  return n;
}

RunRecord testing_done(const std::string& key) {
  RunRecord r = running_record(key);
  r.status = Status::Done;
  return r;
}

// Runs `cmd` and returns its stdout + exit marker when it fails.
std::string run_capture(const std::string& cmd) {
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return "(popen failed)";
  char buf[512];
  while (fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  pclose(pipe);
  return out;
}

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "(no IoError)";
}

}  // namespace

TEST(ResultsStore, PutReopenGetReadAllStatuses) {
  fixtures::TempDir tmp;
  const std::string path = tmp.file("nested/dir/results.h5");  // parents are created
  const RunRecord done = fixtures::full_record("aaaa");
  const RunRecord running = running_record("bbbb");  // empty curves
  {
    auto store = ResultsStore::open_or_create(path, provenance());
    store.put(running);
    store.put(done);
  }
  auto store = ResultsStore::open_read_only(path);
  fixtures::expect_same_record(*store.get("aaaa"), done);
  fixtures::expect_same_record(*store.get("bbbb"), running);
  EXPECT_FALSE(store.get("cccc").has_value());
  const auto all = store.read_all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "bbbb");  // order of first put, not of names
  EXPECT_EQ(all[1].key, "aaaa");
  const std::map<std::string, Status> expected = {{"aaaa", Status::Done},
                                                  {"bbbb", Status::Running}};
  EXPECT_EQ(store.statuses(), expected);
}

TEST(ResultsStore, ReplacingARunKeepsOneSummaryRow) {
  fixtures::TempDir tmp;
  const std::string path = tmp.file("results.h5");
  auto store = ResultsStore::open_or_create(path, provenance());
  store.put(running_record("t1"));
  store.put(running_record("t2"));
  EXPECT_EQ(summary_rows(path), 2u);  // readable by another handle: put() flushed
  RunRecord finished = fixtures::full_record("t1");
  store.put(finished);
  EXPECT_EQ(summary_rows(path), 2u);
  EXPECT_EQ(store.get("t1")->status, Status::Done);
  fixtures::expect_same_record(*store.get("t1"), finished);
  EXPECT_EQ(store.read_all()[0].key, "t1");  // kept its row, hence its place
  // Many replacements: the row count stays, the run group is replaced wholesale, and the space of
  // the old group is reused (variable-length string attributes would leak ~650 bytes per put).
  const auto size_before = std::filesystem::file_size(path);
  for (int i = 0; i < 30; ++i) {
    finished.attempts = i;
    store.put(finished);
  }
  EXPECT_EQ(summary_rows(path), 2u);
  EXPECT_LE(std::filesystem::file_size(path), size_before + 1024);
  EXPECT_EQ(store.get("t1")->attempts, 29);
  EXPECT_EQ(store.read_all().size(), 2u);
}

TEST(ResultsStore, ProvenanceAttributes) {
  fixtures::TempDir tmp;
  const std::string path = tmp.file("results.h5");
  ResultsStore::open_or_create(path, provenance());
  auto attrs = ResultsStore::open_read_only(path).root_attributes();
  EXPECT_EQ(attrs["schema_version"], "1");
  EXPECT_EQ(attrs["kdbench_version"], "0.1.0");
  EXPECT_EQ(attrs["git_sha"], "abc123def456");
  EXPECT_EQ(attrs["version_torch"], "1.13.1");
  EXPECT_EQ(attrs["version_kdbench"], "0.1.0");
  EXPECT_EQ(attrs["grid_name"], "capacity-gap");
  EXPECT_EQ(attrs["grid_ini"], provenance().grid_ini);
  EXPECT_EQ(attrs["hostnames"], "node-01 node-02");
  EXPECT_EQ(attrs["world_size"], "4");
  const std::string created = attrs["created"];
  EXPECT_EQ(created.size(), 20u) << created;
  // A resumed study on another allocation: provenance refreshed, creation time kept.
  Provenance resumed = provenance(8);
  resumed.hostnames = {"node-09"};
  ResultsStore::open_or_create(path, resumed);
  attrs = ResultsStore::open_read_only(path).root_attributes();
  EXPECT_EQ(attrs["world_size"], "8");
  EXPECT_EQ(attrs["hostnames"], "node-09");
  EXPECT_EQ(attrs["created"], created);
}

TEST(ResultsStore, LongTextAttributesAndEmptyStrings) {
  fixtures::TempDir tmp;
  const std::string path = tmp.file("results.h5");
  Provenance prov = provenance();
  prov.grid_ini = std::string(100000, 'x') + "\n";  // over HDF5's 64 KiB compact-attribute limit
  prov.hostnames = {};
  ResultsStore::open_or_create(path, prov);
  auto attrs = ResultsStore::open_read_only(path).root_attributes();
  EXPECT_EQ(attrs["grid_ini"], prov.grid_ini);
  EXPECT_EQ(attrs["hostnames"], "");
}

TEST(ResultsStore, FileIsStandardHdf5ReadableWithH5py) {
  fixtures::TempDir tmp;
  const std::string path = tmp.file("results.h5");
  {
    auto store = ResultsStore::open_or_create(path, provenance());
    store.put(running_record("teacher-key"));
    RunRecord student = fixtures::full_record("student-key");
    student.metric = "matthews";
    student.test_metric_at_best_val = 0.4375;
    student.curves.val_metric = {0.125, 0.5, -0.25};
    student.curves.test_metric = {0.0, 0.4375, 0.375};
    store.put(student);
  }
  const std::string script =
      std::string(KDBENCH_SOURCE_DIR) + "/tests/unit/results/read_results.py";
  const std::string out_path = tmp.file("h5py.json");
  const std::string cmd =
      "/usr/bin/python3 " + script + " " + path + " student-key > " + out_path + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << std::ifstream(out_path).rdbuf();
  const auto seen = nlohmann::json::parse(std::ifstream(out_path));
  EXPECT_EQ(seen["root"]["schema_version"], 1);
  EXPECT_EQ(seen["root"]["world_size"], 4);
  EXPECT_EQ(seen["root"]["grid_name"], "capacity-gap");
  EXPECT_EQ(seen["root"]["hostnames"], "node-01 node-02");
  const auto& run = seen["run"];
  EXPECT_EQ(run["status"], "DONE");
  EXPECT_EQ(run["seed"], 7);
  EXPECT_EQ(run["best_val_acc"], 0.8931);
  EXPECT_EQ(run["method_params"]["reduction"], "elementmean");
  EXPECT_EQ(run["chain"], nlohmann::json({"resnet110", "resnet20", "resnet8"}));
  EXPECT_EQ(run["epoch"], nlohmann::json({1, 2, 3}));
  EXPECT_EQ(run["val_acc"], nlohmann::json({0.52, 0.8931, 0.88}));
  EXPECT_EQ(run["epoch_dtype"], "int32");
  EXPECT_EQ(run["val_acc_dtype"], "float64");
  EXPECT_EQ(run["metric"], "matthews");
  EXPECT_EQ(run["test_metric_at_best_val"], 0.4375);
  EXPECT_EQ(run["val_metric"], nlohmann::json({0.125, 0.5, -0.25}));
  EXPECT_EQ(run["val_metric_dtype"], "float64");
  const auto& summary = seen["summary"];
  EXPECT_EQ(summary["maxshape"], nlohmann::json({-1}));  // unlimited
  EXPECT_TRUE(summary["chunked"]);
  EXPECT_EQ(summary["fields"].size(), 14u);
  ASSERT_EQ(summary["rows"].size(), 2u);
  EXPECT_EQ(summary["rows"][0]["key"], "teacher-key");
  EXPECT_EQ(summary["rows"][0]["status"], "RUNNING");
  EXPECT_EQ(summary["rows"][0]["teacher_checkpoint"], -1);
  EXPECT_EQ(summary["rows"][1]["key"], "student-key");
  EXPECT_EQ(summary["rows"][1]["model"], "resnet8");
  EXPECT_EQ(summary["rows"][1]["test_acc_at_best_val"], 0.8875);
}

TEST(ResultsStore, ErrorsNameTheFile) {
  fixtures::TempDir tmp;
  const std::string text_file = tmp.file("notes.h5");
  std::ofstream(text_file) << "not hdf5 at all\n";
  EXPECT_EQ(what_of([&] { ResultsStore::open_read_only(text_file); }),
            text_file + ": not an HDF5 file (expected a kdbench results .h5)");
  EXPECT_EQ(what_of([&] { ResultsStore::open_or_create(text_file, provenance()); }),
            text_file + ": not an HDF5 file (expected a kdbench results .h5)");
  const std::string missing = tmp.file("missing.h5");
  EXPECT_EQ(what_of([&] { ResultsStore::open_read_only(missing); }),
            missing + ": results file does not exist (or is not a regular file)");

  const std::string foreign = tmp.file("foreign.h5");
  H5::H5File(foreign, H5F_ACC_TRUNC).createGroup("data");
  const std::string msg = what_of([&] { ResultsStore::open_or_create(foreign, provenance()); });
  EXPECT_EQ(msg.rfind(foreign + ": is an HDF5 file but not a kdbench results file", 0), 0u) << msg;

  auto store = ResultsStore::open_or_create(tmp.file("ok.h5"), provenance());
  RunRecord bad = running_record("a/b");
  EXPECT_THROW(store.put(bad), IoError);
  bad = running_record(std::string(65, 'k'));  // does not fit the summary's key field
  EXPECT_THROW(store.put(bad), IoError);
  bad = fixtures::full_record("ragged");
  bad.curves.lr.pop_back();
  EXPECT_THROW(store.put(bad), IoError);
  EXPECT_TRUE(store.statuses().empty());
}

TEST(ResultsStore, NonFiniteValuesSurvive) {
  fixtures::TempDir tmp;
  const std::string path = tmp.file("r.h5");
  RunRecord diverged = fixtures::full_record("nan");
  diverged.curves.train_loss = {1.0, std::nan(""), INFINITY};
  diverged.status = Status::Failed;
  ResultsStore::open_or_create(path, provenance()).put(diverged);
  const RunRecord back = *ResultsStore::open_read_only(path).get("nan");
  EXPECT_TRUE(std::isnan(back.curves.train_loss[1]));
  EXPECT_TRUE(std::isinf(back.curves.train_loss[2]));
  EXPECT_EQ(back.status, Status::Failed);
}

TEST(ResultsStore, ReaderSeesFlushedRunsWhileTheWriterIsOpen) {
  fixtures::TempDir tmp;
  const std::string path = tmp.file("r.h5");
  auto writer = ResultsStore::open_or_create(path, provenance());
  writer.put(running_record("first"));
  // Another process, like `kdbench status` mid-run: reads without the writer's lock.
  const std::string probe = std::string(KDBENCH_RESULTS_PROBE) + " ";
  EXPECT_EQ(run_capture(probe + "read " + path), "first RUNNING\n");
  writer.put(testing_done("first"));
  EXPECT_EQ(run_capture(probe + "read " + path), "first DONE\n");
  // A second writer (a second `kdbench grid.ini` on the same results) is refused by the lock.
  const std::string refused = run_capture(probe + "write " + path);
  EXPECT_EQ(refused.rfind(path + ": opening for writing failed (HDF5: ", 0), 0u) << refused;
  EXPECT_NE(refused.find("lock"), std::string::npos) << refused;
  // The same process may read too (HDF5 shares the open file).
  auto reader = ResultsStore::open_read_only(path);
  EXPECT_EQ(reader.statuses().at("first"), Status::Done);
  EXPECT_THROW(reader.put(running_record("x")), IoError);
}
