// The compiled bundle: figures to PDF and PNG, report.tex to report.pdf with every table and
// figure, checked with poppler's pdfinfo / pdftotext. pdflatex is slow, so the bundle is built
// once for all tests of this file.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "cifar_fixture.h"
#include "kdbench/reports/report.h"
#include "record_fixtures.h"

using namespace kdbench;
using namespace kdbench::reports;
namespace fs = std::filesystem;

namespace {

std::string run(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[4096];
  while (pipe && fgets(buf, sizeof buf, pipe.get())) out += buf;
  return out;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int pdf_pages(const fs::path& pdf) {
  const std::string info = run("pdfinfo '" + pdf.string() + "' 2>&1");
  const auto at = info.find("Pages:");
  return at == std::string::npos ? -1 : std::stoi(info.substr(at + 6));
}

std::string page_text(const fs::path& pdf, int page) {
  return run("pdftotext -layout -f " + std::to_string(page) + " -l " + std::to_string(page) + " '" +
             pdf.string() + "' - 2>&1");
}

class Bundle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fixtures::TempDir;
    ReportOptions options;
    options.results_path = fixtures::shared_cifar_study();
    options.out_dir = dir_->file("out");
    options.paper = true;
    options.require_pdf = true;
    summary_ = new ReportSummary(write_report(options));
  }
  static void TearDownTestSuite() {
    delete summary_;
    delete dir_;
  }
  static fs::path out() { return dir_->file("out"); }
  static fixtures::TempDir* dir_;
  static ReportSummary* summary_;
};
fixtures::TempDir* Bundle::dir_ = nullptr;
ReportSummary* Bundle::summary_ = nullptr;

const char* kFigures[] = {"capacity_gap_resnet8", "checkpoint_search_resnet110_resnet8",
                          "curves_resnet8_resnet20", "curves_resnet8_resnet110"};

}  // namespace

TEST_F(Bundle, EveryFigureIsAOnePagePdfAndA150DpiPng) {
  for (const char* name : kFigures) {
    const fs::path pdf = out() / "figures" / (std::string(name) + ".pdf");
    EXPECT_EQ(pdf_pages(pdf), 1) << pdf;
    const std::string png = slurp(out() / "figures" / (std::string(name) + ".png"));
    ASSERT_GT(png.size(), 24u) << name;
    EXPECT_EQ(png.substr(1, 3), "PNG");
    // IHDR width (big-endian at byte 16): a ~12 cm figure at 150 dpi is 600-900 px wide.
    const auto* b = reinterpret_cast<const unsigned char*>(png.data());
    const int width = (b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19];
    EXPECT_GT(width, 500) << name;
    EXPECT_LT(width, 1000) << name;
    EXPECT_FALSE(fs::exists(out() / "figures" / (std::string(name) + ".log")));  // cleaned up
  }
  const std::string axis = page_text(out() / "figures/capacity_gap_resnet8.pdf", 1);
  EXPECT_NE(axis.find("Teacher (parameters, log scale)"), std::string::npos) << axis;
  EXPECT_NE(axis.find("resnet110"), std::string::npos);
  EXPECT_NE(axis.find("1.7M"), std::string::npos);
  const std::string search =
      page_text(out() / "figures/checkpoint_search_resnet110_resnet8.pdf", 1);
  EXPECT_NE(search.find("Teacher test acc."), std::string::npos) << search;  // the second axis
  EXPECT_NE(search.find("final"), std::string::npos);
}

TEST_F(Bundle, ReportPdfHasEveryTableAndFigureOnItsPage) {
  const fs::path pdf = out() / "report.pdf";
  ASSERT_EQ(summary_->files.back(), pdf.string());
  // Study overview; capacity-gap table + figure; method summary; checkpoint-search table +
  // figure; TA paths; the two training-curve figures (one per page): each section starts a page.
  ASSERT_EQ(pdf_pages(pdf), 7);
  const std::string p1 = page_text(pdf, 1);
  EXPECT_NE(p1.find("kdbench report: takd-cifar10"), std::string::npos) << p1;
  EXPECT_NE(p1.find("21 (16 finished)"), std::string::npos) << p1;
  const std::string p2 = page_text(pdf, 2);
  EXPECT_NE(p2.find("Table 1: Capacity gap on cifar10"), std::string::npos) << p2;
  EXPECT_NE(p2.find("89.13 ± 0.42 (3)"), std::string::npos) << p2;  // († is in cmsy: no text)
  EXPECT_NE(p2.find("[88.47]"), std::string::npos) << p2;
  EXPECT_NE(p2.find("Figure 1: Capacity gap for student resnet8"), std::string::npos) << p2;
  EXPECT_NE(p2.find("Teacher (parameters, log scale)"), std::string::npos) << p2;  // included PDF
  EXPECT_NE(page_text(pdf, 3).find("Table 2: Method summary on cifar10"), std::string::npos);
  const std::string p4 = page_text(pdf, 4);
  EXPECT_NE(p4.find("Table 3: Checkpoint search, teacher resnet110"), std::string::npos) << p4;
  EXPECT_NE(p4.find("Figure 2: Checkpoint search: student resnet8"), std::string::npos) << p4;
  const std::string p5 = page_text(pdf, 5);
  EXPECT_NE(p5.find("Table 4: Teacher-assistant paths on cifar10"), std::string::npos) << p5;
  EXPECT_NE(p5.find("resnet110 → resnet20 → resnet8"), std::string::npos) << p5;
  EXPECT_NE(
      page_text(pdf, 6).find("Figure 3: Training curves of student resnet8 with teacher resnet20"),
      std::string::npos);
  EXPECT_NE(
      page_text(pdf, 7).find("Figure 4: Training curves of student resnet8 with teacher resnet110"),
      std::string::npos);
  EXPECT_EQ(run("pdftotext '" + pdf.string() + "' - | grep -c 'figure not compiled'"), "0\n");
}

TEST_F(Bundle, BareTablesCompileWithBooktabsAlone) {
  // Every table file inside a minimal document that loads only booktabs, as a paper would.
  std::ofstream(out() / "minimal.tex")
      << "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n"
         "\\input{tables/capacity_gap}\n\\input{tables/method_summary}\n"
         "\\input{tables/checkpoint_search}\n\\input{tables/ta_paths}\n\\end{document}\n";
  const std::string cmd = "cd '" + out().string() +
                          "' && pdflatex -interaction=nonstopmode -halt-on-error minimal.tex"
                          " > minimal.out 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << slurp(out() / "minimal.out");
  const std::string text = run("pdftotext '" + (out() / "minimal.pdf").string() + "' -");
  for (const char* title :
       {"Capacity gap", "Method summary", "Checkpoint search", "Teacher-assistant paths"}) {
    EXPECT_NE(text.find(title), std::string::npos) << title;
  }
}
