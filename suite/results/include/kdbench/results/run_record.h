#pragma once
// One run's result (docs/design.md §6.1): what the worker sends to the coordinator and the
// coordinator appends to results.h5. JSON is the wire format between ranks (small: one curve
// entry per epoch).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kdbench::results {

enum class Status { Pending, Running, Done, Failed, Interrupted };
std::string to_string(Status s);            // "PENDING", "RUNNING", "DONE", "FAILED", "INTERRUPTED"
Status parse_status(const std::string& s);  // case-insensitive; throws IoError on unknown text

// Per-epoch curves; all vectors have one entry per finished epoch. val_metric / test_metric are
// the selection metric's values (RunRecord::metric), equal to val_acc / test_acc for accuracy.
struct Curves {
  std::vector<int> epoch;
  std::vector<double> train_loss, train_acc, val_acc, test_acc, lr, seconds;
  std::vector<double> val_metric, test_metric;
  size_t size() const { return epoch.size(); }
};

// Every field is named once more, with its flags, in run_record_fields.h: the serializers,
// /summary and merge iterate that list. A new field = a member here + one line there.
struct RunRecord {
  std::string key;
  std::string kind;  // teacher | student | assistant
  std::string model;
  std::string method;  // "" for teachers
  nlohmann::json method_params = nlohmann::json::object();
  std::string method_variant;
  std::string teacher_key;  // "" when no teacher
  std::string teacher_model;
  int teacher_checkpoint = -1;     // teacher epoch distilled from; -1 = final
  std::vector<std::string> chain;  // TAKD: models from teacher to this one
  int64_t seed = 0;
  std::string dataset;
  int64_t params_count = 0;
  double flops = 0;  // forward multiply-accumulates per image × 2
  Status status = Status::Pending;
  int attempts = 0;
  int rank = -1;
  std::string host, device;
  std::string device_name;        // the GPU's name, "cpu" on the CPU
  int64_t device_memory = 0;      // the GPU's memory in bytes
  std::string started, finished;  // ISO-8601 UTC
  double wall_seconds = 0;
  int threads = 0;
  // Accuracies are fractions in [0, 1] (reports print them as percentages).
  double best_val_acc = 0, test_acc_at_best_val = 0, final_test_acc = 0, best_test_acc = 0;
  int best_epoch = 0;
  // The global optimizer step (1-based, over the whole run) of the best evaluation point when the
  // task evaluates every `eval_steps` steps; 0 when it evaluates at epoch ends only (then
  // best_epoch says it all) and in records written before the field existed.
  int64_t best_step = 0;
  // The metric that selects the best epoch (one of kMetricNames) and its values, as fractions
  // (accuracy, F1) or correlations in [-1, 1] (matthews, pearson, spearman). For accuracy they
  // are the accuracy fields above (stored_form copies them); the accuracy fields always hold
  // accuracy, whatever the metric.
  std::string metric = "accuracy";
  double best_val_metric = 0, test_metric_at_best_val = 0, final_test_metric = 0,
         best_test_metric = 0;
  std::string error;                                 // FAILED: the exception message
  nlohmann::json config = nlohmann::json::object();  // resolved training config of the task
  // Teacher tasks: accuracy of every kept checkpoint {"epoch": {"val": .., "test": ..}}.
  nlohmann::json checkpoints = nlohmann::json::object();
  // Gang runs (one task on k ranks): {"size": k, "ranks": [..], "hosts": [..]}; {} on one rank.
  nlohmann::json gang = nlohmann::json::object();
  // eval_steps > 0: every evaluation point in order, epoch ends included, each
  // {"step", "epoch", "epoch_fraction", "val_acc", "test_acc", "val_metric", "test_metric"};
  // the best point is selected among them. [] when the task evaluates at epoch ends only.
  nlohmann::json evaluations = nlohmann::json::array();
  Curves curves;
};

// Every field, curves as {"epoch": [..], "train_loss": [..], ...}. Non-finite doubles become
// null in JSON text; record_from_json reads null back as NaN. Sender and receiver are the same
// binary, so every field is required: a missing field, a field of the wrong type or curves of
// unequal length throw IoError naming the field.
nlohmann::json to_json(const RunRecord& r);
RunRecord record_from_json(const nlohmann::json& j);

// IoError("<where>: curves have unequal lengths ...") unless every curve has one entry per epoch.
void check_curve_lengths(const Curves& c, const std::string& where);

// The selection metrics a run can have: "accuracy", "matthews", "f1", "pearson", "spearman".
inline constexpr const char* kMetricNames[] = {"accuracy", "matthews", "f1", "pearson", "spearman"};

// True for metric "accuracy" and for "" (treated as accuracy).
bool scored_by_accuracy(const RunRecord& r);

// Makes accuracy the run's metric: metric = "accuracy" and every metric field (scalars and the
// val_metric / test_metric curves) a copy of its accuracy counterpart. Readers apply it to records
// written before the metric fields existed (a results file or JSON record without "metric"), so
// those report exactly as before.
void set_accuracy_metric(RunRecord& r);

// The record as every writer (to_json, ResultsStore::put) stores it: for accuracy the metric
// values are the accuracy values by definition, so a record scored by accuracy goes through
// set_accuracy_metric and needs only its accuracy fields set (the trainer's image tasks, every
// record built before text tasks). Other metrics are stored as they are.
RunRecord stored_form(const RunRecord& r);

// ISO-8601 UTC timestamp of now, e.g. 2026-11-22T15:04:05Z.
std::string utc_now();

}  // namespace kdbench::results
