// SentencePiece vocabularies trained on generated text, no network.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "kdbench/core/errors.h"
#include "kdbench/text/bert_tokenizer.h"
#include "kdbench/text/sentencepiece_tokenizer.h"

using namespace kdbench;
using namespace kdbench::text;
namespace fs = std::filesystem;

namespace {

// 200 sentences over a lexicon of 40 English words and 60 made-up ones (mixed case: the model
// lower-cases), some holding "[SEP]" written out.
std::vector<std::string> generated_sentences() {
  std::vector<std::string> words = {
      "The",     "cat",    "sat",     "on",      "a",     "warm",   "mat",     "while",
      "Dogs",    "ran",    "quickly", "through", "green", "parks",  "and",     "children",
      "played",  "games",  "outside", "today",   "under", "bright", "summer",  "skies",
      "rivers",  "flowed", "gently",  "past",    "old",   "stone",  "bridges", "near",
      "village", "houses", "where",   "bakers",  "sold",  "fresh",  "bread",   "daily"};
  const std::vector<std::string> syllables = {"ka", "lo", "mi", "ne", "ru",
                                              "ti", "vo", "za", "pe", "shu"};
  for (int i = 0; i < 60; ++i) {
    words.push_back(syllables[i % 10] + syllables[(i / 10 + i) % 10] + syllables[(i * 7) % 10]);
  }
  std::mt19937 rng(7);
  std::vector<std::string> sentences;
  for (int i = 0; i < 200; ++i) {
    std::string sentence;
    const int length = 5 + static_cast<int>(rng() % 8);
    for (int w = 0; w < length; ++w) {
      if (w > 0) sentence += ' ';
      sentence += words[rng() % words.size()];
    }
    if (i % 20 == 0) sentence += " [SEP] " + words[rng() % words.size()];
    sentences.push_back(sentence + ".");
  }
  return sentences;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class SentencePieceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kdbench::text::sentencepiece_available())
      GTEST_SKIP() << "SentencePiece cannot load under AddressSanitizer (RTLD_DEEPBIND)";
    dir_ = fs::path(::testing::TempDir()) /
           ("kdbench_spm_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST_F(SentencePieceTest, TrainsTheRequestedVocabularyWithBertSpecialsFirst) {
  const std::string model = (dir_ / "m.model").string();
  SentencePieceTokenizer::train(generated_sentences(), 100, model);
  const SentencePieceTokenizer tokenizer(model);
  EXPECT_EQ(tokenizer.vocab_size(), 100);
  EXPECT_EQ(tokenizer.pad_id(), 0);
  EXPECT_EQ(tokenizer.unk_id(), 1);
  EXPECT_EQ(tokenizer.cls_id(), 2);
  EXPECT_EQ(tokenizer.sep_id(), 3);
  EXPECT_EQ(tokenizer.mask_id(), 4);
  EXPECT_EQ(tokenizer.name(), "sentencepiece:" + model);
  // Lower-cased by the model's normalizer; "[SEP]" written in the text stays one token, as with
  // BertTokenizer; a character never seen in training is [UNK].
  EXPECT_EQ(tokenizer.token_ids("THE CAT"), tokenizer.token_ids("the cat"));
  const std::vector<int32_t> ids = tokenizer.token_ids("dogs ran [SEP] home \u00A7");
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 3), 1);
  EXPECT_EQ(ids.back(), 1);
  for (int32_t id : ids) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, 100);
  }
  // Every piece of the training text joins back to the (lower-cased) words.
  std::string joined;
  for (const std::string& piece : tokenizer.tokenize("Village bakers")) joined += piece;
  EXPECT_EQ(joined, "\u2581village\u2581bakers");
  // No file is left beside the model.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(SentencePieceTest, TrainingTwiceGivesTheSameModelBytes) {
  const std::vector<std::string> sentences = generated_sentences();
  SentencePieceTokenizer::train(sentences, 100, (dir_ / "a.model").string());
  SentencePieceTokenizer::train(sentences, 100, (dir_ / "b.model").string());
  const std::string a = read_bytes(dir_ / "a.model");
  EXPECT_GT(a.size(), 1000u);
  EXPECT_EQ(a, read_bytes(dir_ / "b.model"));
  // Another vocabulary size is another model: the comparison above can fail.
  SentencePieceTokenizer::train(sentences, 90, (dir_ / "c.model").string());
  EXPECT_NE(a, read_bytes(dir_ / "c.model"));
}

