// A study scored by another metric than accuracy (a GLUE task selected by MCC): every table,
// CSV and figure shows the metric's values ×100 under its name. The accuracy fields of these runs
// are all 0.90, so a report that read them would print 90.00 where the metric's numbers belong.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "kdbench/core/errors.h"
#include "kdbench/reports/csv.h"
#include "kdbench/reports/report.h"
#include "kdbench/reports/table_views.h"
#include "kdbench/results/results_store.h"
#include "record_fixtures.h"

using namespace kdbench;
using namespace kdbench::reports;
using results::RunRecord;
using results::Status;

namespace {

RunRecord mcc_run(const std::string& key, const std::string& kind, const std::string& model,
                  const std::string& method, int64_t seed, double mcc) {
  RunRecord r;
  r.key = key;
  r.kind = kind;
  r.model = model;
  r.method = method;
  r.teacher_model = method == "kd" ? "resnet8" : "";
  r.seed = seed;
  r.status = Status::Done;
  r.dataset = "glue-cola";
  r.params_count = kind == "teacher" ? 77754 : 10394;
  r.best_val_acc = r.test_acc_at_best_val = r.final_test_acc = r.best_test_acc = 0.90;
  r.metric = "matthews";
  r.test_metric_at_best_val = mcc;
  r.best_val_metric = mcc + 0.01;
  r.final_test_metric = mcc - 0.01;
  r.best_test_metric = mcc + 0.02;
  r.curves.epoch = {1, 2};
  r.curves.train_loss = {0.7, 0.5};
  r.curves.train_acc = r.curves.val_acc = r.curves.test_acc = {0.85, 0.90};
  r.curves.lr = {1e-3, 1e-3};
  r.curves.seconds = {1.0, 1.0};
  r.curves.val_metric = {0.3, 0.4};
  r.curves.test_metric = {0.2, mcc};
  return r;
}

std::vector<RunRecord> mcc_runs() {
  return {mcc_run("kd1", "student", "cnn2", "kd", 1, 0.5000),
          mcc_run("kd2", "student", "cnn2", "kd", 2, 0.5300),
          mcc_run("t1", "teacher", "resnet8", "", 1, 0.6010),
          mcc_run("t2", "teacher", "resnet8", "", 2, 0.6050),
          mcc_run("nokd1", "student", "cnn2", "nokd", 1, 0.4500),
          mcc_run("nokd2", "student", "cnn2", "nokd", 2, 0.4700)};
}

std::string write_file(const fixtures::TempDir& tmp, const std::vector<RunRecord>& runs) {
  const std::string path = tmp.file("glue.h5");
  auto store = results::ResultsStore::open_or_create(path, results::Provenance{});
  for (const auto& r : runs) store.put(r);
  return path;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing " << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST(MetricReport, CapacityGapTableShowsMccTimes100UnderItsName) {
  fixtures::TempDir tmp;
  const StudyResults study = load_results(write_file(tmp, mcc_runs()));
  EXPECT_EQ(task_metric(study), "matthews");
  const CapacityGapTable t = capacity_gap(study, TableOptions{});
  const std::string tex = render_latex(capacity_gap_view(t));
  EXPECT_TRUE(contains(tex, "Teacher & Params & Teacher MCC & nokd & kd \\\\")) << tex;
  // nokd 45.00/47.00, kd 50.00/53.00, teacher 60.10/60.50: mean ± sample std, 2 decimals.
  EXPECT_TRUE(contains(tex,
                       "resnet8 & 77,754 & 60.30 $\\pm$ 0.28 (2) & 46.00 $\\pm$ 1.41 (2) & "
                       "\\textbf{51.50 $\\pm$ 2.12 (2)} \\\\"))
      << tex;
  EXPECT_TRUE(contains(tex, "Student test MCC ($\\times$100) at the best-validation epoch")) << tex;
  EXPECT_TRUE(contains(tex, "Teacher MCC over the teacher seeds")) << tex;
  EXPECT_FALSE(contains(tex, "90.00")) << tex;
  EXPECT_FALSE(contains(tex, "accuracy")) << tex;
  const std::string md = render_markdown(capacity_gap_view(t));
  EXPECT_TRUE(contains(md, "| Teacher | Params | Teacher MCC | nokd | kd |")) << md;

  const std::string csv = capacity_gap_csv(t);
  EXPECT_EQ(csv.rfind("student,student_params,teacher,teacher_params,teacher_mcc_mean,"
                      "teacher_mcc_std,teacher_mcc_n,",
                      0),
            0u)
      << csv;
  EXPECT_TRUE(contains(csv, "cnn2,10394,resnet8,77754,60.3000,0.2828,2,,kd,done,51.5000,2.1213,2,"))
      << csv;

  // Another selection rule takes the metric's counterpart, in the metric's words.
  TableOptions best_val;
  best_val.metric = Metric::BestVal;
  const CapacityGapTable bv = capacity_gap(study, best_val);
  EXPECT_NEAR(bv.blocks[0].rows[0].cells[1].stats.mean, 52.50, 1e-9);
  EXPECT_TRUE(
      contains(render_latex(capacity_gap_view(bv)), "Student best validation MCC ($\\times$100)"));
}

// KD − nokd in the same unit: points of MCC ×100.
TEST(MetricReport, MethodSummaryGainIsInPointsOfTheMetric) {
  fixtures::TempDir tmp;
  const StudyResults study = load_results(write_file(tmp, mcc_runs()));
  const MethodSummaryTable t = method_summary(capacity_gap(study, TableOptions{}));
  ASSERT_EQ(t.blocks.size(), 1u);
  const auto& kd = t.blocks[0].rows[1];
  ASSERT_EQ(kd.method, "kd");
  EXPECT_NEAR(kd.mean_gain, 5.50, 1e-9);
  const std::string tex = render_latex(method_summary_view(t));
  EXPECT_TRUE(contains(tex, "mean gain over nokd in points of MCC $\\times$100")) << tex;
  EXPECT_TRUE(contains(tex, "+5.50 (1)")) << tex;
}

// The whole report: figures (axis labels, curves of val_metric), summary.csv and report.md.
TEST(MetricReport, WrittenReportUsesTheMetric) {
  fixtures::TempDir tmp;
  ReportOptions options;
  options.results_path = write_file(tmp, mcc_runs());
  options.out_dir = tmp.file("report");
  options.compile_pdf = false;
  write_report(options);
  const std::filesystem::path dir(options.out_dir);
  const std::string gap = read_text(dir / "figures" / "capacity_gap_cnn2.tex");
  EXPECT_TRUE(contains(gap, "ylabel={Student test MCC at best val.\\ ($\\times$100)}")) << gap;
  const std::string curves = read_text(dir / "figures" / "curves_cnn2_resnet8.tex");
  EXPECT_TRUE(contains(curves, "ylabel={Validation MCC ($\\times$100)}")) << curves;
  EXPECT_TRUE(contains(curves, "(1,30.000) (2,40.000)")) << curves;  // val_metric, ×100
  EXPECT_FALSE(contains(curves, "90.000")) << curves;

  const std::string runs = read_text(dir / "summary.csv");
  EXPECT_TRUE(contains(runs,
                       ",error,metric,best_val_metric,test_metric_at_best_val,final_test_metric,"
                       "best_test_metric\n"))
      << runs;
  EXPECT_TRUE(contains(runs,
                       ",90.0000,90.0000,90.0000,90.0000,0,2,0.0,,matthews,51.0000,50.0000,"
                       "49.0000,52.0000\n"))
      << runs;
  const std::string md = read_text(dir / "report.md");
  EXPECT_TRUE(contains(md, "test MCC (\u00d7100) at the best-validation epoch")) << md;
}

// One results file = one dataset = one metric; a merge of two datasets' files cannot be shown
// in one table, and the report says so before writing anything.
TEST(MetricReport, MixedMetricsAreAConfigErrorAndNothingIsWritten) {
  fixtures::TempDir tmp;
  std::vector<RunRecord> runs = mcc_runs();
  runs[1].metric = "accuracy";
  const std::string path = write_file(tmp, runs);
  try {
    task_metric(load_results(path));
    FAIL() << "mixed metrics accepted";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "runs scored by different metrics (kd1: MCC, kd2: accuracy)"))
        << e.what();
  }
  ReportOptions options;
  options.results_path = path;
  options.out_dir = tmp.file("report");
  options.compile_pdf = false;
  EXPECT_THROW(write_report(options), ConfigError);
  EXPECT_FALSE(std::filesystem::exists(options.out_dir));
}

