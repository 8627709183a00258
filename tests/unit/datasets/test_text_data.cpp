// Text datasets as the trainer reads them: TSVs tokenised into padded id tensors with lengths
// (checked token by token against a hand-made vocabulary), the splits (local corpora: dev
// validates; GLUE: a held-out part of train validates, dev tests), truncation, and bad input.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fixtures.h"
#include "kdbench/core/errors.h"
#include "kdbench/datasets/text_data.h"
#include "kdbench/text/sentencepiece_tokenizer.h"

namespace kdbench::datasets {
namespace {

using testing::error_message;
using testing::TempDir;

void put(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name), std::ios::binary) << text;
}

// ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 good=5 bad=6 film=7 ##s=8
std::string vocab(const TempDir& dir) {
  put(dir, "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\ngood\nbad\nfilm\n##s\n");
  return dir.file("vocab.txt");
}

DataConfig config(const TempDir& dir, const std::string& dataset) {
  DataConfig c;
  c.dataset = dataset;
  c.data_dir = dir.path();
  c.vocab = vocab(dir);
  c.max_seq_length = 6;
  return c;
}

std::vector<int32_t> row(const torch::Tensor& ids, int64_t i) {
  const auto r = ids[i].contiguous();
  return {r.data_ptr<int32_t>(), r.data_ptr<int32_t>() + r.numel()};
}

TEST(TextData, LocalCorpusTokenisedPaddedAndSplitByFile) {
  TempDir dir;
  put(dir, "train.tsv", "sentence\tlabel\nGood films\t1\nbad\t0\ngood good bad bad film\t0\n");
  put(dir, "dev.tsv", "sentence\tlabel\nbad film\t0\n");
  put(dir, "test.tsv", "sentence\tlabel\nGOOD\t1\nfilm xyz\t0\n");
  const TextSplits s = load_text(config(dir, "review-sentiment"));
  EXPECT_EQ(s.num_classes, 2);
  EXPECT_EQ(s.shape.vocab_size, 9);
  EXPECT_EQ(s.shape.max_tokens, 6);
  ASSERT_EQ(s.train.size(), 3);
  // Padded to the split's longest row; the third row is cut to max_seq_length = 6.
  EXPECT_EQ(s.train.ids.sizes(), (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(row(s.train.ids, 0), (std::vector<int32_t>{2, 5, 7, 8, 3, 0}));
  EXPECT_EQ(row(s.train.ids, 1), (std::vector<int32_t>{2, 6, 3, 0, 0, 0}));
  EXPECT_EQ(row(s.train.ids, 2), (std::vector<int32_t>{2, 5, 5, 6, 6, 3}));
  EXPECT_TRUE(torch::equal(s.train.lengths, torch::tensor({5, 3, 6}, torch::kLong)));
  EXPECT_TRUE(torch::equal(s.train.labels, torch::tensor({1, 0, 0}, torch::kLong)));
  EXPECT_EQ(s.truncated, 1);
  EXPECT_EQ(s.val.size(), 1);  // dev.tsv
  ASSERT_EQ(s.test.size(), 2);
  EXPECT_EQ(row(s.test.ids, 1), (std::vector<int32_t>{2, 7, 1, 3}));  // unknown word: [UNK]
}

TEST(TextData, PairTaskHasSegments) {
  TempDir dir;
  const std::string header = "index\tsentence1\tsentence2\tlabel\n";
  put(dir, "train.tsv", header + "0\tgood\tbad film\t1\n1\tfilm\tfilm\t0\n");
  put(dir, "dev.tsv", header + "0\tgood\tgood\t1\n");
  put(dir, "test.tsv", header + "0\tbad\tgood\t0\n");
  const TextSplits s = load_text(config(dir, "spam-pair"));
  EXPECT_EQ(row(s.train.ids, 0), (std::vector<int32_t>{2, 5, 3, 6, 7, 3}));
  const auto types = s.train.token_types[0].to(torch::kLong);
  EXPECT_TRUE(torch::equal(types, torch::tensor({0, 0, 0, 1, 1, 1}, torch::kLong)));
}

TEST(TextData, GlueValidatesOnHeldOutTrainAndTestsOnDev) {
  TempDir dir;
  std::string train;
  for (int i = 0; i < 10; ++i)
    train += "s" + std::to_string(i) + "\t" + std::to_string(i % 2) + "\t\tgood\n";
  put(dir, "train.tsv", train);
  put(dir, "dev.tsv", "d\t1\t\tbad film\nd\t0\t*\tfilm\n");
  DataConfig c = config(dir, "glue-cola");
  c.val_fraction = 0.3;
  const TextSplits s = load_text(c);
  EXPECT_EQ(s.train.size(), 7);
  EXPECT_EQ(s.val.size(), 3);
  EXPECT_EQ(s.test.size(), 2);
  EXPECT_EQ(s.task->metric, "matthews");
  c.train_subset = 4;
  c.test_subset = 1;
  const TextSplits cut = load_text(c);
  EXPECT_EQ(cut.train.size(), 4);
  EXPECT_EQ(cut.test.size(), 1);
  // The same seed, the same split; the held-out rows and the training rows are disjoint.
  EXPECT_TRUE(torch::equal(load_text(c).val.labels, cut.val.labels));
}

// tokenizer = sentencepiece: the model is trained on the training split only, once (a second
// call keeps the file), deterministically, and the splits are read through it.
TEST(TextData, SentencePieceTrainsOnTheTrainingSplitOnce) {
  if (!text::sentencepiece_available())
    GTEST_SKIP() << "SentencePiece cannot load under AddressSanitizer (RTLD_DEEPBIND)";
  TempDir dir;
  std::string train = "sentence\tlabel\n";
  for (int i = 0; i < 60; ++i)
    train += (i % 2 ? "a good film with good actors " : "a bad film with bad music ") +
             std::to_string(i % 7) + "\t" + std::to_string(i % 2) + "\n";
  put(dir, "train.tsv", train);
  put(dir, "dev.tsv", "sentence\tlabel\ngood film\t1\n");
  put(dir, "test.tsv", "sentence\tlabel\nzebra quartz\t0\n");
  DataConfig c = config(dir, "review-sentiment");
  c.tokenizer = "sentencepiece";
  c.vocab = dir.file("tok/sp.model");
  c.vocab_size = 30;
  EXPECT_THROW(load_text(c), DataError);  // no model yet
  prepare_tokenizer(c);
  std::ifstream first_file(c.vocab, std::ios::binary);
  const std::string first((std::istreambuf_iterator<char>(first_file)), {});
  ASSERT_FALSE(first.empty());
  prepare_tokenizer(c);  // kept, not retrained
  std::filesystem::rename(c.vocab, c.vocab + ".first");
  prepare_tokenizer(c);  // retrained: the same bytes
  std::ifstream second_file(c.vocab, std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(second_file)), {}), first);
  const TextSplits s = load_text(c);
  EXPECT_EQ(s.shape.vocab_size, 30);
  EXPECT_EQ(s.pad_id, 0);
  EXPECT_EQ(s.train.ids[0][0].item<int32_t>(), 2);  // [CLS]
  EXPECT_LT(s.train.ids.max().item<int32_t>(), 30);
  // "zebra quartz" is not in the training text: characters the model never saw are [UNK].
  EXPECT_GT(s.test.ids.eq(1).sum().item<int64_t>(), 0);
}

