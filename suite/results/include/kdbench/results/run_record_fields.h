#pragma once
// The one list of RunRecord's fields (docs/design.md, results). The JSON wire format (to_json /
// record_from_json), the /runs/<key> attributes and curve datasets of results.h5, the /summary
// row, merge's DONE-vs-DONE comparison and the test of train::task_record all iterate it, so a
// new field is one line in kRunRecordFields below (plus its member in RunRecord or Curves).
//
// A field's C++ type says how it is stored: std::string = string (a fixed-length UTF-8 HDF5
// attribute); int = int32 attribute; int64_t = int64 attribute; double = float64 attribute
// (null in JSON when not finite); Status = its text; nlohmann::json = JSON text in HDF5 (an
// object, or an array where the member's default is one: `evaluations`);
// std::vector<std::string> = a JSON array (JSON text in HDF5). Members of Curves are per-epoch
// curves: "curves": {...} in JSON, 1-D datasets in HDF5 (int32 / float64).
//
// The order is the order of /summary's columns (h5py and pandas users index them by name, but
// the numpy dtype keeps this order) and the order in which merge reports the first difference.
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "kdbench/results/run_record.h"

namespace kdbench::results {

// What a field takes part in beyond being written and read by every format.
enum FieldFlag : unsigned {
  kNoFlags = 0,
  kKeyField = 1u << 0,  // the run's identity: the /runs/<key> group name, not an attribute
  kTask = 1u << 1,      // follows from the task alone: train::task_record sets it
  kResult = 1u << 2,    // an outcome of training: two DONE records of one key must agree on it
  kSummary = 1u << 3,   // a column of /summary
  // Added after results files existed: a JSON record or HDF5 group without it reads as the
  // member's default (nlohmann::json: {}), so older results.h5 files keep working.
  kAddedLater = 1u << 4,
  // The selection metric's values, added with `metric` (itself kAddedLater): a JSON record or
  // HDF5 group without `metric` predates them all, and set_accuracy_metric fills them from the
  // accuracy fields; with `metric` present they are required like any other field.
  kMetricValue = 1u << 5,
};

// One field: its name in every format, where it lives, its flags and, for a string column of
// /summary, the column's byte width (longer values are truncated there, except the key).
template <typename Owner, typename T>
struct RecordField {
  using Type = T;
  static constexpr bool kIsCurve = std::is_same_v<Owner, Curves>;

  const char* name;
  T Owner::*member;
  unsigned flags;
  size_t summary_width;

