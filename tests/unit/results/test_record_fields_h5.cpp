// The field list (run_record_fields.h) against results.h5: every listed field round-trips with
// the attribute / dataset / /summary types of schema version 1, each missing one is named, and a
// file written before the list existed still reads field for field.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <set>

#include "field_values.h"
#include "kdbench/core/errors.h"
#include "kdbench/results/results_store.h"
#include "kdbench/results/run_record_fields.h"
#include "record_fixtures.h"

using namespace kdbench;
using namespace kdbench::results;

namespace {

const std::string kDataDir = std::string(KDBENCH_SOURCE_DIR) + "/tests/unit/results/data/";

std::string write_one(const fixtures::TempDir& tmp, const RunRecord& r) {
  const std::string path = tmp.file("fields.h5");
  std::filesystem::remove(path);
  ResultsStore::open_or_create(path, Provenance{}).put(r);
  return path;
}

// The file type schema version 1 gives a field of C++ type T.
template <typename T>
void expect_file_type(const H5::DataType& type, const std::string& name) {
  SCOPED_TRACE(name);
  if constexpr (std::is_same_v<T, int> || std::is_same_v<T, std::vector<int>>) {
    EXPECT_TRUE(type == H5::PredType::STD_I32LE);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    EXPECT_TRUE(type == H5::PredType::STD_I64LE);
  } else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::vector<double>>) {
    EXPECT_TRUE(type == H5::PredType::IEEE_F64LE);
  } else {  // text, status, JSON: fixed-length, NUL-padded UTF-8
    ASSERT_EQ(type.getClass(), H5T_STRING);
    const H5::StrType str(type.getId());
    EXPECT_FALSE(str.isVariableStr());
    EXPECT_EQ(str.getCset(), H5T_CSET_UTF8);
    EXPECT_EQ(str.getStrpad(), H5T_STR_NULLPAD);
  }
}

// One column of /summary, row 0, read alone (HDF5 picks the member by name).
template <typename V>
V summary_cell(const std::string& path, const char* column, const H5::DataType& mem_type) {
  H5::H5File file(path, H5F_ACC_RDONLY);
  H5::CompType one(sizeof(V));
  one.insertMember(column, 0, mem_type);
  H5::DataSet ds = file.openDataSet("summary");
  V value{};
  ds.read(&value, one);
  return value;
}

}  // namespace

TEST(RecordFieldsHdf5, EveryListedFieldSurvivesTheStore) {
  fixtures::TempDir tmp;
  const RunRecord original = fixtures::generated_record("gen-key");
  const std::string path = write_one(tmp, original);
  const auto store = ResultsStore::open_read_only(path);
  EXPECT_EQ(fixtures::differing_fields(original, *store.get("gen-key")), "");
  ASSERT_EQ(store.read_all().size(), 1u);
  EXPECT_EQ(fixtures::differing_fields(original, store.read_all()[0]), "");
}

TEST(RecordFieldsHdf5, RunGroupHoldsExactlyTheListedNamesWithSchemaTypes) {
  fixtures::TempDir tmp;
  const std::string path = write_one(tmp, fixtures::generated_record("gen-key"));
  H5::H5File file(path, H5F_ACC_RDONLY);
  const H5::Group g = file.openGroup("runs/gen-key");
  std::set<std::string> attributes = {"summary_row"}, datasets;
  for_each_field([&](const auto& field) {
    using Field = std::decay_t<decltype(field)>;
    if (field.has(kKeyField)) return;  // the group's name
    (Field::kIsCurve ? datasets : attributes).insert(field.name);
    if constexpr (Field::kIsCurve) {
      expect_file_type<typename Field::Type>(g.openDataSet(field.name).getDataType(), field.name);
    } else {
      expect_file_type<typename Field::Type>(g.openAttribute(field.name).getDataType(), field.name);
    }
  });
  std::set<std::string> seen_attributes, seen_datasets;
  for (int i = 0; i < g.getNumAttrs(); ++i) {
    seen_attributes.insert(g.openAttribute(static_cast<unsigned>(i)).getName());
  }
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) seen_datasets.insert(g.getObjnameByIdx(i));
  EXPECT_EQ(seen_attributes, attributes);
  EXPECT_EQ(seen_datasets, datasets);
}

