// The text steps of the corpus converter: TSV fields, sentences, splits.
#include <gtest/gtest.h>

#include "kdbench/text/corpus_text.h"

using namespace kdbench::text;

TEST(CorpusText, FieldsLoseTabsLineBreaksAndControlRuns) {
  EXPECT_EQ(clean_field("  a\tb\r\n\r\nc \x01\x7F d\n", 100), "a b c d");
  EXPECT_EQ(clean_field("x\u2028y\u0085z", 100), "x y z");  // line/paragraph separators, NEL
  EXPECT_EQ(clean_field("\t \n", 100), "");
  EXPECT_EQ(clean_field("caf\u00E9 \u00A0ok", 100), "caf\u00E9 \u00A0ok");  // NBSP is text
}

TEST(CorpusText, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(clean_field("a\xFF"
                        "b\xC3",
                        100),
            "a\uFFFD"
            "b\uFFFD");
  EXPECT_EQ(clean_field("\xE2\x82", 100), "\uFFFD");  // one truncated sequence, one U+FFFD
}

TEST(CorpusText, CutsAtCharacterBoundaries) {
  const std::string e = "\u00E9";     // 2 bytes
  const std::string euro = "\u20AC";  // 3 bytes
  EXPECT_EQ(cut_utf8("abc", 5), "abc");
  EXPECT_EQ(cut_utf8("ab" + e, 3), "ab");
  EXPECT_EQ(cut_utf8("ab" + e, 4), "ab" + e);
  EXPECT_EQ(cut_utf8(euro + euro, 5), euro);
  EXPECT_EQ(cut_utf8(euro, 2), "");
  EXPECT_EQ(clean_field("ab  cd", 3), "ab");  // cut, then the trailing space trimmed
  EXPECT_EQ(clean_field(std::string(10, 'x') + e + "y", 11), std::string(10, 'x'));
}

TEST(CorpusText, CountsWords) {
  EXPECT_EQ(count_words(""), 0u);
  EXPECT_EQ(count_words("  one\ttwo \n three "), 3u);
}

TEST(CorpusText, SplitsSentencesAtTerminatorsBeforeCapitals) {
  EXPECT_EQ(
      split_sentences("It rained. We stayed in!  Did it stop? Yes.\n\nThe end"),
      (std::vector<std::string>{"It rained.", "We stayed in!", "Did it stop?", "Yes.", "The end"}));
  // Quotes and brackets after the terminator stay with the sentence, an opening quote starts
  // the next; curly quotes too.
  EXPECT_EQ(split_sentences("He said \"go.\" Then (they left.) \u201CWhy?\u201D Nobody knew."),
            (std::vector<std::string>{"He said \"go.\"", "Then (they left.)", "\u201CWhy?\u201D",
                                      "Nobody knew."}));
}

TEST(CorpusText, SentenceSplitterKnowsInitialsAndTitles) {
  EXPECT_EQ(split_sentences("Mr. Smith met Gen. Grant and John Q. Adams. The U.S. Government "
                            "paid. It was 1850. then nothing"),
            (std::vector<std::string>{"Mr. Smith met Gen. Grant and John Q. Adams.",
                                      "The U.S. Government paid.", "It was 1850. then nothing"}));
  // A documented limit: a sentence ending in an initial joins the next.
  EXPECT_EQ(split_sentences("We trade with the U.S. The rest is silence."),
            (std::vector<std::string>{"We trade with the U.S. The rest is silence."}));
}

TEST(CorpusText, SplitsAreFixedFunctionsOfTheIdentity) {
  // Pinned: FNV-1a + splitmix64 of the bytes, the same on every machine. A change here moves
  // items between train, dev and test of every converted corpus.
  EXPECT_EQ(identity_hash("easy-ham-1/00001.aaa.txt"), 3801267001006727143ULL);
  EXPECT_EQ(identity_hash("2001_first_democrat_d.json"), 14449667944493081379ULL);
  EXPECT_EQ(split_of("easy-ham-1/00001.aaa.txt"), CorpusSplit::kTrain);  // hash % 10 == 3
  EXPECT_EQ(split_of("easy-ham-1/00009.009a.txt"), CorpusSplit::kDev);   // 8
  EXPECT_EQ(split_of("easy-ham-1/00008.008a.txt"), CorpusSplit::kTest);  // 9
  // About 80/10/10 over many identities.
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 10000; ++i) ++counts[static_cast<int>(split_of("item " + std::to_string(i)))];
  EXPECT_NEAR(counts[0], 8000, 200);
  EXPECT_NEAR(counts[1], 1000, 150);
  EXPECT_NEAR(counts[2], 1000, 150);
  EXPECT_STREQ(split_name(CorpusSplit::kDev), "dev");
}