// Runs that did not finish carry no score (a FAILED run keeps the default metric): they do not
// make a study mixed, and a study with no finished run is scored by accuracy.
TEST(MetricReport, UnfinishedRunsDoNotDecideTheMetric) {
  StudyResults study;
  study.runs = mcc_runs();
  RunRecord failed;
  failed.key = "failed";
  failed.status = Status::Failed;
  study.runs.push_back(failed);
  EXPECT_EQ(task_metric(study), "matthews");
  study.runs = {failed};
  EXPECT_EQ(task_metric(study), "accuracy");
  study.runs = mcc_runs();
  study.runs[0].metric = "bleu";
  EXPECT_THROW(task_metric(study), ConfigError);
}

TEST(MetricReport, ScoreNamesOfEveryMetric) {
  EXPECT_EQ(score_names("accuracy").short_name, "acc.");  // "Teacher acc.", as before
  EXPECT_EQ(score_names("").name, "accuracy");
  EXPECT_EQ(score_names("matthews").short_name, "MCC");
  EXPECT_EQ(score_names("f1").short_name, "F1");
  EXPECT_EQ(score_names("pearson").short_name, "Pearson");
  EXPECT_EQ(score_names("spearman").short_name, "Spearman");
  EXPECT_EQ(score_names("spearman").unit, "\u00d7100");
  for (const char* metric : results::kMetricNames) EXPECT_NO_THROW(score_names(metric));
  // Accuracy captions are the ones reports always had.
  EXPECT_EQ(metric_caption(Metric::TestAtBestVal),
            "test accuracy (%) at the best-validation epoch");
  EXPECT_EQ(metric_caption(Metric::FinalTest, "f1"), "test F1 (\u00d7100) after the last epoch");
}