TEST(RecordFieldsHdf5, SummaryColumnsAreTheSummaryFieldsWithTheirValues) {
  fixtures::TempDir tmp;
  RunRecord r = fixtures::generated_record("gen-key");
  r.model = std::string(70, 'm');  // wider than its column: truncated there, whole in /runs
  const std::string path = write_one(tmp, r);
  {
    H5::H5File file(path, H5F_ACC_RDONLY);
    const H5::CompType row = file.openDataSet("summary").getCompType();
    std::vector<std::string> columns;
    for (int i = 0; i < row.getNmembers(); ++i) columns.push_back(row.getMemberName(i));
    std::vector<std::string> expected;
    for_each_field([&](const auto& field) {
      if (field.has(kSummary)) expected.push_back(field.name);
    });
    EXPECT_EQ(columns, expected);
    EXPECT_EQ(row.getSize(), 64u * 4 + 16u * 2 + 4u + 8u * 2 + 8u * 5);  // packed: no holes
  }
  for_each_field_with<kSummary>([&](const auto& field) {
    using T = typename std::decay_t<decltype(field)>::Type;
    SCOPED_TRACE(field.name);
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Status>) {
      H5::StrType type(H5::PredType::C_S1, field.summary_width);
      type.setStrpad(H5T_STR_NULLPAD);
      struct Cell {
        char text[64];
      };
      ASSERT_LE(field.summary_width, sizeof(Cell));
      const Cell cell = summary_cell<Cell>(path, field.name, type);
      std::string expected;
      if constexpr (std::is_same_v<T, Status>) {
        expected = to_string(field.of(r));
      } else {
        expected = field.of(r).substr(0, field.summary_width);
      }
      EXPECT_EQ(std::string(cell.text, strnlen(cell.text, field.summary_width)), expected);
    } else if constexpr (std::is_same_v<T, int>) {
      EXPECT_EQ(summary_cell<int32_t>(path, field.name, H5::PredType::NATIVE_INT32), field.of(r));
    } else if constexpr (std::is_same_v<T, int64_t>) {
      EXPECT_EQ(summary_cell<int64_t>(path, field.name, H5::PredType::NATIVE_INT64), field.of(r));
    } else {
      EXPECT_EQ(summary_cell<double>(path, field.name, H5::PredType::NATIVE_DOUBLE), field.of(r));
    }
  });
  EXPECT_EQ(ResultsStore::open_read_only(path).get("gen-key")->model, r.model);
}

// Except attributes added after files existed (kAddedLater): those read as their default.
TEST(RecordFieldsHdf5, EachMissingAttributeOrDatasetIsNamed) {
  fixtures::TempDir tmp;
  const std::string path = write_one(tmp, fixtures::generated_record("gen-key"));
  for_each_field([&](const auto& field) {
    using Field = std::decay_t<decltype(field)>;
    if (field.has(kKeyField)) return;
    SCOPED_TRACE(field.name);
    const std::string copy = tmp.file(std::string("without-") + field.name + ".h5");
    std::filesystem::copy_file(path, copy);
    {
      H5::H5File file(copy, H5F_ACC_RDWR);
      H5::Group g = file.openGroup("runs/gen-key");
      if (Field::kIsCurve) {
        g.unlink(field.name);
      } else {
        g.removeAttr(field.name);
      }
    }
    std::string what = "(accepted)";
    try {
      const auto read = ResultsStore::open_read_only(copy).get("gen-key");
      if (field.has(kAddedLater)) {
        EXPECT_TRUE(field.of(*read) == field.of(RunRecord{}));
        return;
      }
    } catch (const IoError& e) {
      what = e.what();
    }
    const std::string expected = Field::kIsCurve
                                     ? std::string("dataset '") + field.name + "' is missing"
                                     : std::string("attribute '") + field.name + "' is missing";
    EXPECT_NE(what.find(expected), std::string::npos) << what;
    EXPECT_NE(what.find("gen-key"), std::string::npos) << what;
  });
}

// tests/unit/results/data/schema1_71ab462.h5 was written by the ResultsStore of commit 71ab462,
// whose field lists were hand-written; the .jsonl beside it is that code's to_json of each run.
// Fields added since (kAddedLater: gang) are absent from both and read as their defaults; the
// metric values (kMetricValue) are absent too and read as the accuracy values.
TEST(RecordFieldsHdf5, FileWrittenBeforeTheFieldListReadsFieldForField) {
  const auto records = ResultsStore::open_read_only(kDataDir + "schema1_71ab462.h5").read_all();
  std::ifstream expected_lines(kDataDir + "schema1_71ab462.jsonl");
  std::string line;
  size_t n = 0;
  while (std::getline(expected_lines, line)) {
    ASSERT_LT(n, records.size());
    nlohmann::json written = to_json(records[n]);
    const RunRecord defaults;
    for_each_field_with<kAddedLater>([&](const auto& field) {
      EXPECT_EQ(line.find(std::string("\"") + field.name + "\""), std::string::npos);
      EXPECT_EQ(written.at(field.name), nlohmann::json(field.of(defaults))) << field.name;
      written.erase(field.name);
    });
    // The metric values (absent too) are the accuracy values: that file is scored by accuracy.
    RunRecord accuracy = records[n];
    set_accuracy_metric(accuracy);
    EXPECT_EQ(fixtures::differing_fields(accuracy, records[n]), "");
    for_each_field_with<kMetricValue>([&](const auto& field) {
      EXPECT_EQ(line.find(std::string("\"") + field.name + "\""), std::string::npos);
      (std::decay_t<decltype(field)>::kIsCurve ? written["curves"] : written).erase(field.name);
    });
    EXPECT_EQ(written.dump(), line);
    const RunRecord expected = record_from_json(nlohmann::json::parse(line));
    EXPECT_EQ(fixtures::differing_fields(expected, records[n]), "");
    ++n;
  }
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(records.size(), 2u);
}

