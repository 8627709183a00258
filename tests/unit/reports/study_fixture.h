#pragma once
// A small capacity-gap study written with ResultsStore, with finished, running, failed, assistant
// and checkpoint-search runs, so the report has to pick the right ones.
#include <string>
#include <vector>

#include "kdbench/results/results_store.h"
#include "record_fixtures.h"

namespace kdbench::fixtures {

struct RunSpec {
  std::string kind, model, method, teacher;
  int64_t seed;
  results::Status status;
  double acc;  // test accuracy at best validation (fraction)
  std::vector<std::string> chain = {};
  int teacher_checkpoint = -1;
};

inline int64_t params_of_model(const std::string& model) {
  if (model == "cnn2") return 10394;
  if (model == "cnn4") return 32250;
  if (model == "resnet8") return 77754;
  return 272186;  // resnet20
}

inline results::RunRecord make_run(const RunSpec& s, int index) {
  results::RunRecord r;
  r.key = "run" + std::to_string(index);
  r.kind = s.kind;
  r.model = s.model;
  r.method = s.method;
  r.teacher_model = s.teacher;
  r.chain = s.chain;
  r.seed = s.seed;
  r.status = s.status;
  r.dataset = "fashion-mnist";
  r.params_count = params_of_model(s.model);
  r.teacher_checkpoint = s.teacher_checkpoint;
  if (s.status == results::Status::Done) {
    r.test_acc_at_best_val = s.acc;
    r.best_val_acc = s.acc + 0.005;  // distinct per metric, so metric choice is visible
    r.final_test_acc = s.acc - 0.002;
    r.best_test_acc = s.acc + 0.003;
  }
  return r;
}

inline const char* kGridIni =
    "[grid]\n"
    "name     = capacity-gap\n"
    "dataset  = fashion-mnist\n"
    "teachers = resnet8 resnet20   ; ascending size\n"
    "students = cnn2, cnn4\n"
    "methods  = kd takd nokd       # nokd still comes first\n"
    "seeds    = 1 2\n"
    "[method.kd]\n"
    "methods = not-this-one\n";

// Writes the study to `path`; the put order is deliberately not the grid's order.
inline void write_study(const std::string& path, const std::string& grid_name = "capacity-gap") {
  using results::Status;
  const std::vector<RunSpec> specs = {
      {"student", "cnn2", "kd", "resnet20", 1, Status::Done, 0.8580},
      {"student", "cnn2", "kd", "resnet20", 2, Status::Running, 0},
      {"teacher", "resnet20", "", "", 1, Status::Done, 0.9150},
      {"teacher", "resnet20", "", "", 2, Status::Failed, 0},
      {"teacher", "resnet8", "", "", 1, Status::Done, 0.9012},
      {"teacher", "resnet8", "", "", 2, Status::Done, 0.9034},
      {"student", "cnn2", "nokd", "", 1, Status::Done, 0.8500},
      {"student", "cnn2", "nokd", "", 2, Status::Done, 0.8600},
      {"student", "cnn2", "kd", "resnet8", 1, Status::Done, 0.8610},
      {"student", "cnn2", "kd", "resnet8", 2, Status::Done, 0.8650},
      // TAKD's assistant resnet20 -> resnet8: neither a teacher row nor a student cell.
      {"assistant", "resnet8", "kd", "resnet20", 1, Status::Done, 0.8900},
      {"student", "cnn2", "takd", "resnet8", 1, Status::Failed, 0, {"resnet20", "resnet8", "cnn2"}},
      {"student",
       "cnn2",
       "takd",
       "resnet8",
       2,
       Status::Running,
       0,
       {"resnet20", "resnet8", "cnn2"}},
      {"student", "cnn4", "nokd", "", 1, Status::Done, 0.8800},
      // Distilled from teacher epoch 5 (checkpoint search): not in the capacity-gap table.
      {"student", "cnn2", "kd", "resnet8", 3, Status::Done, 0.5000, {}, 5},
  };
  results::Provenance prov;
  prov.grid_name = grid_name;
  prov.grid_ini = kGridIni;
  prov.versions = {{"kdbench", "0.1.0"}, {"git_sha", "0123456789ab"}};
  auto store = results::ResultsStore::open_or_create(path, prov);
  for (size_t i = 0; i < specs.size(); ++i) store.put(make_run(specs[i], static_cast<int>(i)));
}

// The default study written once per test process; reports only read it.
inline const std::string& shared_study() {
  static const TempDir dir;
  static const std::string path = [] {
    write_study(dir.file("study.h5"));
    return dir.file("study.h5");
  }();
  return path;
}

}  // namespace kdbench::fixtures
