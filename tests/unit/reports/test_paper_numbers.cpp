// `kdbench report --paper-numbers FILE`: the CSV reader against good and bad files, and the numbers
// it brings in the tables (winning over the built-in ones, their source in the caption).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cifar_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/reports/capacity_gap.h"
#include "kdbench/reports/paper_numbers.h"
#include "kdbench/reports/report.h"
#include "kdbench/reports/table_views.h"
#include "kdbench/reports/takd_paths.h"
#include "record_fixtures.h"

using namespace kdbench;
using namespace kdbench::reports;

namespace {

const std::string kHeader = kPaperNumbersHeader;

std::string write_file(const fixtures::TempDir& tmp, const std::string& text) {
  const std::string path = tmp.file("numbers.csv");
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The message of the ConfigError that reading `text` throws ("" when it reads).
std::string read_error(const std::string& text) {
  fixtures::TempDir tmp;
  const std::string path = write_file(tmp, text);
  try {
    read_paper_numbers(path);
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path + ":", 0), 0U) << "the error names the file: " << message;
    return message.substr(path.size());
  }
  return "";
}

}  // namespace

TEST(PaperNumbers, ReadsQuotedFieldsCommentsAndWindowsLineEnds) {
  fixtures::TempDir tmp;
  const std::string path = write_file(
      tmp,
      "# typed from the papers\r\n\r\n" + kHeader +
          "\r\n"
          "glue-sst2,*,bert-L4-H512,annealing,,89.6,\"Annealing-KD, Tab. 3\"\r\n"
          "  # a comment between numbers\n"
          "cifar10, resnet110 , resnet8,takd,resnet56 resnet20,88.9,\"a \"\"quoted\"\" name\"\n");
  const auto numbers = read_paper_numbers(path);
  ASSERT_EQ(numbers.size(), 2U);
  EXPECT_EQ(numbers[0].dataset, "glue-sst2");
  EXPECT_EQ(numbers[0].teacher, kUnnamedTeacher);
  EXPECT_EQ(numbers[0].student, "bert-L4-H512");
  EXPECT_EQ(numbers[0].method, "annealing");
  EXPECT_EQ(numbers[0].assistants, "");
  EXPECT_DOUBLE_EQ(numbers[0].accuracy, 89.6);
  EXPECT_EQ(numbers[0].source, "Annealing-KD, Tab. 3");
  EXPECT_EQ(numbers[0].origin, path + ":4");
  EXPECT_EQ(numbers[1].teacher, "resnet110");  // fields are trimmed
  EXPECT_EQ(numbers[1].assistants, "resnet56 resnet20");
  EXPECT_DOUBLE_EQ(numbers[1].accuracy, 88.9);
  EXPECT_EQ(numbers[1].source, "a \"quoted\" name");
  EXPECT_EQ(numbers[1].origin, path + ":6");
  // A header alone is a file without numbers, not an error.
  EXPECT_TRUE(read_paper_numbers(write_file(tmp, kHeader + "\n")).empty());
}

TEST(PaperNumbers, BadFilesNameTheLineAndTheField) {
  const std::string ok = "cifar10,resnet110,resnet8,kd,,88.5,Paper\n";
  EXPECT_EQ(read_error(kHeader + "\n" + ok), "");
  EXPECT_EQ(read_error(""), ": empty; the first line must be the header '" + kHeader + "'");
  EXPECT_EQ(read_error(ok), ":1: the first line must be the header '" + kHeader + "', not '" +
                                ok.substr(0, ok.size() - 1) + "'");
  EXPECT_EQ(read_error(kHeader + "\ncifar10,resnet110,resnet8,kd,88.5,Paper\n"),
            ":2: 6 fields, expected 7 (" + kHeader + ")");
  EXPECT_EQ(read_error(kHeader + "\ncifar10,resnet110,resnet8,kd,,88.5,\"Paper\n"),
            ":2: a quoted field is not closed");
  EXPECT_NE(read_error(kHeader + "\ncifar10,,resnet8,kd,,88.5,Paper\n")
                .find(":2: field 'teacher' is empty"),
            std::string::npos);
  EXPECT_NE(read_error(kHeader + "\ncifar10,resnet110,resnet8,kd,,88.5,\n")
                .find(":2: field 'source' is empty"),
            std::string::npos);
  for (const std::string acc : {"abc", "101", "-1", "nan", "", "88.5%"}) {
    SCOPED_TRACE(acc);
    EXPECT_EQ(read_error(kHeader + "\ncifar10,resnet110,resnet8,kd,," + acc + ",Paper\n"),
              ":2: field 'accuracy' is '" + acc + "': a percentage in [0, 100] is allowed");
  }
  EXPECT_EQ(read_error(kHeader + "\ncifar10,resnet110,resnet8,kd,resnet20,88.5,Paper\n"),
            ":2: field 'assistants' is 'resnet20' but method is 'kd': only takd has a TA path");
  EXPECT_EQ(read_error(kHeader + "\n" + ok + "\n" + "cifar10,resnet110,resnet8,kd,,70,Other\n"),
            ":4: the setup (cifar10, resnet110 -> resnet8, kd) is already given on line 2");
  fixtures::TempDir tmp;
  EXPECT_THROW(read_paper_numbers(tmp.file("missing.csv")), ConfigError);
}