// A pretrain run (masked-LM accuracy, no test split: NaN) beside an MCC study, through a results
// file and back: its record keeps its curve, points and config; it never mixes the study's
// metric; the report has its own table whose caption names the pretraining, and a figure.
TEST(MetricReport, PretrainRunsAreTheirOwnTableAndRoundTrip) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  RunRecord pre;
  pre.key = "pre";
  pre.kind = "pretrain";
  pre.model = "resnet8";  // the study's teacher model
  pre.status = Status::Done;
  pre.dataset = "glue-cola";
  pre.metric = "accuracy";
  pre.best_val_acc = pre.best_val_metric = 0.3125;
  pre.test_acc_at_best_val = pre.final_test_acc = pre.best_test_acc = nan;
  pre.test_metric_at_best_val = pre.final_test_metric = pre.best_test_metric = nan;
  pre.curves.epoch = {100, 200};
  pre.curves.train_loss = {7.5, 6.25};
  pre.curves.train_acc = pre.curves.test_acc = pre.curves.test_metric = {nan, nan};
  pre.curves.val_acc = pre.curves.val_metric = {0.25, 0.3125};
  pre.curves.lr = {5e-4, 0};
  pre.curves.seconds = {10, 11};
  pre.evaluations = {{{"step", 100}, {"val_loss", 7.0}}, {{"step", 200}, {"val_loss", 6.5}}};
  pre.config = {{"pretrain",
                 {{"corpus", {"/d/spam", "/d/sotu-party"}},
                  {"corpus_datasets", {"spam", "sotu-party"}},
                  {"steps", 200},
                  {"batch_size", 32},
                  {"train_sequences", 48314},
                  {"val_mlm_loss", 6.5},
                  {"val_mlm_accuracy", 0.3125},
                  {"seconds", 21.0},
                  {"sequences_per_second", 304.76}}}};
  fixtures::TempDir tmp;
  std::vector<RunRecord> runs = mcc_runs();
  runs.insert(runs.begin() + 2, pre);
  const std::string path = write_file(tmp, runs);

  const auto back = results::ResultsStore::open_read_only(path).get("pre");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->kind, "pretrain");
  EXPECT_EQ(back->curves.epoch, pre.curves.epoch);
  EXPECT_EQ(back->curves.val_acc, pre.curves.val_acc);
  EXPECT_TRUE(std::isnan(back->curves.test_acc[1]) && std::isnan(back->test_acc_at_best_val));
  EXPECT_EQ(back->evaluations, pre.evaluations);
  EXPECT_EQ(back->config, pre.config);
  EXPECT_DOUBLE_EQ(back->best_val_acc, 0.3125);

  ReportOptions options;
  options.results_path = path;
  options.out_dir = tmp.file("report");
  options.compile_pdf = false;
  write_report(options);  // the MCC study stays one metric: the pretrain run is not scored
  const std::filesystem::path dir(options.out_dir);
  const std::string tex = read_text(dir / "tables" / "pretraining.tex");
  EXPECT_TRUE(contains(tex,
                       "resnet8: MLM-pretrained on spam, sotu-party for 200 steps, val. MLM "
                       "acc. 31.2 \\%"))
      << tex;
  EXPECT_TRUE(contains(tex, "48,314")) << tex;
  EXPECT_TRUE(contains(read_text(dir / "tables" / "pretraining.csv"),
                       "pre,resnet8,\"spam, sotu-party\",200,32,48314,6.500000,0.312500,"))
      << read_text(dir / "tables" / "pretraining.csv");
  EXPECT_TRUE(
      contains(read_text(dir / "figures" / "pretraining_mlm.tex"), "(100,25.000) (200,31.250)"));
  EXPECT_TRUE(contains(read_text(dir / "report.tex"), "tables/pretraining"));
  EXPECT_TRUE(contains(read_text(dir / "tables" / "capacity_gap.tex"), "MCC"));
}
