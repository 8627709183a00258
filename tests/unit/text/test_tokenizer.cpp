// The tokenizer on handwritten vocabularies, no network. Cases marked "HF" are Hugging Face's
// tests/models/bert/test_tokenization_bert.py (same inputs, vocabulary and expected output).
#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/text/bert_tokenizer.h"

using namespace kdbench;
using namespace kdbench::text;

namespace {

using Tokens = std::vector<std::string>;

// HF's setUp vocabulary: ids 0..14.
Vocab hf_vocab() {
  return Vocab::from_tokens({"[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", "want", "##want", "##ed",
                             "wa", "un", "runn", "##ing", ",", "low", "lowest"},
                            "hf test vocabulary");
}

Tokens basic(std::string_view text, BasicTokenizerOptions options = {}) {
  return BasicTokenizer(std::move(options)).tokenize(text);
}

BasicTokenizerOptions lower(bool lower_case, std::optional<bool> strip_accents) {
  BasicTokenizerOptions options;
  options.lower_case = lower_case;
  options.strip_accents = strip_accents;
  return options;
}

}  // namespace

TEST(BertTokenizer, HfFullTokenizer) {
  const BertTokenizer tokenizer(hf_vocab());
  EXPECT_EQ(tokenizer.tokenize("UNwant\u00E9d,running"),
            (Tokens{"un", "##want", "##ed", ",", "runn", "##ing"}));
  EXPECT_EQ(tokenizer.token_ids("UNwant\u00E9d,running"),
            (std::vector<int32_t>{9, 6, 7, 12, 10, 11}));
}

TEST(BasicTokenizer, HfChinese) {
  EXPECT_EQ(basic("ah\u535A\u63A8zz"), (Tokens{"ah", "\u535A", "\u63A8", "zz"}));
  BasicTokenizerOptions no_cjk;
  no_cjk.tokenize_chinese_chars = false;
  EXPECT_EQ(basic("ah\u535A\u63A8zz", no_cjk), (Tokens{"ah\u535A\u63A8zz"}));
}

TEST(BasicTokenizer, HfLowerCaseAndAccents) {
  const char* text = " \tHeLLo!how  \n Are yoU?  ";
  const char* accented = " \tH\u00E4LLo!how  \n Are yoU?  ";
  EXPECT_EQ(basic(text), (Tokens{"hello", "!", "how", "are", "you", "?"}));
  EXPECT_EQ(basic("H\u00E9llo"), (Tokens{"hello"}));
  EXPECT_EQ(basic(accented, lower(true, false)),
            (Tokens{"h\u00E4llo", "!", "how", "are", "you", "?"}));
  EXPECT_EQ(basic("H\u00E9llo", lower(true, false)), (Tokens{"h\u00E9llo"}));
  EXPECT_EQ(basic(accented, lower(true, true)), (Tokens{"hallo", "!", "how", "are", "you", "?"}));
  EXPECT_EQ(basic(text, lower(false, std::nullopt)),
            (Tokens{"HeLLo", "!", "how", "Are", "yoU", "?"}));
  EXPECT_EQ(basic(accented, lower(false, false)),
            (Tokens{"H\u00E4LLo", "!", "how", "Are", "yoU", "?"}));
  EXPECT_EQ(basic(accented, lower(false, true)), (Tokens{"HaLLo", "!", "how", "Are", "yoU", "?"}));
}

TEST(BasicTokenizer, HfNeverSplit) {
  BasicTokenizerOptions options = lower(false, std::nullopt);
  options.never_split = {"[UNK]"};
  EXPECT_EQ(basic(" \tHeLLo!how  \n Are yoU? [UNK]", options),
            (Tokens{"HeLLo", "!", "how", "Are", "yoU", "?", "[UNK]"}));
  // Only whole words are kept: "[UNK]!" still splits.
  EXPECT_EQ(basic("[UNK]!", options), (Tokens{"[", "UNK", "]", "!"}));
}

