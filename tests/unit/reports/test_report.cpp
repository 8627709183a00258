// write_report without pdflatex: which files a report writes, options, partial grids, errors.
// (The compiled bundle is tested once in test_bundle_pdf.cpp.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cifar_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/reports/report.h"
#include "record_fixtures.h"
#include "study_fixture.h"

using namespace kdbench;
using namespace kdbench::reports;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ReportOptions options_for(const fixtures::TempDir& tmp, const std::string& results) {
  ReportOptions options;
  options.results_path = results;
  options.out_dir = tmp.file("out");
  options.compile_pdf = false;
  return options;
}

// Sets PATH for one scope (to hide pdflatex), restoring it after.
class ScopedPath {
 public:
  explicit ScopedPath(const std::string& path)
      : old_(std::getenv("PATH") ? std::getenv("PATH") : "") {
    setenv("PATH", path.c_str(), 1);
  }
  ~ScopedPath() { setenv("PATH", old_.c_str(), 1); }

 private:
  std::string old_;
};

}  // namespace

TEST(Report, WritesEveryTableFigureAndTheDocuments) {
  fixtures::TempDir tmp;
  const ReportSummary summary = write_report(options_for(tmp, fixtures::shared_cifar_study()));
  const fs::path out = tmp.file("out");
  std::vector<std::string> expected;
  for (const char* table : {"capacity_gap", "method_summary", "checkpoint_search", "ta_paths"}) {
    for (const char* ext : {".tex", ".csv", ".md"}) {
      expected.push_back((out / "tables" / (std::string(table) + ext)).string());
    }
    if (std::string(table) == "capacity_gap") {
      expected.push_back((out / "figures/capacity_gap_resnet8.tex").string());
    }
    if (std::string(table) == "checkpoint_search") {
      expected.push_back((out / "figures/checkpoint_search_resnet110_resnet8.tex").string());
    }
  }
  // Curves only where a KD method finished: resnet8 with both teachers, never cnn2.
  expected.push_back((out / "figures/curves_resnet8_resnet20.tex").string());
  expected.push_back((out / "figures/curves_resnet8_resnet110.tex").string());
  for (const char* doc : {"summary.csv", "report.tex", "report.md"}) {
    expected.push_back((out / doc).string());
  }
  EXPECT_EQ(summary.files, expected);
  EXPECT_EQ(summary.runs, 21);
  EXPECT_EQ(summary.done, 16);
  EXPECT_EQ(summary.figures, 4);
  EXPECT_TRUE(summary.messages.empty());

  const std::string tex = slurp(out / "report.tex");
  for (const char* table : {"capacity_gap", "method_summary", "checkpoint_search", "ta_paths"}) {
    EXPECT_NE(tex.find("\\input{tables/" + std::string(table) + "}"), std::string::npos) << table;
  }
  EXPECT_NE(tex.find("\\includegraphics{figures/curves_resnet8_resnet110.pdf}"), std::string::npos);
  EXPECT_NE(tex.find("\\title{kdbench report: takd-cifar10}"), std::string::npos);
  EXPECT_NE(tex.find("seeds 1, 2, 3"), std::string::npos);
  const std::string md = slurp(out / "report.md");
  EXPECT_NE(md.find(slurp(out / "tables/ta_paths.md")), std::string::npos);
  EXPECT_NE(md.find("![capacity\\_gap\\_resnet8](figures/capacity_gap_resnet8.png)"),
            std::string::npos);
  // Atomic writes leave no temporaries behind.
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out)) files += entry.is_regular_file();
  EXPECT_EQ(files, expected.size());
}

TEST(Report, SummaryCsvHasOneLinePerRun) {
  fixtures::TempDir tmp;
  write_report(options_for(tmp, fixtures::shared_cifar_study()));
  const std::string csv = slurp(fs::path(tmp.file("out")) / "summary.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 22);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "key,kind,status,dataset,model,params,method,teacher,chain,teacher_checkpoint,seed,"
            "best_val_acc,test_acc_at_best_val,final_test_acc,best_test_acc,best_epoch,epochs,"
            "wall_seconds,error");
  // teacher = the chain's root, as in every table.
  EXPECT_NE(csv.find("\nc14,student,FAILED,cifar10,resnet8,78042,takd,resnet110,"
                     "resnet110 > resnet20 > resnet8,-1,2,,,,,,0,0.0,loss became nan at epoch 2\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\nc17,student,DONE,cifar10,resnet8,78042,kd,resnet110,resnet110 > resnet8,"
                     "10,1,87.4000,87.0000,86.9000,87.2000,4,4,0.0,\n"),
            std::string::npos)
      << csv;
}

