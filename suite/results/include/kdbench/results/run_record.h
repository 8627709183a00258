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

// Per-epoch curves; all vectors have one entry per finished epoch.
struct Curves {
  std::vector<int> epoch;
  std::vector<double> train_loss, train_acc, val_acc, test_acc, lr, seconds;
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
  std::string error;                                 // FAILED: the exception message
  nlohmann::json config = nlohmann::json::object();  // resolved training config of the task
  // Teacher tasks: accuracy of every kept checkpoint {"epoch": {"val": .., "test": ..}}.
  nlohmann::json checkpoints = nlohmann::json::object();
  // Gang runs (one task on k ranks): {"size": k, "ranks": [..], "hosts": [..]}; {} on one rank.
  nlohmann::json gang = nlohmann::json::object();
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

// ISO-8601 UTC timestamp of now, e.g. 2026-11-22T15:04:05Z.
std::string utc_now();

}  // namespace kdbench::results
