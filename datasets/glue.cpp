// GLUE TSV readers (kdbench/datasets/glue.h). The layouts below are the released files'; the
// header names listed per layout are checked, so a file of another task or kind is refused with
// the header it should have had.
#include "kdbench/datasets/glue.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"

namespace kdbench::datasets {
namespace {

constexpr int kNoColumn = -1;
constexpr int kLastColumn =
    -2;  // the label is the row's last column (MNLI, STS-B, as Hugging Face)

struct GlueLayout {
  bool header = true;
  size_t columns = 0;
  bool at_least = false;             // STS-B: rows may carry extra columns before the score
  std::map<int, std::string> names;  // header names checked, by column (kLastColumn allowed)
  int a = kNoColumn, b = kNoColumn, label = kNoColumn;
};

GlueLayout glue_layout(const std::string& task, GlueFile kind) {
  // Local corpora: every split in the layout of a GLUE training file.
  if (task == "spam" || task == "sotu-party" || task == "review-sentiment")
    return glue_layout("sst2", GlueFile::Train);
  if (task == "spam-pair") return glue_layout("rte", GlueFile::Train);
  const bool test = kind == GlueFile::Test;
  if (task == "cola")
    return test ? GlueLayout{true, 2,         false,    {{0, "index"}, {1, "sentence"}},
                             1,    kNoColumn, kNoColumn}
                : GlueLayout{false, 4, false, {}, 3, kNoColumn, 1};
  if (task == "sst2")
    return test ? GlueLayout{true, 2,         false,    {{0, "index"}, {1, "sentence"}},
                             1,    kNoColumn, kNoColumn}
                : GlueLayout{true, 2, false, {{0, "sentence"}, {1, "label"}}, 0, kNoColumn, 1};
  if (task == "mrpc")
    return test ? GlueLayout{true, 5, false,    {{0, "index"}, {3, "#1 String"}, {4, "#2 String"}},
                             3,    4, kNoColumn}
                : GlueLayout{true, 5, false, {{0, "Quality"}, {3, "#1 String"}, {4, "#2 String"}},
                             3,    4, 0};
  if (task == "stsb")
    return test ? GlueLayout{true, 9, false, {{7, "sentence1"}, {8, "sentence2"}}, 7, 8, kNoColumn}
                : GlueLayout{
                      true,       10,
                      true,       {{7, "sentence1"}, {8, "sentence2"}, {kLastColumn, "score"}},
                      7,          8,
                      kLastColumn};
  if (task == "qqp")
    return test ? GlueLayout{true, 3, false,    {{0, "id"}, {1, "question1"}, {2, "question2"}},
                             1,    2, kNoColumn}
                : GlueLayout{
                      true, 6, false, {{3, "question1"}, {4, "question2"}, {5, "is_duplicate"}},
                      3,    4, 5};
  if (task == "mnli") {
    if (test)
      return GlueLayout{true, 10, false, {{8, "sentence1"}, {9, "sentence2"}}, 8, 9, kNoColumn};
    const size_t columns = kind == GlueFile::Dev ? 16 : 12;  // dev: label1..label5, gold_label
    return GlueLayout{true,       columns,
                      false,      {{8, "sentence1"}, {9, "sentence2"}, {kLastColumn, "gold_label"}},
                      8,          9,
                      kLastColumn};
  }
  if (task == "qnli")
    return test ? GlueLayout{true, 3, false,    {{0, "index"}, {1, "question"}, {2, "sentence"}},
                             1,    2, kNoColumn}
                : GlueLayout{true, 4, false, {{1, "question"}, {2, "sentence"}, {3, "label"}},
                             1,    2, 3};
  // rte, wnli
  return test ? GlueLayout{true, 3, false,    {{0, "index"}, {1, "sentence1"}, {2, "sentence2"}},
                           1,    2, kNoColumn}
              : GlueLayout{true, 4, false, {{1, "sentence1"}, {2, "sentence2"}, {3, "label"}},
                           1,    2, 3};
}

const char* glue_kind_name(GlueFile kind) {
  return kind == GlueFile::Train ? "train" : kind == GlueFile::Dev ? "dev" : "test";
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

const std::string& tsv_column(const std::vector<std::string>& row, int index) {
  return row[index == kLastColumn ? row.size() - 1 : static_cast<size_t>(index)];
}

std::string glue_column_text(int index) {
  return index == kLastColumn ? "the last column" : "column " + std::to_string(index + 1);
}

// "column 4 'sentence'; ..." — what the task's rows hold, for error lines.
std::string describe_glue_rows(const GlueTask& task, GlueFile kind, const GlueLayout& l) {
  std::string out = task.display + " " + glue_kind_name(kind) + " rows have " +
                    (l.at_least ? "at least " : "") + std::to_string(l.columns) +
                    " tab-separated columns";
  if (!l.names.empty()) {
    out += " (";
    bool first = true;
    for (const auto& [index, name] : l.names) {
      out += (first ? "" : ", ") + glue_column_text(index) + " " + name;
      first = false;
    }
    out += ")";
  }
  return out;
}

}  // namespace

const std::vector<GlueTask>& glue_tasks() {
  static const std::vector<std::string> binary = {"0", "1"};
  static const std::vector<std::string> entailment = {"entailment", "not_entailment"};
  static const std::vector<GlueTask> tasks = {
      {"cola", "CoLA", false, binary, "matthews", {"dev.tsv"}, {"test.tsv"}},
      {"sst2", "SST-2", false, binary, "accuracy", {"dev.tsv"}, {"test.tsv"}},
      {"mrpc", "MRPC", true, binary, "f1+accuracy", {"dev.tsv"}, {"test.tsv"}},
      {"stsb", "STS-B", true, {}, "pearson+spearman", {"dev.tsv"}, {"test.tsv"}},
      {"qqp", "QQP", true, binary, "f1+accuracy", {"dev.tsv"}, {"test.tsv"}},
      {"mnli",
       "MNLI",
       true,
       {"contradiction", "entailment", "neutral"},
       "accuracy",
       {"dev_matched.tsv", "dev_mismatched.tsv"},
       {"test_matched.tsv", "test_mismatched.tsv"}},
      {"qnli", "QNLI", true, entailment, "accuracy", {"dev.tsv"}, {"test.tsv"}},
      {"rte", "RTE", true, entailment, "accuracy", {"dev.tsv"}, {"test.tsv"}},
      {"wnli", "WNLI", true, binary, "accuracy", {"dev.tsv"}, {"test.tsv"}},
  };
  return tasks;
}

const std::vector<GlueTask>& local_text_tasks() {
  static const std::vector<std::string> binary = {"0", "1"};
  static const std::vector<GlueTask> tasks = {
      {"spam", "SpamAssassin", false, binary, "accuracy", {"dev.tsv"}, {"test.tsv"}, true},
      {"spam-pair", "Spam subject-body", true, binary, "accuracy", {"dev.tsv"}, {"test.tsv"}, true},
      {"sotu-party", "SOTU party", false, binary, "accuracy", {"dev.tsv"}, {"test.tsv"}, true},
      {"review-sentiment",
       "UCI sentiment",
       false,
       binary,
       "accuracy",
       {"dev.tsv"},
       {"test.tsv", "test_imdb.tsv"},
       true},
  };
  return tasks;
}

const GlueTask* text_task_of_dataset(const std::string& dataset) {
  const bool glue = dataset.rfind("glue-", 0) == 0;
  for (const auto& t : glue ? glue_tasks() : local_text_tasks())
    if (t.name == (glue ? dataset.substr(5) : dataset)) return &t;
  return nullptr;
}

std::vector<std::string> selectable_metrics(const GlueTask& task) {
  std::vector<std::string> out;
  for (size_t begin = 0; begin <= task.metric.size();) {
    const size_t end = std::min(task.metric.find('+', begin), task.metric.size());
    out.push_back(task.metric.substr(begin, end - begin));
    begin = end + 1;
  }
  if (!task.labels.empty() && std::find(out.begin(), out.end(), "accuracy") == out.end())
    out.push_back("accuracy");
  return out;
}

const GlueTask& glue_task(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& t : glue_tasks()) {
    if (t.name == name) return t;
    names.push_back(t.name);
  }
  throw ConfigError("unknown GLUE task '" + name + "' (known: " + join(names, " ") + ")");
}

TextSplit read_glue_tsv(const GlueTask& task, GlueFile kind, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DataError(path + ": cannot open the " + task.display + " " + glue_kind_name(kind) +
                    " file: " + std::strerror(errno));
  const GlueLayout layout = glue_layout(task.name, kind);
  TextSplit split;
  split.path = path;
  split.labelled = layout.label != kNoColumn;
  const auto bad_row = [&](int64_t line_number, const std::string& what) {
    throw DataError(path + ":" + std::to_string(line_number) + ": " + what);
  };
  std::string line;
  int64_t line_number = 0;
  bool blank_seen = false;  // a blank line is fine only at the end of the file
  while (std::getline(in, line)) {
    ++line_number;
    if (line_number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // BOM
    if (!line.empty() && line.back() == '\r') line.pop_back();                     // CRLF files
    if (line.empty()) {
      blank_seen = true;
      continue;
    }
    if (blank_seen) bad_row(line_number - 1, "blank line inside the file");
    const auto row = split_tabs(line);
    const bool count_ok =
        layout.at_least ? row.size() >= layout.columns : row.size() == layout.columns;
    if (line_number == 1 && layout.header) {
      bool names_ok = count_ok;
      for (const auto& [index, name] : layout.names)
        names_ok = names_ok && tsv_column(row, index) == name;
      if (!names_ok)
        bad_row(1, "the header does not match: " + describe_glue_rows(task, kind, layout) +
                       " (is this the " + task.display + " " + glue_kind_name(kind) + " file?)");
      continue;
    }
    if (!count_ok) {
      if (task.name == "qqp" && row.size() < layout.columns) {
        ++split.skipped_rows;
        continue;
      }
      bad_row(line_number,
              std::to_string(row.size()) + " columns; " + describe_glue_rows(task, kind, layout));
    }
    TextExample e;
    e.a = tsv_column(row, layout.a);
    if (layout.b != kNoColumn) e.b = tsv_column(row, layout.b);
    if (layout.label != kNoColumn) {
      const std::string& value = tsv_column(row, layout.label);
      if (task.labels.empty()) {
        char* end = nullptr;
        errno = 0;
        e.target = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || errno != 0 || !std::isfinite(e.target) ||
            e.target < 0 || e.target > 5)
          bad_row(line_number, "score '" + value + "' is not a number from 0 to 5");
      } else {
        const auto it = std::find(task.labels.begin(), task.labels.end(), value);
        if (it == task.labels.end())
          bad_row(line_number, "label '" + value + "' is not one of " + join(task.labels, " "));
        e.label = it - task.labels.begin();
      }
    }
    split.examples.push_back(std::move(e));
  }
  if (in.bad()) throw DataError(path + ": read error");
  if (split.examples.empty())
    throw DataError(path + ": no " + task.display + " examples (" +
                    describe_glue_rows(task, kind, layout) + ")");
  return split;
}

}  // namespace kdbench::datasets
