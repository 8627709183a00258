// Golden tests of every table in every format: the CIFAR fixture (cifar_fixture.h, whose header
// derives each number by hand) rendered as LaTeX, Markdown and CSV must match the files in
// golden/ byte for byte. The golden files were reviewed by hand against those derivations; the
// numbers that matter are also asserted directly below, so a wrong golden cannot hide.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "cifar_fixture.h"
#include "kdbench/reports/csv.h"
#include "kdbench/reports/table_views.h"
#include "record_fixtures.h"

using namespace kdbench;
using namespace kdbench::reports;

namespace {

std::string golden(const std::string& name) {
  const std::string path = std::string(KDBENCH_SOURCE_DIR) + "/tests/unit/reports/golden/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing golden file " << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The fixture study, read once for all tests of this file.
const StudyResults& cifar_study() {
  static const StudyResults study = load_results(fixtures::shared_cifar_study());
  return study;
}

TableOptions with_paper() {
  TableOptions options;
  options.paper = true;
  return options;
}

}  // namespace

TEST(Tables, CapacityGapGoldenTexMarkdownCsv) {
  const CapacityGapTable t = capacity_gap(cifar_study(), with_paper());
  EXPECT_EQ(render_latex(capacity_gap_view(t)), golden("capacity_gap.tex"));
  EXPECT_EQ(render_markdown(capacity_gap_view(t)), golden("capacity_gap.md"));
  EXPECT_EQ(capacity_gap_csv(t), golden("capacity_gap.csv"));
}

TEST(Tables, MethodSummaryGoldenTexMarkdownCsv) {
  const MethodSummaryTable t = method_summary(capacity_gap(cifar_study(), with_paper()));
  EXPECT_EQ(render_latex(method_summary_view(t)), golden("method_summary.tex"));
  EXPECT_EQ(render_markdown(method_summary_view(t)), golden("method_summary.md"));
  EXPECT_EQ(method_summary_csv(t), golden("method_summary.csv"));
}

TEST(Tables, CheckpointSearchGoldenTexMarkdownCsv) {
  const CheckpointSearchTable t = checkpoint_search(cifar_study(), with_paper());
  EXPECT_EQ(latex_of(checkpoint_search_views(t)), golden("checkpoint_search.tex"));
  EXPECT_EQ(markdown_of(checkpoint_search_views(t)), golden("checkpoint_search.md"));
  EXPECT_EQ(checkpoint_search_csv(t), golden("checkpoint_search.csv"));
}

TEST(Tables, TaPathsGoldenTexMarkdownCsv) {
  const TakdPathsTable t = takd_paths(cifar_study(), with_paper());
  EXPECT_EQ(render_latex(takd_paths_view(t)), golden("ta_paths.tex"));
  EXPECT_EQ(render_markdown(takd_paths_view(t)), golden("ta_paths.md"));
  EXPECT_EQ(takd_paths_csv(t), golden("ta_paths.csv"));
}

TEST(Tables, CapacityGapNumbersByHand) {
  const CapacityGapTable t = capacity_gap(cifar_study(), with_paper());
  ASSERT_EQ(t.methods, (std::vector<std::string>{"nokd", "kd", "takd"}));
  const CapacityGapRow& r20 = t.blocks[0].rows[0];
  const CapacityGapRow& r110 = t.blocks[0].rows[1];
  EXPECT_NEAR(r20.cells[0].stats.mean, 88.1333333333, 1e-9);
  EXPECT_NEAR(r20.cells[0].stats.std, 0.3214550254, 1e-9);
  EXPECT_NEAR(r20.cells[1].stats.std, 0.4163331999, 1e-9);
  EXPECT_EQ(r20.cells[1].vs_nokd.kind, TestKind::PairedT);
  EXPECT_NEAR(r20.cells[1].vs_nokd.p, 0.0033167587, 1e-9);
  EXPECT_EQ(r110.cells[1].vs_nokd.kind, TestKind::WelchT);
  EXPECT_NEAR(r110.cells[1].vs_nokd.p, 0.4351624881, 1e-9);
  EXPECT_TRUE(t.used_paired && t.used_welch);
  // Published numbers only where the setup is a paper's: resnet110 -> resnet8 on CIFAR-10.
  EXPECT_EQ(r110.paper_teacher, 93.8);
  EXPECT_EQ(r110.cells[2].paper, 88.47);  // takd through resnet20, as in the paper
  EXPECT_FALSE(r20.cells[1].paper.has_value());
  EXPECT_FALSE(t.blocks[1].rows[1].cells[0].paper.has_value());  // cnn2 is no paper's student
  EXPECT_FALSE(t.paper_unnamed_teacher);
}

namespace {

// GLUE runs of a BERT-Small student under two teachers (SST-2 unless `dataset` says otherwise).
StudyResults glue_study(const std::string& dataset, const std::vector<std::string>& teachers) {
  StudyResults study;
  const auto run = [&](const std::string& kind, const std::string& model, const std::string& method,
                       const std::string& teacher, double score) {
    results::RunRecord r;
    r.key = kind + model + method + teacher;
    r.kind = kind, r.model = model, r.method = method, r.teacher_model = teacher, r.seed = 1;
    r.dataset = dataset;
    r.status = results::Status::Done;
    r.best_val_acc = r.test_acc_at_best_val = r.final_test_acc = r.best_test_acc = score;
    r.best_val_metric = r.test_metric_at_best_val = r.final_test_metric = r.best_test_metric =
        score;
    return r;
  };
  for (const auto& t : teachers) study.runs.push_back(run("teacher", t, "", "", 0.93));
  study.runs.push_back(run("student", "bert-L4-H512", "nokd", "", 0.88));
  for (const auto& t : teachers)
    study.runs.push_back(run("student", "bert-L4-H512", "kd", t, 0.89));
  study.runs.push_back(run("student", "bert-L2-H128", "kd", teachers.front(), 0.84));
  return study;
}

}  // namespace

// Continuation-KD Table 5 names its teacher (BERT-large, §5.3 of the paper): its numbers stand
// beside the bert-L24-H1024 row of a BERT-Small student only, for every GLUE task kdbench scores
// in the table's metric, the teacher's own score too; QQP (accuracy there, F1 here) has none.
TEST(Tables, ContinuationKdGlueNumbersStandBesideTheirTeacher) {
  const StudyResults sst2 = glue_study("glue-sst2", {"bert-L24-H1024", "bert-L12-H768"});
  const CapacityGapTable t = capacity_gap(sst2, with_paper());
  ASSERT_EQ(t.methods, (std::vector<std::string>{"nokd", "kd"}));
  const auto& large = t.blocks[0].rows[0];
  ASSERT_EQ(large.teacher, "bert-L24-H1024");
  EXPECT_EQ(large.paper_teacher, 92.77);
  EXPECT_EQ(large.cells[0].paper, 88.3);
  EXPECT_EQ(large.cells[1].paper, 88.76);
  const auto& base = t.blocks[0].rows[1];  // not the paper's teacher
  EXPECT_FALSE(base.paper_teacher.has_value());
  EXPECT_FALSE(base.cells[1].paper.has_value());
  EXPECT_FALSE(t.blocks[1].rows[0].cells[1].paper.has_value());  // bert-L2-H128: no paper's
  EXPECT_FALSE(t.paper_unnamed_teacher);
  EXPECT_NE(capacity_gap_view(t).caption.find("dev set"), std::string::npos);
  const std::vector<std::pair<std::string, double>> kd_by_task = {
      {"glue-cola", 41.89}, {"glue-rte", 64.98},  {"glue-mrpc", 86},
      {"glue-stsb", 85.95}, {"glue-qnli", 86.75}, {"glue-mnli", 78.62}};
  for (const auto& [dataset, kd] : kd_by_task) {
    SCOPED_TRACE(dataset);
    const CapacityGapTable g = capacity_gap(glue_study(dataset, {"bert-L24-H1024"}), with_paper());
    EXPECT_EQ(g.blocks[0].rows[0].cells[1].paper, kd);
  }
  const CapacityGapTable qqp =
      capacity_gap(glue_study("glue-qqp", {"bert-L24-H1024"}), with_paper());
  EXPECT_FALSE(qqp.blocks[0].rows[0].cells[1].paper.has_value());
  EXPECT_FALSE(qqp.blocks[0].rows[0].paper_teacher.has_value());
}

// A published number whose paper does not name its teacher (a --paper-numbers line with teacher
// "*") stands beside every teacher row of its (dataset, student) setup, and the caption names it.
TEST(Tables, PaperNumbersOfAnUnnamedTeacherStandBesideEveryTeacher) {
  const StudyResults study = glue_study("glue-sst2", {"bert-L12-H768", "bert-L6-H768"});
  TableOptions options = with_paper();
  options.user_paper_numbers = {
      {"glue-sst2", kUnnamedTeacher, "bert-L4-H512", "nokd", "", 87.5, "Some paper", "f:2"},
      {"glue-sst2", kUnnamedTeacher, "bert-L4-H512", "kd", "", 88.25, "Some paper", "f:3"}};
  const CapacityGapTable t = capacity_gap(study, options);
  ASSERT_EQ(t.blocks.size(), 2U);
  ASSERT_EQ(t.methods, (std::vector<std::string>{"nokd", "kd"}));
  for (const auto& row : t.blocks[0].rows) {  // bert-L4-H512 under both teachers
    SCOPED_TRACE(row.teacher);
    EXPECT_EQ(row.cells[0].paper, 87.5);
    EXPECT_EQ(row.cells[1].paper, 88.25);
    EXPECT_FALSE(row.paper_teacher.has_value());  // no teacher number
  }
  for (const auto& row : t.blocks[1].rows) EXPECT_FALSE(row.cells[1].paper.has_value());
  EXPECT_TRUE(t.paper_unnamed_teacher);
  EXPECT_NE(capacity_gap_view(t).caption.find(
                "The published numbers of Some paper come from a paper that does not name its "
                "teacher"),
            std::string::npos);
  EXPECT_EQ(capacity_gap(study, with_paper()).paper_unnamed_teacher, false);
}

TEST(Tables, MethodSummaryByHand) {
  const MethodSummaryTable t = method_summary(capacity_gap(cifar_study(), TableOptions{}));
  const auto& rows = t.blocks[0].rows;  // resnet8
  // Only the resnet110 row has all three methods: takd 88.70 > kd 88.60 > nokd 88.13.
  EXPECT_EQ(rows[0].mean_rank, 3);
  EXPECT_EQ(rows[1].mean_rank, 2);
  EXPECT_EQ(rows[2].mean_rank, 1);
  EXPECT_EQ(rows[2].ranked_teachers, 1);
  // kd gains 1.00 (resnet20) and 0.4667 (resnet110): mean 0.7333; takd 0.5667 from one teacher.
  EXPECT_NEAR(rows[1].mean_gain, (1.0 + 0.4666666667) / 2, 1e-9);
  EXPECT_EQ(rows[1].gain_teachers, 2);
  EXPECT_NEAR(rows[2].mean_gain, 0.5666666667, 1e-9);
  EXPECT_EQ(rows[1].significant, 1);
  EXPECT_TRUE(rows[1].best_gain);
  EXPECT_TRUE(rows[2].best_rank);
  EXPECT_EQ(descending_ranks({3, 1, 3, 2}), (std::vector<double>{1.5, 4, 1.5, 3}));
  EXPECT_EQ(descending_ranks({}), (std::vector<double>{}));
}

TEST(Tables, CheckpointRowsComeFromGridAndRuns) {
  const CheckpointSearchTable t = checkpoint_search(cifar_study(), TableOptions{});
  ASSERT_EQ(t.blocks.size(), 1u);  // resnet20 has no checkpoint runs
  const CheckpointBlock& b = t.blocks[0];
  ASSERT_EQ(b.rows.size(), 3u);
  EXPECT_EQ(b.rows[2].checkpoint, -1);
  EXPECT_EQ(b.rows[2].epoch, 30);                       // the teacher's last epoch
  EXPECT_NEAR(b.rows[0].teacher_val.mean, 80.1, 1e-9);  // 80.0 and 80.2 over teacher seeds
  EXPECT_EQ(b.rows[1].cells[0].runs.failed, 1);
  EXPECT_TRUE(b.rows[1].cells[0].best);  // 89.50 at epoch 20 beats the final teacher's 88.60
  EXPECT_NEAR(t.nokd.at("resnet8").mean, 88.1333333333, 1e-9);
}

TEST(Tables, WithoutPaperNoPublishedNumbers) {
  const CapacityGapTable t = capacity_gap(cifar_study(), TableOptions{});
  const std::string tex = render_latex(capacity_gap_view(t));
  EXPECT_EQ(tex.find("[88."), std::string::npos);
  EXPECT_EQ(tex.find("In brackets"), std::string::npos);
  EXPECT_EQ(render_latex(takd_paths_view(takd_paths(cifar_study(), TableOptions{}))).find("[9"),
            std::string::npos);
}

TEST(Tables, ColumnGroupsInLatexAndMarkdown) {
  TableModel m;
  m.label = "tab:x";
  m.title = "T";
  m.caption = "C.";
  m.align = "lcc";
  m.groups = {{"", 1}, {"Student wrn_16-2", 2}};
  m.header = {"Epoch", "kd", "dkd"};
  m.sections = {
      {"", {{{"5", false, "", ""}, {"1.00", true, "\u2020", ""}, {"\u2014", false, "", "[2]"}}}}};
  EXPECT_EQ(render_latex(m),
            "% Generated by kdbench report: T. Do not edit; regenerate.\n"
            "\\begin{table}[htbp]\n\\centering\n\\caption{T. C.}\n\\label{tab:x}\n\\small\n"
            "\\begin{tabular}{lcc}\n\\toprule\n"
            " & \\multicolumn{2}{c}{Student wrn\\_16-2} \\\\\n\\cmidrule(lr){2-3}\n"
            "Epoch & kd & dkd \\\\\n\\midrule\n"
            "5 & \\textbf{1.00}\\textsuperscript{\\dag{}} & ---\\,{\\scriptsize [2]} \\\\\n"
            "\\bottomrule\n\\end{tabular}\n\\end{table}\n");
  EXPECT_EQ(render_markdown(m),
            "### T\n\nC.\n\n| Epoch | Student wrn\\_16-2 kd | Student wrn\\_16-2 dkd |\n"
            "| :--- | :---: | :---: |\n| 5 | **1.00**† | — [2] |\n");
}

TEST(Tables, EscapingForLatexMarkdownAndCsv) {
  EXPECT_EQ(latex_escape("wrn_16-2 & 50% $x# {a} ~^\\ <|>"),
            "wrn\\_16-2 \\& 50\\% \\$x\\# \\{a\\} \\textasciitilde{}\\textasciicircum{}"
            "\\textbackslash{} $<$$|$$>$");
  EXPECT_EQ(latex_escape("a \u2192 b \u00b1 1 \u2014 \u00d7 \u2212 \u2021 \u00e9"),
            "a $\\rightarrow$ b $\\pm$ 1 --- $\\times$ $-$ \\ddag{} \u00e9");
  EXPECT_EQ(latex_escape("kdbench report --metric"), "kdbench report -{}-metric");
  EXPECT_EQ(markdown_escape("a|b*c_d`e\\f"), "a\\|b\\*c\\_d\\`e\\\\f");
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_line({"x", "y\nz", ""}), "x,\"y\nz\",\n");
}

TEST(Tables, CellTextForEveryState) {
  ResultCell cell;
  EXPECT_EQ(result_cell(cell).text, "\u2014");  // nothing recorded: pending
  cell.runs.failed = 2;
  EXPECT_EQ(result_cell(cell).text, "\u00d7");
  cell.runs.values = {{1, 87.314}, {2, 87.0}};
  cell.stats = cell.runs.stats();
  cell.best = true;
  cell.vs_nokd.kind = TestKind::WelchT;
  cell.vs_nokd.p = 0.01;
  cell.paper = 88.0;
  const TableCell out = result_cell(cell);
  EXPECT_EQ(out.text, "87.16 \u00b1 0.22 (2)");
  EXPECT_TRUE(out.bold);
  EXPECT_EQ(out.marker, "\u2021");
  EXPECT_EQ(out.note, "[88.00]");
  cell.vs_nokd.p = 0.05;  // not below the level
  EXPECT_EQ(result_cell(cell).marker, "");
}