  constexpr bool has(FieldFlag flag) const { return (flags & flag) != 0; }
  T& of(RunRecord& r) const {
    if constexpr (kIsCurve) {
      return r.curves.*member;
    } else {
      return r.*member;
    }
  }
  const T& of(const RunRecord& r) const {
    if constexpr (kIsCurve) {
      return r.curves.*member;
    } else {
      return r.*member;
    }
  }
};

template <typename Owner, typename T>
constexpr RecordField<Owner, T> record_field(const char* name, T Owner::*member,
                                             unsigned flags = kNoFlags, size_t width = 0) {
  return {name, member, flags, width};
}

// clang-format off
inline constexpr auto kRunRecordFields = std::make_tuple(
    record_field("key", &RunRecord::key, kKeyField | kTask | kSummary, 64),
    record_field("kind", &RunRecord::kind, kTask | kSummary, 16),
    record_field("model", &RunRecord::model, kTask | kSummary, 64),
    record_field("method", &RunRecord::method, kTask | kSummary, 64),
    record_field("method_params", &RunRecord::method_params, kTask),
    record_field("method_variant", &RunRecord::method_variant, kTask),
    record_field("teacher_key", &RunRecord::teacher_key, kTask),
    record_field("teacher_model", &RunRecord::teacher_model, kTask | kSummary, 64),
    record_field("teacher_checkpoint", &RunRecord::teacher_checkpoint, kTask | kSummary),
    record_field("chain", &RunRecord::chain, kTask),
    record_field("seed", &RunRecord::seed, kTask | kSummary),
    record_field("status", &RunRecord::status, kSummary, 16),
    record_field("params_count", &RunRecord::params_count, kTask | kSummary),
    record_field("flops", &RunRecord::flops, kTask),
    record_field("dataset", &RunRecord::dataset),  // the grid's, set by the worker
    record_field("attempts", &RunRecord::attempts),
    record_field("rank", &RunRecord::rank),
    record_field("host", &RunRecord::host),
    record_field("device", &RunRecord::device),  // "cpu", "cuda:N"
    record_field("device_name", &RunRecord::device_name, kAddedLater),  // "cpu", "NVIDIA H200"
    record_field("device_memory", &RunRecord::device_memory, kAddedLater),  // bytes, 0 on CPU
    record_field("started", &RunRecord::started),
    record_field("finished", &RunRecord::finished),
    record_field("threads", &RunRecord::threads),
    record_field("best_val_acc", &RunRecord::best_val_acc, kResult | kSummary),
    record_field("test_acc_at_best_val", &RunRecord::test_acc_at_best_val, kResult | kSummary),
    record_field("final_test_acc", &RunRecord::final_test_acc, kResult | kSummary),
    record_field("best_test_acc", &RunRecord::best_test_acc, kResult | kSummary),
    record_field("best_epoch", &RunRecord::best_epoch, kResult),
    record_field("best_step", &RunRecord::best_step, kResult | kAddedLater),  // eval_steps
    record_field("metric", &RunRecord::metric, kResult | kAddedLater),
    record_field("best_val_metric", &RunRecord::best_val_metric, kResult | kMetricValue),
    record_field("test_metric_at_best_val", &RunRecord::test_metric_at_best_val,
                 kResult | kMetricValue),
    record_field("final_test_metric", &RunRecord::final_test_metric, kResult | kMetricValue),
    record_field("best_test_metric", &RunRecord::best_test_metric, kResult | kMetricValue),
    record_field("wall_seconds", &RunRecord::wall_seconds, kSummary),  // timing: not a result
    record_field("error", &RunRecord::error),
    record_field("config", &RunRecord::config),
    record_field("checkpoints", &RunRecord::checkpoints),
    record_field("gang", &RunRecord::gang, kAddedLater),  // execution, not task: not in the key
    record_field("evaluations", &RunRecord::evaluations, kResult | kAddedLater),  // eval_steps
    // Curves: "epoch" first, every other curve has its length.
    record_field("epoch", &Curves::epoch, kResult),
    record_field("train_loss", &Curves::train_loss, kResult),
    record_field("train_acc", &Curves::train_acc, kResult),
    record_field("val_acc", &Curves::val_acc, kResult),
    record_field("test_acc", &Curves::test_acc, kResult),
    record_field("lr", &Curves::lr, kResult),
    record_field("val_metric", &Curves::val_metric, kResult | kMetricValue),
    record_field("test_metric", &Curves::test_metric, kResult | kMetricValue),
    record_field("seconds", &Curves::seconds));  // timing: not a result
// clang-format on

// A text column of /summary is a fixed-width byte field: it needs its width.
static_assert(std::apply(
                  [](const auto&... field) {
                    return ((!field.has(kSummary) ||
                             std::is_arithmetic_v<typename std::decay_t<decltype(field)>::Type> ||
                             field.summary_width > 0) &&
                            ...);
                  },
                  kRunRecordFields),
              "a text field flagged kSummary needs its column width");

// Calls visit(field) for every field of kRunRecordFields, in order; `field.of(record)` is the
// value, `field.name` its name.
template <typename Visit>
void for_each_field(Visit&& visit) {
  std::apply([&](const auto&... field) { (visit(field), ...); }, kRunRecordFields);
}

namespace detail {
template <FieldFlag kFlag, typename Visit, size_t... kIndex>
void visit_flagged(Visit& visit, std::index_sequence<kIndex...>) {
  auto one = [&](auto index) {
    constexpr const auto& field = std::get<decltype(index)::value>(kRunRecordFields);
    if constexpr (field.has(kFlag)) visit(field);
  };
  (one(std::integral_constant<size_t, kIndex>{}), ...);
}
}  // namespace detail

// Like for_each_field, for the fields flagged kFlag only. The choice is made at compile time, so
// a visitor's code is instantiated only for the field types that carry the flag.
template <FieldFlag kFlag, typename Visit>
void for_each_field_with(Visit&& visit) {
  detail::visit_flagged<kFlag>(
      visit, std::make_index_sequence<std::tuple_size_v<decltype(kRunRecordFields)>>{});
}

// For a visitor's static_assert in the branch that no field type should reach.
template <typename T>
inline constexpr bool kUnhandledFieldType = false;

}  // namespace kdbench::results