TEST_F(SentencePieceTest, EncodesPairsLikeBertWithLongestFirstTruncation) {
  const std::string model = (dir_ / "m.model").string();
  SentencePieceTokenizer::train(generated_sentences(), 100, model);
  const SentencePieceTokenizer tokenizer(model);
  const std::string a = "the cat sat on a warm mat while dogs ran";
  const std::string b = "a";
  const std::vector<int32_t> ids_a = tokenizer.token_ids(a);
  const std::vector<int32_t> ids_b = tokenizer.token_ids(b);
  ASSERT_LE(ids_b.size(), 2u);  // short: the first cut below falls on a alone
  ASSERT_GT(ids_a.size(), 3u);

  const Encoding full = tokenizer.encode(a, b, 512);
  std::vector<int32_t> expected = {2};
  expected.insert(expected.end(), ids_a.begin(), ids_a.end());
  expected.push_back(3);
  expected.insert(expected.end(), ids_b.begin(), ids_b.end());
  expected.push_back(3);
  EXPECT_EQ(full.input_ids, expected);
  std::vector<int32_t> types(ids_a.size() + 2, 0);
  types.insert(types.end(), ids_b.size() + 1, 1);
  EXPECT_EQ(full.token_type_ids, types);
  EXPECT_EQ(full.attention_mask, std::vector<int32_t>(expected.size(), 1));

  // Room for |b| + 2 tokens of a: only a, the longer, loses tokens from its end.
  const std::size_t max_length = 3 + ids_b.size() + 2;
  const Encoding cut = tokenizer.encode(a, b, max_length);
  std::vector<int32_t> want = {2, ids_a[0], ids_a[1], 3};
  want.insert(want.end(), ids_b.begin(), ids_b.end());
  want.push_back(3);
  EXPECT_EQ(cut.input_ids, want);
  EXPECT_EQ(cut.input_ids.size(), max_length);
  // Room for one token: a and b tie at one each, b loses first.
  EXPECT_EQ(tokenizer.encode(a, b, 4).input_ids, (std::vector<int32_t>{2, ids_a[0], 3, 3}));

  const Encoding single = tokenizer.encode(a, 4);
  EXPECT_EQ(single.input_ids, (std::vector<int32_t>{2, ids_a[0], ids_a[1], 3}));
  EXPECT_THROW(tokenizer.encode(a, b, 2), ConfigError);
}

TEST_F(SentencePieceTest, BothTokenizersServeTheInterface) {
  const std::string model = (dir_ / "m.model").string();
  SentencePieceTokenizer::train(generated_sentences(), 100, model);
  const SentencePieceTokenizer piece(model);
  const BertTokenizer bert(Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat"}, "test vocabulary"));
  for (const Tokenizer* tokenizer :
       {static_cast<const Tokenizer*>(&piece), static_cast<const Tokenizer*>(&bert)}) {
    const Encoding e = tokenizer->encode("the cat", "cat");
    EXPECT_EQ(e.input_ids.front(), tokenizer->cls_id()) << tokenizer->name();
    EXPECT_EQ(e.input_ids.back(), tokenizer->sep_id()) << tokenizer->name();
    EXPECT_EQ(tokenizer->pad_id(), 0) << tokenizer->name();
  }
  EXPECT_EQ(bert.vocab_size(), 7);
  EXPECT_EQ(bert.encode("the cat").input_ids, (std::vector<int32_t>{2, 5, 6, 3}));
}

TEST_F(SentencePieceTest, BadModelFilesAreDataErrorsNamingThem) {
  const std::string missing = (dir_ / "missing.model").string();
  try {
    SentencePieceTokenizer tokenizer(missing);
    FAIL() << "loaded a missing model";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  const std::string garbage = (dir_ / "garbage.model").string();
  std::ofstream(garbage) << "not a model\n";
  try {
    SentencePieceTokenizer tokenizer(garbage);
    FAIL() << "loaded a text file as a model";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(garbage), std::string::npos) << e.what();
  }
}

TEST_F(SentencePieceTest, ImpossibleVocabularySizesAreRefused) {
  const std::string model = (dir_ / "m.model").string();
  EXPECT_THROW(SentencePieceTokenizer::train(generated_sentences(), 5, model), ConfigError);
  // Far more pieces than 200 sentences over 40 words can give: SentencePiece refuses, nothing
  // is written.
  EXPECT_THROW(SentencePieceTokenizer::train(generated_sentences(), 5000, model), DataError);
  EXPECT_FALSE(fs::exists(model));
}

#ifdef KDBENCH_PROTOBUF_LIBRARY
// In kdbench, LibTorch brings libprotobuf.so.32, while Debian's SentencePiece carries its own
// protobuf 3.14: linked together they crashed kdbench at start-up (text/sentencepiece_shim.h).
// Here the system protobuf is loaded into the global scope first, as LibTorch does, in a child
// process; SentencePiece must still train, load and encode there.
TEST_F(SentencePieceTest, WorksBesideTheSystemProtobuf) {
  const std::string model = (dir_ / "m.model").string();
  EXPECT_EXIT(
      {
        if (::dlopen(KDBENCH_PROTOBUF_LIBRARY, RTLD_NOW | RTLD_GLOBAL) == nullptr) std::exit(3);
        SentencePieceTokenizer::train(generated_sentences(), 100, model);
        const SentencePieceTokenizer tokenizer(model);
        std::exit(tokenizer.encode("the cat").input_ids.size() > 2 ? 0 : 4);
      },
      ::testing::ExitedWithCode(0), "");
}
#endif
