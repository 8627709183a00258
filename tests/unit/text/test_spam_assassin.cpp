// The real SpamAssassin corpus (scripts/fetch-text-data.sh; ctest entry test_text.needs-textdata).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "kdbench/text/bert_tokenizer.h"
#include "kdbench/text/spam_assassin.h"
#include "text_data.h"

using namespace kdbench::text;

TEST(SpamAssassinCorpus, EveryMailParses) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<CorpusMail> corpus = read_spam_assassin(text_data_dir() + "/spam-assassin");
  const double parse_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(corpus.size(), 6046u);
  std::size_t spam = 0, empty_body = 0, empty_subject = 0;
  for (const CorpusMail& mail : corpus) {
    spam += mail.spam;
    empty_body += mail.mail.body.find_first_not_of(" \t\r\n") == std::string::npos;
    empty_subject += mail.mail.subject.empty();
  }
  EXPECT_EQ(spam, 1896u);
  EXPECT_EQ(corpus.size() - spam, 4150u);
  EXPECT_EQ(corpus.front().group, "easy-ham-1");
  EXPECT_EQ(corpus.front().file, "00001.7c53336b37003a9286aba55d2945844c.txt");
  EXPECT_EQ(corpus.front().mail.subject, "Re: New Sequences Window");
  EXPECT_EQ(corpus[4150].group, "spam-1");
  EXPECT_EQ(corpus[4150].mail.subject, "Life Insurance - Why Pay More?");

  // Tokenize every mail, as the text quickstart will.
  const BertTokenizer tokenizer =
      BertTokenizer::from_file(text_data_dir() + "/bert-base-uncased/vocab.txt");
  const auto tokenize_start = std::chrono::steady_clock::now();
  std::size_t tokens = 0, unknown = 0;
  for (const CorpusMail& mail : corpus) {
    for (int32_t id : tokenizer.token_ids(mail.mail.subject + "\n" + mail.mail.body)) {
      ASSERT_GE(id, 0);
      ASSERT_LT(id, 30522);
      ++tokens;
      unknown += id == tokenizer.vocab().unk_id();
    }
  }
  const double tokenize_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - tokenize_start).count();
  std::printf(
      "corpus: %zu mails parsed in %.2f s; empty bodies %zu, empty subjects %zu; %zu tokens "
      "(%zu [UNK]) in %.2f s\n",
      corpus.size(), parse_s, empty_body, empty_subject, tokens, unknown, tokenize_s);
  EXPECT_LT(unknown * 100, tokens);  // under 1% unknown: the bodies decoded to real text
}
