// GLUE TSV readers: every task's train/dev/test layout written as the released files are (first
// rows modelled on the real files), and malformed files refused with the file, the line and the
// layout.
#include <fstream>

#include "fixtures.h"
#include "kdbench/core/errors.h"
#include "kdbench/datasets/glue.h"

namespace kdbench::datasets {
namespace {

using testing::error_message;
using testing::TempDir;

std::string write_text(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TextSplit read(const std::string& task, GlueFile kind, const std::string& text) {
  TempDir dir;
  return read_glue_tsv(glue_task(task), kind, write_text(dir, "f.tsv", text));
}

TEST(Glue, SingleSentenceTasks) {
  // CoLA train/dev: no header; source, label, original label, sentence. Quotes are literal.
  const auto cola = read("cola", GlueFile::Train,
                         "gj04\t1\t\tOur friends won't buy this analysis, let alone the next one "
                         "we propose.\n"
                         "gj04\t0\t*\t\"They drank the pub.\n");
  ASSERT_EQ(cola.examples.size(), 2u);
  EXPECT_TRUE(cola.labelled);
  EXPECT_EQ(cola.examples[0].label, 1);
  EXPECT_EQ(cola.examples[1].a, "\"They drank the pub.");
  EXPECT_EQ(cola.examples[1].label, 0);
  EXPECT_EQ(cola.examples[1].b, "");
  const auto cola_test =
      read("cola", GlueFile::Test, "index\tsentence\n0\tBill whistled past the house.\n");
  EXPECT_FALSE(cola_test.labelled);
  EXPECT_EQ(cola_test.examples[0].a, "Bill whistled past the house.");
  EXPECT_EQ(cola_test.examples[0].label, -1);

  const auto sst = read("sst2", GlueFile::Dev,
                        "sentence\tlabel\nit 's a charming and often affecting journey . \t1\r\n"
                        "unflinchingly bleak and desperate \t0\r\n");
  ASSERT_EQ(sst.examples.size(), 2u);
  EXPECT_EQ(sst.examples[0].a, "it 's a charming and often affecting journey . ");
  EXPECT_EQ(sst.examples[1].label, 0);
  EXPECT_EQ(
      read("sst2", GlueFile::Test, "index\tsentence\n0\tuneasy mishmash of styles\n").examples[0].a,
      "uneasy mishmash of styles");
}

TEST(Glue, PairTasks) {
  const auto mrpc = read(
      "mrpc", GlueFile::Train,
      "\xEF\xBB\xBFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
      "1\t702876\t702977\tAmrozi accused his brother .\tReferring to him , Amrozi accused .\n");
  EXPECT_EQ(mrpc.examples[0].a, "Amrozi accused his brother .");
  EXPECT_EQ(mrpc.examples[0].b, "Referring to him , Amrozi accused .");
  EXPECT_EQ(mrpc.examples[0].label, 1);
  EXPECT_EQ(
      read("mrpc", GlueFile::Test,
           "index\t#1 ID\t#2 ID\t#1 String\t#2 String\n0\t1\t2\tPCCW 's chief\tCurrent Chief\n")
          .examples[0]
          .b,
      "Current Chief");

  const auto stsb = read("stsb", GlueFile::Train,
                         "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\t"
                         "sentence2\tscore\n"
                         "0\tmain-captions\tMSRvid\t2012test\t0001\tnone\tnone\tA plane is taking "
                         "off.\tAn air plane is taking off.\t5.000\n"
                         "1\tmain-captions\tMSRvid\t2012test\t0004\tnone\tnone\tA man.\tA woman.\t"
                         "0.5\n");
  EXPECT_TRUE(stsb.labelled);
  EXPECT_EQ(stsb.examples[0].target, 5.0);
  EXPECT_EQ(stsb.examples[1].target, 0.5);
  EXPECT_EQ(stsb.examples[1].b, "A woman.");
  EXPECT_EQ(read("stsb", GlueFile::Test,
                 "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\t"
                 "sentence2\n0\tg\tf\ty\to\ts1\ts2\tA girl.\tA boy.\n")
                .examples[0]
                .a,
            "A girl.");

  const auto qqp = read("qqp", GlueFile::Train,
                        "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n"
                        "133273\t213221\t213222\tHow is the life of a math student?\tWhich level "
                        "of prepration?\t0\n"
                        "1\t2\t3\tonly a first question\n"
                        "4\t5\t6\tWhy?\tWhy not?\t1\n");
  EXPECT_EQ(qqp.examples.size(), 2u);
  EXPECT_EQ(qqp.skipped_rows, 1);  // the short row, as every reference reader does
  EXPECT_EQ(qqp.examples[1].label, 1);
  EXPECT_EQ(read("qqp", GlueFile::Test, "id\tquestion1\tquestion2\n0\tA?\tB?\n").examples[0].b,
            "B?");

  const std::string mnli_header =
      "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\t"
      "sentence1_parse\tsentence2_parse\tsentence1\tsentence2";
  const auto mnli = read("mnli", GlueFile::Train,
                         mnli_header +
                             "\tlabel1\tgold_label\n0\t31193\t31193n\tgovernment\t( ( "
                             "Conceptually cream ) )\t( ( Product ) )\t(ROOT)\t(ROOT)\t"
                             "Conceptually cream skimming.\tProduct and geography.\t"
                             "neutral\tneutral\n");
  EXPECT_EQ(mnli.examples[0].a, "Conceptually cream skimming.");
  EXPECT_EQ(mnli.examples[0].label, 2);  // contradiction entailment neutral
  const auto mnli_dev =
      read("mnli", GlueFile::Dev,
           mnli_header +
               "\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n"
               "0\t1\t1e\tfiction\tb1\tb2\tp1\tp2\tThe new rights.\tEveryone likes it."
               "\tneutral\tentailment\tneutral\tneutral\tneutral\tentailment\n");
  EXPECT_EQ(mnli_dev.examples[0].label, 1);  // gold_label, the last column
  EXPECT_EQ(read("mnli", GlueFile::Test, mnli_header + "\n0\t1\t1\tg\tb\tb\tp\tp\tS1.\tS2.\n")
                .examples[0]
                .b,
            "S2.");

  const auto qnli = read("qnli", GlueFile::Dev,
                         "index\tquestion\tsentence\tlabel\n0\tWhat came into force?\tThe law "
                         "came.\tentailment\n1\tQ?\tS.\tnot_entailment\n");
  EXPECT_EQ(qnli.examples[1].label, 1);
  const auto rte = read("rte", GlueFile::Train,
                        "index\tsentence1\tsentence2\tlabel\n0\tNo Weapons.\tWeapons.\t"
                        "not_entailment\n");
  EXPECT_EQ(rte.examples[0].label, 1);
  const auto wnli = read("wnli", GlueFile::Train,
                         "index\tsentence1\tsentence2\tlabel\n0\tI stuck a pin.\tI stuck it.\t1\n");
  EXPECT_EQ(wnli.examples[0].label, 1);
  EXPECT_FALSE(read("wnli", GlueFile::Test, "index\tsentence1\tsentence2\n0\tA.\tB.\n").labelled);
}

TEST(Glue, TasksKnowTheirMetricsAndFiles) {
  EXPECT_EQ(glue_tasks().size(), 9u);
  EXPECT_EQ(glue_task("cola").metric, "matthews");
  EXPECT_EQ(glue_task("mrpc").metric, "f1+accuracy");
  EXPECT_EQ(glue_task("stsb").metric, "pearson+spearman");
  EXPECT_TRUE(glue_task("stsb").labels.empty());
  // `[grid] metric` choices: the task's own first, accuracy for every classification task.
  using Names = std::vector<std::string>;
  EXPECT_EQ(selectable_metrics(glue_task("cola")), (Names{"matthews", "accuracy"}));
  EXPECT_EQ(selectable_metrics(glue_task("mrpc")), (Names{"f1", "accuracy"}));
  EXPECT_EQ(selectable_metrics(glue_task("stsb")), (Names{"pearson", "spearman"}));
  EXPECT_EQ(selectable_metrics(glue_task("sst2")), (Names{"accuracy"}));
  EXPECT_EQ(glue_task("mnli").dev_files,
            (std::vector<std::string>{"dev_matched.tsv", "dev_mismatched.tsv"}));
  EXPECT_FALSE(glue_task("sst2").pair);
  EXPECT_EQ(error_message<ConfigError>([] { glue_task("squad"); }),
            "unknown GLUE task 'squad' (known: cola sst2 mrpc stsb qqp mnli qnli rte wnli)");
}

TEST(Glue, MalformedFilesNameFileLineAndLayout) {
  TempDir dir;
  const auto error = [&](const std::string& task, GlueFile kind, const std::string& text) {
    const std::string path = write_text(dir, "bad.tsv", text);
    const std::string e =
        error_message<DataError>([&] { read_glue_tsv(glue_task(task), kind, path); });
    EXPECT_EQ(e.rfind(path, 0), 0u) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    return e.substr(path.size());
  };
  EXPECT_EQ(error("sst2", GlueFile::Train, "sentence\tlabel\ngood\t1\nbad movie\n"),
            ":3: 1 columns; SST-2 train rows have 2 tab-separated columns (column 1 sentence, "
            "column 2 label)");
  EXPECT_EQ(error("sst2", GlueFile::Train, "sentence\tlabel\ngood\t2\n"),
            ":2: label '2' is not one of 0 1");
  EXPECT_EQ(error("rte", GlueFile::Dev, "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentails\n"),
            ":2: label 'entails' is not one of entailment not_entailment");
  EXPECT_EQ(error("sst2", GlueFile::Train, "index\tsentence\n0\tgood\n"),
            ":1: the header does not match: SST-2 train rows have 2 tab-separated columns (column "
            "1 sentence, column 2 label) (is this the SST-2 train file?)");
  const std::string stsb_header =
      "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n";
  EXPECT_EQ(error("stsb", GlueFile::Train, stsb_header + "0\tg\tf\ty\to\ts\ts\ta\tb\t5.5\n"),
            ":2: score '5.5' is not a number from 0 to 5");
  EXPECT_EQ(error("stsb", GlueFile::Train, stsb_header + "0\tg\tf\ty\to\ts\ts\ta\tb\tfive\n"),
            ":2: score 'five' is not a number from 0 to 5");
  EXPECT_EQ(error("cola", GlueFile::Train, "gj04\t1\t\tA.\n\ngj04\t0\t*\tB.\n"),
            ":2: blank line inside the file");
  EXPECT_EQ(error("qnli", GlueFile::Train, "index\tquestion\tsentence\tlabel\n"),
            ": no QNLI examples (QNLI train rows have 4 tab-separated columns (column 2 question, "
            "column 3 sentence, column 4 label))");
  // QQP skips short rows only; a long row is an error like anywhere else.
  EXPECT_NE(error("qqp", GlueFile::Train,
                  "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t2\t3\ta\tb\t0\textra\n")
                .find(":2: 7 columns; QQP train rows have 6"),
            std::string::npos);
  const std::string missing = dir.file("absent.tsv");
  EXPECT_EQ(
      error_message<DataError>([&] { read_glue_tsv(glue_task("cola"), GlueFile::Dev, missing); }),
      missing + ": cannot open the CoLA dev file: No such file or directory");
}

}  // namespace
}  // namespace kdbench::datasets
