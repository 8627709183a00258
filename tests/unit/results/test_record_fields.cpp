// The field list (run_record_fields.h) against the JSON wire format: every listed field
// round-trips and is validated, whatever fields the list holds.
#include <gtest/gtest.h>

#include <set>

#include "field_values.h"
#include "kdbench/core/errors.h"
#include "kdbench/results/run_record.h"
#include "kdbench/results/run_record_fields.h"

using namespace kdbench;
using namespace kdbench::results;

namespace {

std::string io_error_of(const nlohmann::json& j) {
  try {
    record_from_json(j);
  } catch (const IoError& e) {
    return e.what();
  }
  return "(accepted)";
}

// Where a field lives in the JSON object: the record itself or its "curves".
template <typename Field>
nlohmann::json& slot(nlohmann::json& j, const Field&) {
  return Field::kIsCurve ? j["curves"] : j;
}

}  // namespace

// Guards the tests below: a generated record that left a field at its default would let a writer
// that drops the field pass.
TEST(RecordFields, GeneratedRecordDiffersFromTheDefaultInEveryField) {
  EXPECT_EQ(fixtures::differing_fields(fixtures::generated_record("k"), RunRecord{}),
            fixtures::all_field_names());
}

TEST(RecordFields, EveryListedFieldSurvivesJsonText) {
  const RunRecord original = fixtures::generated_record("k");
  const RunRecord back = record_from_json(nlohmann::json::parse(to_json(original).dump()));
  EXPECT_EQ(fixtures::differing_fields(original, back), "");
}

TEST(RecordFields, JsonHoldsExactlyTheListedNames) {
  std::set<std::string> top = {"curves"}, curves;
  for_each_field([&](const auto& field) {
    (std::decay_t<decltype(field)>::kIsCurve ? curves : top).insert(field.name);
  });
  const nlohmann::json j = to_json(fixtures::generated_record("k"));
  std::set<std::string> seen_top, seen_curves;
  for (const auto& [name, value] : j.items()) seen_top.insert(name);
  for (const auto& [name, value] : j.at("curves").items()) seen_curves.insert(name);
  EXPECT_EQ(seen_top, top);
  EXPECT_EQ(seen_curves, curves);
}

// Except fields added after records existed (kAddedLater): those read as their default.
TEST(RecordFields, JsonRejectsEachMissingFieldByName) {
  const nlohmann::json full = to_json(fixtures::generated_record("k"));
  const RunRecord defaults;
  for_each_field([&](const auto& field) {
    nlohmann::json j = full;
    slot(j, field).erase(field.name);
    if (field.has(kAddedLater)) {
      EXPECT_EQ(io_error_of(j), "(accepted)") << field.name;
      EXPECT_TRUE(field.of(record_from_json(j)) == field.of(defaults)) << field.name;
    } else {
      EXPECT_EQ(io_error_of(j), std::string("run record JSON: missing field '") + field.name + "'");
    }
  });
}

TEST(RecordFields, JsonRejectsEachMistypedFieldByName) {
  const nlohmann::json full = to_json(fixtures::generated_record("k"));
  for_each_field([&](const auto& field) {
    nlohmann::json j = full;
    slot(j, field)[field.name] = true;  // no field is a boolean
    const std::string what = io_error_of(j);
    EXPECT_EQ(what.rfind(std::string("run record JSON: field '") + field.name + "' must be ", 0),
              0u)
        << what;
    EXPECT_NE(what.find(", got boolean"), std::string::npos) << what;
  });
}

TEST(RecordFields, JsonRejectsACurveOfAnotherLength) {
  for_each_field([&](const auto& field) {
    if constexpr (std::decay_t<decltype(field)>::kIsCurve) {
      RunRecord r = fixtures::generated_record("k");
      field.of(r).pop_back();
      const std::string what = io_error_of(to_json(r));
      if (std::string(field.name) == "epoch") {
        EXPECT_NE(what.find("curves have unequal lengths (epoch has 2 entries, another curve 3)"),
                  std::string::npos)
            << what;
      } else {
        EXPECT_NE(what.find("curves have unequal lengths (epoch has 3 entries, another curve 2)"),
                  std::string::npos)
            << field.name << ": " << what;
      }
    }
  });
}

// Flags are part of the contract: merge compares exactly the results, /summary has the columns
// users index by name, and keys are not attributes.
TEST(RecordFields, FlagsOfTheSchema) {
  std::vector<std::string> results, summary, key;
  for_each_field([&](const auto& field) {
    if (field.has(kResult)) results.push_back(field.name);
    if (field.has(kSummary)) summary.push_back(field.name);
    if (field.has(kKeyField)) key.push_back(field.name);
  });
  EXPECT_EQ(results, (std::vector<std::string>{"best_val_acc",
                                               "test_acc_at_best_val",
                                               "final_test_acc",
                                               "best_test_acc",
                                               "best_epoch",
                                               "best_step",
                                               "metric",
                                               "best_val_metric",
                                               "test_metric_at_best_val",
                                               "final_test_metric",
                                               "best_test_metric",
                                               "evaluations",
                                               "epoch",
                                               "train_loss",
                                               "train_acc",
                                               "val_acc",
                                               "test_acc",
                                               "lr",
                                               "val_metric",
                                               "test_metric"}));
  EXPECT_EQ(summary, (std::vector<std::string>{
                         "key", "kind", "model", "method", "teacher_model", "teacher_checkpoint",
                         "seed", "status", "params_count", "best_val_acc", "test_acc_at_best_val",
                         "final_test_acc", "best_test_acc", "wall_seconds"}));
  EXPECT_EQ(key, std::vector<std::string>{"key"});
}

// A record sent or saved before the metric fields existed has none of them: it is scored by
// accuracy, with the metric values copied from the accuracy fields.
TEST(RecordFields, JsonWithoutMetricReadsAsAccuracy) {
  RunRecord r = fixtures::generated_record("k");
  r.metric = "matthews";
  nlohmann::json j = to_json(r);
  for_each_field([&](const auto& field) {
    if (field.has(kMetricValue) || std::string(field.name) == "metric") {
      slot(j, field).erase(field.name);
    }
  });
  const RunRecord back = record_from_json(j);
  EXPECT_EQ(fixtures::metric_fields_not_accuracy(back, r), "");
  EXPECT_EQ(back.best_val_acc, r.best_val_acc);  // the accuracy fields stay what they were
}

// For accuracy the metric values are the accuracy values: a record that sets only the accuracy
// fields (an image task, a record built before text tasks) is stored with them copied.
TEST(RecordFields, AccuracyRecordStoresItsAccuracyAsTheMetric) {
  RunRecord r = fixtures::generated_record("k");
  for (const std::string metric : {"accuracy", ""}) {
    r.metric = metric;
    const RunRecord back = record_from_json(to_json(r));
    EXPECT_EQ(back.metric, "accuracy");
    EXPECT_EQ(back.test_metric_at_best_val, r.test_acc_at_best_val);
    EXPECT_EQ(back.best_test_metric, r.best_test_acc);
    EXPECT_TRUE(fixtures::same_value(back.curves.test_metric, r.curves.test_acc));
  }
  r.metric = "f1";  // any other metric keeps its own values
  EXPECT_EQ(record_from_json(to_json(r)).test_metric_at_best_val, r.test_metric_at_best_val);
  EXPECT_NE(r.test_metric_at_best_val, r.test_acc_at_best_val);
}