TEST(BasicTokenizer, CleaningDropsControlsAndInvalidUtf8) {
  // HF test_clean_text: the soft hyphen (Cf) vanishes.
  EXPECT_EQ(basic("\u00AD"), Tokens{});
  // NUL, U+FFFD, C0 controls, zero-width joiner and bytes that are not UTF-8 vanish without
  // splitting the word; \t \n \r and U+3000 (Zs) split it.
  EXPECT_EQ(basic(std::string_view("un\0want\xFF"
                                   "ed\x07\u200D",
                                   15)),
            (Tokens{"unwanted"}));
  EXPECT_EQ(basic("a\tb\nc\rd\u3000e"), (Tokens{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(basic("a\u2028b"), (Tokens{"a", "b"}));  // Python's str.split() splits here too
  EXPECT_EQ(basic("a\u00A0b"), (Tokens{"a", "b"}));  // no-break space is Zs
  EXPECT_EQ(basic(""), Tokens{});
  EXPECT_EQ(basic(" \u0301 "), Tokens{});  // a word of one accent strips to nothing
}

TEST(BasicTokenizer, PunctuationRunsSplitIntoSingleCharacters) {
  EXPECT_EQ(basic("wait...!?"), (Tokens{"wait", ".", ".", ".", "!", "?"}));
  EXPECT_EQ(basic("$5^2`a~"), (Tokens{"$", "5", "^", "2", "`", "a", "~"}));
  EXPECT_EQ(basic("\u00BFqu\u00E9?\u2014\u00ABs\u00BB"),
            (Tokens{"\u00BF", "que", "?", "\u2014", "\u00AB", "s", "\u00BB"}));
  EXPECT_EQ(basic("3+4=7 \u20AC5"), (Tokens{"3", "+", "4", "=", "7", "\u20AC5"}));  // Sc is no P*
}

TEST(WordPiece, HfWordpieceTokenizer) {
  const Vocab vocab = Vocab::from_tokens({"[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", "want",
                                          "##want", "##ed", "wa", "un", "runn", "##ing"},
                                         "hf wordpiece vocabulary");
  const WordPiece wordpiece(vocab);
  EXPECT_EQ(wordpiece.tokenize(""), Tokens{});
  EXPECT_EQ(wordpiece.tokenize("unwanted running"),
            (Tokens{"un", "##want", "##ed", "runn", "##ing"}));
  EXPECT_EQ(wordpiece.tokenize("unwantedX running"), (Tokens{"[UNK]", "runn", "##ing"}));
}

// The WordpieceTokenizer docstring's example, on a vocabulary that holds its pieces.
TEST(WordPiece, GreedyLongestMatchFirst) {
  const Vocab vocab = Vocab::from_tokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "una",
                                          "##aff", "##able", "##a", "##ff", "##ffa", "##ble"},
                                         "docstring vocabulary");
  const WordPiece wordpiece(vocab);
  // Longest first: "una" wins over "un", then "##ffa", "##ble".
  EXPECT_EQ(wordpiece.tokenize("unaffable"), (Tokens{"una", "##ffa", "##ble"}));
  const Vocab docstring = Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able"}, "docstring");
  EXPECT_EQ(WordPiece(docstring).tokenize("unaffable"), (Tokens{"un", "##aff", "##able"}));
  // No backtracking: "un" then nothing matches "##affl..." → the whole word is [UNK].
  EXPECT_EQ(WordPiece(docstring).tokenize("unaffle"), (Tokens{"[UNK]"}));
}

TEST(WordPiece, WordsLongerThanMaxCharsAreUnknown) {
  const Vocab vocab = Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##a", "\u00E9", "##\u00E9"}, "letters");
  const WordPiece wordpiece(vocab);
  EXPECT_EQ(wordpiece.tokenize(std::string(100, 'a')).size(), 100u);
  EXPECT_EQ(wordpiece.tokenize(std::string(101, 'a')), (Tokens{"[UNK]"}));
  // Characters are code points, not bytes: 100 two-byte "é" are still one word of 100.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\u00E9";
  EXPECT_EQ(wordpiece.tokenize(accents).size(), 100u);
  EXPECT_EQ(wordpiece.tokenize(accents + "\u00E9"), (Tokens{"[UNK]"}));
  EXPECT_EQ(WordPiece(vocab, 3).tokenize("aaaa aaa"), (Tokens{"[UNK]", "a", "##a", "##a"}));
}

TEST(BertTokenizer, EncodesOneSegment) {
  const BertTokenizer tokenizer(hf_vocab());
  const Encoding e = tokenizer.encode("want, running");
  EXPECT_EQ(e.input_ids, (std::vector<int32_t>{1, 5, 12, 10, 11, 2}));
  EXPECT_EQ(e.token_type_ids, (std::vector<int32_t>(6, 0)));
  EXPECT_EQ(e.attention_mask, (std::vector<int32_t>(6, 1)));
  EXPECT_EQ(tokenizer.encode("").input_ids, (std::vector<int32_t>{1, 2}));
  // Truncation drops tokens from the end; [SEP] stays.
  EXPECT_EQ(tokenizer.encode("want, running", 4).input_ids, (std::vector<int32_t>{1, 5, 12, 2}));
  EXPECT_EQ(tokenizer.encode("want, running", 2).input_ids, (std::vector<int32_t>{1, 2}));
}

TEST(BertTokenizer, EncodesPairsWithLongestFirstTruncation) {
  const BertTokenizer tokenizer(hf_vocab());
  // a = want , want , want (5 tokens), b = low low lowest (3 tokens).
  const Encoding full = tokenizer.encode("want,want,want", "low low lowest");
  EXPECT_EQ(full.input_ids, (std::vector<int32_t>{1, 5, 12, 5, 12, 5, 2, 13, 13, 14, 2}));
  EXPECT_EQ(full.token_type_ids, (std::vector<int32_t>{0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}));
  // 11 → 8: a loses two (5 > 3, 4 > 3), then on the tie b loses one.
  const Encoding cut = tokenizer.encode("want,want,want", "low low lowest", 8);
  EXPECT_EQ(cut.input_ids, (std::vector<int32_t>{1, 5, 12, 5, 2, 13, 13, 2}));
  EXPECT_EQ(cut.token_type_ids, (std::vector<int32_t>{0, 0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(cut.attention_mask, (std::vector<int32_t>(8, 1)));
  // 11 → 5: then they alternate, b first on each tie: a 5→3, b 3→2, a 3→2, b 2→1, a 2→1.
  EXPECT_EQ(tokenizer.encode("want,want,want", "low low lowest", 5).input_ids,
            (std::vector<int32_t>{1, 5, 2, 13, 2}));
  EXPECT_EQ(tokenizer.encode("want,want,want", "low low lowest", 3).input_ids,
            (std::vector<int32_t>{1, 2, 2}));
}

TEST(BertTokenizer, MaxLengthTooSmallIsAConfigError) {
  const BertTokenizer tokenizer(hf_vocab());
  EXPECT_THROW(tokenizer.encode("want", 1), ConfigError);
  EXPECT_THROW(tokenizer.encode("want", "low", 2), ConfigError);
  try {
    tokenizer.encode("want", "low", 2);
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "tokenizer max_length 2 cannot hold the 3 special tokens of [CLS] a [SEP] b "
                 "[SEP] (allowed: >= 3)");
  }
}

TEST(BertTokenizer, SpecialTokensInTextStayWhole) {
  const BertTokenizer tokenizer(hf_vocab());
  EXPECT_EQ(tokenizer.tokenize("want[SEP]low [MASK] [mask]"),
            (Tokens{"want", "[SEP]", "low", "[MASK]", "[UNK]", "[UNK]", "[UNK]"}));
  EXPECT_EQ(tokenizer.tokenize("[UNK][CLS]"), (Tokens{"[UNK]", "[CLS]"}));
}
