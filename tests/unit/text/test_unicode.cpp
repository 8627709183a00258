#include <gtest/gtest.h>

#include "kdbench/text/unicode.h"

using namespace kdbench::text;

TEST(Utf8, DecodesValidSequences) {
  EXPECT_EQ(decode_utf8("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\xA4\x94"), U"a\u00E9\u4E2D\U0001F914");
  EXPECT_EQ(encode_utf8(U"a\u00E9\u4E2D\U0001F914"), "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\xA4\x94");
}

// Python's bytes.decode("utf-8", "replace"): one U+FFFD per maximal invalid subpart, and the byte
// that broke a sequence is decoded again.
TEST(Utf8, InvalidSequencesBecomeReplacementCharacters) {
  EXPECT_EQ(decode_utf8("a\xFF"
                        "b"),
            U"a\uFFFDb");
  EXPECT_EQ(decode_utf8("\xE4\xB8"
                        "A"),
            U"\uFFFDA");                                          // truncated 3-byte sequence
  EXPECT_EQ(decode_utf8("\xC0\x80"), U"\uFFFD\uFFFD");            // overlong NUL
  EXPECT_EQ(decode_utf8("\xED\xA0\x80"), U"\uFFFD\uFFFD\uFFFD");  // a surrogate
  EXPECT_EQ(decode_utf8("\xF4\x90\x80\x80"), U"\uFFFD\uFFFD\uFFFD\uFFFD");  // above U+10FFFF
  EXPECT_EQ(decode_utf8("\xE4"), U"\uFFFD");                                // cut at the end
  EXPECT_EQ(decode_latin1("caf\xE9"), U"caf\u00E9");
}

// The character classes of Hugging Face's test_tokenization_bert.py (test_is_whitespace,
// test_is_control, test_is_punctuation) plus Unicode categories.
TEST(CharacterClasses, MatchBertDefinitions) {
  for (char32_t c : {U' ', U'\t', U'\r', U'\n', char32_t{0xA0}, char32_t{0x3000}}) {
    EXPECT_TRUE(is_bert_whitespace(c)) << static_cast<uint32_t>(c);
  }
  EXPECT_FALSE(is_bert_whitespace(U'A'));
  EXPECT_FALSE(is_bert_whitespace(U'-'));
  EXPECT_FALSE(is_bert_whitespace(0x2028));  // Zl: only Python's split() splits on it

  EXPECT_TRUE(is_bert_control(0x05));
  EXPECT_TRUE(is_bert_control(0xAD));    // soft hyphen, Cf
  EXPECT_TRUE(is_bert_control(0x200D));  // zero-width joiner, Cf
  EXPECT_TRUE(is_bert_control(0xE000));  // private use, Co
  EXPECT_TRUE(is_bert_control(0x0378));  // unassigned, Cn
  for (char32_t c : {U'A', U' ', U'\t', U'\r', U'\n'}) EXPECT_FALSE(is_bert_control(c));

  for (char32_t c : {U'-', U'$', U'`', U'.', U'^', U'+', U'~', char32_t{0xBF}, char32_t{0xAB},
                     char32_t{0x2014}, char32_t{0x3002}}) {
    EXPECT_TRUE(is_bert_punctuation(c)) << static_cast<uint32_t>(c);
  }
  for (char32_t c : {U'A', U' ', U'0', char32_t{0x20AC}, char32_t{0xA9}}) {
    EXPECT_FALSE(is_bert_punctuation(c)) << static_cast<uint32_t>(c);  // Sc, So are not P*
  }
}

TEST(CharacterClasses, CjkIdeographRangesAreBertsExactly) {
  for (char32_t c : {0x4E00, 0x9FFF, 0x3400, 0x4DBF, 0x20000, 0x2A6DF, 0x2A700, 0x2B73F, 0x2B740,
                     0x2B81F, 0x2B820, 0x2CEAF, 0xF900, 0xFAFF, 0x2F800, 0x2FA1F}) {
    EXPECT_TRUE(is_cjk_ideograph(c)) << std::hex << static_cast<uint32_t>(c);
  }
  for (char32_t c : {0x4DFF, 0x3040, 0x30A2, 0xAC00, 0x2A6E0, 0x2CEB0, 0x2F7FF, 0x2FA20, 0x3000}) {
    EXPECT_FALSE(is_cjk_ideograph(c)) << std::hex << static_cast<uint32_t>(c);
  }
}

TEST(Normalization, ComposesAndDecomposes) {
  EXPECT_EQ(nfd(U"\u00E9"), U"e\u0301");
  EXPECT_EQ(nfc(U"e\u0301"), U"\u00E9");
  EXPECT_EQ(nfd(U"\u1E69"), U"s\u0323\u0307");  // canonical order of the two marks
  EXPECT_TRUE(is_nonspacing_mark(0x301));
  EXPECT_FALSE(is_nonspacing_mark(U'e'));
}

// Python's str.lower(), special cases included.
TEST(Lowercase, FollowsPython) {
  EXPECT_EQ(lower_python(U"HeLLo \u00C0B"), U"hello \u00E0b");
  EXPECT_EQ(lower_python(U"\u0130"), U"i\u0307");  // 'İ'.lower() == 'i̇'
  EXPECT_EQ(lower_python(U"\u039F\u0394\u039F\u03A3"), U"\u03BF\u03B4\u03BF\u03C2");  // final ς
  EXPECT_EQ(lower_python(U"\u03A3"), U"\u03C3");                                      // alone: σ
  EXPECT_EQ(lower_python(U"\u03A3\u0391"), U"\u03C3\u03B1");    // word-initial: σ
  EXPECT_EQ(lower_python(U"\u039F\u03A3."), U"\u03BF\u03C2.");  // '.' is case-ignorable
}
