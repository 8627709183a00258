#pragma once
// GLUE (Wang et al. 2019) as released: the TSV files of CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI,
// RTE and WNLI, read into raw text examples (tokenisation comes later, per model). Each task's
// header, column positions and label set are those of the released files (and of Hugging Face's
// GLUE processors, which read them with csv.reader(delimiter="\t", quotechar=None): quotes are
// literal characters, never quoting). Test files have no labels.
//
// Every malformed row is a DataError naming the file, the line and what the task's rows hold —
// except QQP's rows with too few columns, which the released train file contains and every
// reference reader skips: those are skipped and counted (TextSplit::skipped_rows).
#include <cstdint>
#include <string>
#include <vector>

namespace kdbench::datasets {

struct TextExample {
  std::string a, b;    // b is empty for single-sentence tasks
  int64_t label = -1;  // classification: index into GlueTask::labels; -1 when unlabelled
  double target = 0;   // regression (STS-B): the similarity score, 0..5
};

struct TextSplit {
  std::string path;
  std::vector<TextExample> examples;
  bool labelled = false;
  int64_t skipped_rows = 0;  // QQP only, see above
};

enum class GlueFile { Train, Dev, Test };

struct GlueTask {
  std::string name;                 // "sst2": the grid's `dataset = glue-sst2`
  std::string display;              // "SST-2", for errors and reports
  bool pair = false;                // two segments (a, b)
  std::vector<std::string> labels;  // as written in the files; empty = regression
  // The metric the task is reported with: "matthews" (CoLA), "accuracy", "f1+accuracy" (MRPC,
  // QQP), "pearson+spearman" (STS-B); the first named is the one model selection uses.
  std::string metric;
  std::vector<std::string> dev_files;   // "dev.tsv"; MNLI: dev_matched.tsv, dev_mismatched.tsv
  std::vector<std::string> test_files;  // "test.tsv"; MNLI: test_matched/test_mismatched.tsv
  // kdbench's local corpora (docs/text.md): every file is labelled and laid out as the training
  // file of SST-2 (one sentence) or RTE (a pair), with the labels "0" and "1".
  bool local = false;
};

// Lower-case task names: cola sst2 mrpc stsb qqp mnli qnli rte wnli.
const std::vector<GlueTask>& glue_tasks();
// ConfigError naming the known tasks when `name` is none of them.
const GlueTask& glue_task(const std::string& name);
// The local corpora that scripts/fetch-text-data.sh converts: spam, spam-pair, sotu-party,
// review-sentiment (docs/text.md), in the same description.
const std::vector<GlueTask>& local_text_tasks();
// The task of a text dataset name: "glue-sst2" -> SST-2, "spam" -> spam; nullptr for any other.
const GlueTask* text_task_of_dataset(const std::string& dataset);

// The metrics that may select a task's best epoch (`[grid] metric`): the task's own, its default
// first ("matthews"; "f1", "accuracy"; "pearson", "spearman"), then accuracy for any
// classification task that does not list it.
std::vector<std::string> selectable_metrics(const GlueTask& task);

// Reads one released TSV file of `task`; `kind` says which layout (train and dev share one,
// except MNLI's dev files, which carry five annotator labels before gold_label).
TextSplit read_glue_tsv(const GlueTask& task, GlueFile kind, const std::string& path);

}  // namespace kdbench::datasets