TEST(TextData, BadInputIsOneClearError) {
  TempDir dir;
  DataConfig c = config(dir, "spam");
  EXPECT_NE(error_message<DataError>([&] { load_text(c); }).find("scripts/fetch-text-data.sh"),
            std::string::npos);
  put(dir, "train.tsv", "sentence\tlabel\ngood\t1\nbad\t2\n");
  put(dir, "dev.tsv", "sentence\tlabel\ngood\t1\n");
  put(dir, "test.tsv", "sentence\tlabel\ngood\t1\n");
  const std::string label = error_message<DataError>([&] { load_text(c); });
  EXPECT_NE(label.find("train.tsv:3: label '2' is not one of 0 1"), std::string::npos) << label;
  put(dir, "train.tsv", "sentence\tlabel\ngood\t1\n");
  put(dir, "vocab.txt", "[PAD]\n[CLS]\n[SEP]\n[MASK]\ngood\n");
  const std::string unk = error_message<DataError>([&] { load_text(c); });
  EXPECT_NE(unk.find("[UNK]"), std::string::npos) << unk;
}

// STS-B: pairs with a real score; one output (num_classes 1) regressing on float32 targets.
TEST(TextData, StsbKeepsItsScoresAsFloatTargets) {
  TempDir dir;
  const std::string header =
      "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n";
  const std::string pair = "0\tg\tf\t2012\t0\tnone\tnone\tgood film\tbad film\t";
  put(dir, "train.tsv", header + pair + "4.750\n" + pair + "0.2\n" + pair + "5\n");
  put(dir, "dev.tsv", header + pair + "3.125\n");
  DataConfig c = config(dir, "glue-stsb");
  c.max_seq_length = 8;
  c.val_fraction = 0;
  const TextSplits s = load_text(c);
  EXPECT_EQ(s.num_classes, 1);
  EXPECT_EQ(s.task->metric, "pearson+spearman");
  EXPECT_EQ(s.train.labels.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::equal(s.train.labels, torch::tensor({4.75f, 0.2f, 5.0f})));
  EXPECT_TRUE(torch::equal(s.test.labels, torch::tensor({3.125f})));
  EXPECT_EQ(s.metric, "pearson");  // the task's own; `[grid] metric` may pick Spearman
  c.metric = "spearman";
  EXPECT_EQ(load_text(c).metric, "spearman");
  c.metric = "accuracy";
  const std::string no_accuracy = error_message<ConfigError>([&] { load_text(c); });
  EXPECT_NE(no_accuracy.find("allowed: pearson spearman"), std::string::npos) << no_accuracy;
  c.metric = "";
  // [CLS] good film [SEP] bad film [SEP], segments 0 then 1.
  EXPECT_EQ(row(s.train.ids, 0), (std::vector<int32_t>{2, 5, 7, 3, 6, 7, 3}));
  // A score outside 0..5 is the reader's one line, naming file and line.
  put(dir, "train.tsv", header + pair + "5.5\n");
  const std::string bad = error_message<DataError>([&] { load_text(c); });
  EXPECT_NE(bad.find("train.tsv:2"), std::string::npos) << bad;
}

}  // namespace
}  // namespace kdbench::datasets