// A number from the file wins over the built-in one of the same setup (resnet110 -> resnet8 on
// CIFAR-10: nokd 88.44 in Continuation-KD Tab. 1), adds setups kdbench does not know, and its
// source is named in the caption; a setup nobody reports stays without brackets.
TEST(PaperNumbers, UserNumbersWinAndTheCaptionNamesTheirSource) {
  const StudyResults study = load_results(fixtures::shared_cifar_study());
  TableOptions options;
  options.paper = true;
  const CapacityGapTable builtin = capacity_gap(study, options);
  const auto& r110 = builtin.blocks[0].rows[1];  // resnet8 under resnet110
  ASSERT_EQ(r110.teacher, "resnet110");
  ASSERT_EQ(builtin.methods[0], "nokd");
  EXPECT_EQ(r110.cells[0].paper, 88.44);
  EXPECT_TRUE(builtin.user_paper_sources.empty());
  EXPECT_EQ(capacity_gap_view(builtin).caption.find("--paper-numbers"), std::string::npos);

  PaperNumber mine{"cifar10", "resnet110", "resnet8", "nokd", "", 87.25, "My rerun", "f.csv:2"};
  PaperNumber other{"cifar10", "resnet20", "cnn2", "kd", "", 61.5, "Other paper", "f.csv:3"};
  options.user_paper_numbers = {mine, other};
  const CapacityGapTable t = capacity_gap(study, options);
  EXPECT_EQ(t.blocks[0].rows[1].cells[0].paper, 87.25);
  EXPECT_EQ(t.blocks[0].rows[1].paper_teacher, 93.8);  // the built-in numbers stay
  const auto& cnn2_r20 = t.blocks[1].rows[0];
  ASSERT_EQ(cnn2_r20.teacher, "resnet20");
  EXPECT_EQ(cnn2_r20.cells[1].paper, 61.5);
  EXPECT_FALSE(cnn2_r20.cells[0].paper.has_value());
  EXPECT_EQ(t.user_paper_sources, (std::set<std::string>{"My rerun", "Other paper"}));
  EXPECT_NE(capacity_gap_view(t).caption.find(
                " Published numbers from --paper-numbers: My rerun; Other paper."),
            std::string::npos);
  // The TA-path table: the direct-KD and nokd cells of its chain take the same numbers.
  const TakdPathsTable paths = takd_paths(study, options);
  ASSERT_FALSE(paths.paths.empty());
  EXPECT_EQ(paths.paths[0].nokd.paper, 87.25);
  EXPECT_EQ(paths.user_paper_sources, (std::set<std::string>{"My rerun"}));
  EXPECT_NE(takd_paths_view(paths).caption.find("--paper-numbers: My rerun."), std::string::npos);
}

// Through write_report: a bad file stops the report before anything is written; a line that
// matches no run is a message, the others are shown (which implies --paper).
TEST(PaperNumbers, ReportReadsTheFileFirstAndReportsUnmatchedLines) {
  fixtures::TempDir tmp;
  ReportOptions options;
  options.results_path = fixtures::shared_cifar_study();
  options.out_dir = tmp.file("out");
  options.compile_pdf = false;
  options.paper_numbers_path = write_file(tmp, kHeader + "\ncifar10,resnet110,resnet8,kd,,x,P\n");
  EXPECT_THROW(write_report(options), ConfigError);
  EXPECT_FALSE(std::filesystem::exists(tmp.file("out")));

  options.paper_numbers_path =
      write_file(tmp, kHeader +
                          "\ncifar10,resnet110,resnet8,nokd,,87.25,My rerun\n"
                          "cifar10,resnet110,resnet88,kd,,70,Typo\n"
                          "cifar100,resnet110,resnet8,kd,,70,Other dataset\n");
  const ReportSummary summary = write_report(options);
  ASSERT_EQ(summary.messages.size(), 2U);
  EXPECT_EQ(summary.messages[0],
            options.paper_numbers_path + ":3: no run of " + options.results_path +
                " has dataset cifar10, student resnet88 and method kd, teacher resnet110; this "
                "number is not shown");
  EXPECT_EQ(summary.messages[1].rfind(options.paper_numbers_path + ":4: ", 0), 0U);
  std::ifstream md(tmp.file("out") + "/tables/capacity_gap.md");
  const std::string text((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("[87.25]"), std::string::npos);
  EXPECT_NE(text.find("--paper-numbers: My rerun."), std::string::npos);
}