TEST(Report, MetricAndSelectionOptions) {
  fixtures::TempDir tmp;
  ReportOptions options = options_for(tmp, fixtures::shared_study());
  options.metric = "best_val";  // fixture: best_val = test_at_best_val + 0.5 points
  options.methods = {"kd", "nokd"};
  options.students = {"cnn2"};
  write_report(options);
  const fs::path out = tmp.file("out");
  const std::string csv = slurp(out / "tables/capacity_gap.csv");
  EXPECT_NE(csv.find("\ncnn2,10394,resnet8,77754,90.7300,0.1556,2,,kd,done,86.8000,0.2828,2,0,1,"
                     "paired t-test,"),
            std::string::npos)
      << csv;
  EXPECT_EQ(csv.find("takd"), std::string::npos);
  EXPECT_EQ(csv.find("cnn4"), std::string::npos);
  const std::string tex = slurp(out / "tables/capacity_gap.tex");
  EXPECT_NE(tex.find("Student best validation accuracy (\\%)"), std::string::npos);
  EXPECT_NE(tex.find("Teacher & Params & Teacher acc. & kd & nokd \\\\"), std::string::npos);
}

TEST(Report, BadInputsWriteNothing) {
  fixtures::TempDir tmp;
  ReportOptions options = options_for(tmp, tmp.file("missing.h5"));
  EXPECT_THROW(write_report(options), IoError);
  options.metric = "accuracy";
  EXPECT_THROW(write_report(options), ConfigError);
  options = options_for(tmp, fixtures::shared_study());
  options.teachers = {"resnet8", "resnet1202"};
  EXPECT_THROW(write_report(options), ConfigError);
  options = options_for(tmp, fixtures::shared_study());
  options.out_dir = "";
  EXPECT_THROW(write_report(options), ConfigError);
  EXPECT_FALSE(fs::exists(tmp.file("out")));
}

TEST(Report, PartialGridShowsPendingAndFailedCells) {
  fixtures::TempDir tmp;
  const std::string path = tmp.file("partial.h5");
  {
    auto store = results::ResultsStore::open_or_create(path, {});
    using results::Status;
    store.put(fixtures::make_run({"teacher", "resnet8", "", "", 1, Status::Running, 0}, 0));
    store.put(fixtures::make_run({"student", "cnn2", "kd", "resnet8", 1, Status::Failed, 0}, 1));
    store.put(fixtures::make_run({"student", "cnn2", "nokd", "", 1, Status::Running, 0}, 2));
  }
  const ReportSummary summary = write_report(options_for(tmp, path));
  EXPECT_EQ(summary.figures, 0);  // nothing finished: nothing to plot
  const fs::path out = tmp.file("out");
  const std::string tex = slurp(out / "tables/capacity_gap.tex");
  EXPECT_NE(tex.find("resnet8 & 77,754 & --- & --- & $\\times$ \\\\\n"), std::string::npos) << tex;
  EXPECT_NE(tex.find("over no finished runs yet"), std::string::npos) << tex;
  EXPECT_NE(tex.find("No t-test against nokd yet"), std::string::npos) << tex;
  EXPECT_NE(slurp(out / "tables/capacity_gap.md").find("| resnet8 | 77,754 | — | — | × |"),
            std::string::npos);
  EXPECT_NE(slurp(out / "tables/capacity_gap.csv")
                .find("cnn2,10394,resnet8,77754,,,0,,kd,failed,,,0,1,0,,,,,,\n"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(out / "tables/checkpoint_search.tex"));
  EXPECT_FALSE(fs::exists(out / "tables/ta_paths.tex"));
}

TEST(Report, MissingPdflatexIsAMessageNotAFailure) {
  fixtures::TempDir tmp;
  fs::create_directories(tmp.file("empty-bin"));
  ScopedPath no_latex(tmp.file("empty-bin"));
  ReportOptions options = options_for(tmp, fixtures::shared_cifar_study());
  options.compile_pdf = true;
  const ReportSummary summary = write_report(options);
  ASSERT_EQ(summary.messages.size(), 1u);
  EXPECT_EQ(summary.messages[0].rfind("pdflatex not found: wrote the tables", 0), 0u)
      << summary.messages[0];
  EXPECT_TRUE(fs::exists(fs::path(tmp.file("out")) / "tables/capacity_gap.csv"));
  EXPECT_FALSE(fs::exists(fs::path(tmp.file("out")) / "report.pdf"));
  options.require_pdf = true;
  options.out_dir = tmp.file("out2");
  EXPECT_THROW(write_report(options), IoError);
  EXPECT_TRUE(fs::exists(fs::path(tmp.file("out2")) / "tables/capacity_gap.csv"));
}