namespace {

// A record scored by MCC, its values unlike its accuracies.
RunRecord matthews_record(const std::string& key) {
  RunRecord r = fixtures::generated_record(key);
  r.status = Status::Done;
  r.metric = "matthews";
  r.best_val_metric = 0.61;
  r.test_metric_at_best_val = 0.57;
  r.final_test_metric = 0.55;
  r.best_test_metric = 0.59;
  r.curves.val_metric = {0.2, 0.61, -0.05};
  r.curves.test_metric = {0.1, 0.57, 0.55};
  return r;
}

// Removes `metric` and every metric value of /runs/<key>, as a file written before them has.
void remove_metric_fields(const std::string& path, const std::string& key) {
  H5::H5File file(path, H5F_ACC_RDWR);
  H5::Group g = file.openGroup("runs/" + key);
  g.removeAttr("metric");
  for_each_field_with<kMetricValue>([&](const auto& field) {
    if (std::decay_t<decltype(field)>::kIsCurve) {
      g.unlink(field.name);
    } else {
      g.removeAttr(field.name);
    }
  });
}

}  // namespace

TEST(RecordFieldsHdf5, MetricFieldsRoundTripAsAttributesAndDatasets) {
  fixtures::TempDir tmp;
  const RunRecord r = matthews_record("mcc-key");
  const std::string path = write_one(tmp, r);
  {
    H5::H5File file(path, H5F_ACC_RDONLY);
    const H5::Group g = file.openGroup("runs/mcc-key");
    std::string metric;
    g.openAttribute("metric").read(g.openAttribute("metric").getStrType(), metric);
    EXPECT_EQ(metric, "matthews");
    double value = 0;
    g.openAttribute("test_metric_at_best_val").read(H5::PredType::NATIVE_DOUBLE, &value);
    EXPECT_EQ(value, 0.57);
    EXPECT_EQ(g.openDataSet("val_metric").getSpace().getSimpleExtentNpoints(), 3);
  }
  const RunRecord back = *ResultsStore::open_read_only(path).get("mcc-key");
  EXPECT_EQ(fixtures::differing_fields(r, back), "");
  EXPECT_EQ(back.curves.val_metric, (std::vector<double>{0.2, 0.61, -0.05}));
}

// A group written before the metric fields: scored by accuracy, its metric values its accuracies,
// so an old results.h5 reports exactly as before.
TEST(RecordFieldsHdf5, GroupWithoutMetricFieldsReadsAsAccuracy) {
  fixtures::TempDir tmp;
  const RunRecord r = matthews_record("old-key");
  const std::string path = write_one(tmp, r);
  remove_metric_fields(path, "old-key");
  const RunRecord back = *ResultsStore::open_read_only(path).get("old-key");
  EXPECT_EQ(fixtures::metric_fields_not_accuracy(back, r), "");
  RunRecord expected = r;
  set_accuracy_metric(expected);
  EXPECT_EQ(fixtures::differing_fields(expected, back), "");
}

// Resuming a file of the old layout adds runs with metric fields beside runs without them.
TEST(RecordFieldsHdf5, OldFileTakesNewRunsBesideItsOwn) {
  fixtures::TempDir tmp;
  const std::string path = tmp.file("old.h5");
  std::filesystem::copy_file(kDataDir + "schema1_71ab462.h5", path);
  const auto before = ResultsStore::open_read_only(path).read_all();
  ResultsStore::open_or_create(path, Provenance{}).put(matthews_record("new-key"));
  const auto after = ResultsStore::open_read_only(path).read_all();
  ASSERT_EQ(after.size(), before.size() + 1);
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].metric, "accuracy");
    EXPECT_EQ(fixtures::differing_fields(before[i], after[i]), "");
  }
  EXPECT_EQ(fixtures::differing_fields(matthews_record("new-key"), after.back()), "");
}
