// The converter on the real fetched corpora (scripts/fetch-text-data.sh; ctest entry
// test_text.needs-textdata). Writes into a temporary directory, never into the fetched one.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "kdbench/text/corpora.h"
#include "text_data.h"

using namespace kdbench::text;
namespace fs = std::filesystem;

TEST(TextCorporaReal, ConvertsTheFetchedCorpora) {
  const fs::path out = fs::path(::testing::TempDir()) / "kdbench_text_corpora_real";
  fs::remove_all(out);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<CorpusTaskCounts> counts = write_local_corpora(text_data_dir(), out.string());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(counts.size(), 4u);
  for (const CorpusTaskCounts& task : counts) {
    std::printf("%s: train %lld dev %lld test %lld extra %lld skipped %lld (%s)\n",
                task.task.c_str(), static_cast<long long>(task.train),
                static_cast<long long>(task.dev), static_cast<long long>(task.test),
                static_cast<long long>(task.extra_test), static_cast<long long>(task.skipped),
                task.skip_reason.c_str());
    const double total = static_cast<double>(task.train + task.dev + task.test);
    EXPECT_NEAR(task.train / total, 0.8, 0.05) << task.task;
    EXPECT_GT(task.dev, 0) << task.task;
    EXPECT_GT(task.test, 0) << task.task;
  }
  std::printf("converted in %.2f s\n", seconds);
  const CorpusTaskCounts& spam = counts[0];
  EXPECT_EQ(spam.train + spam.dev + spam.test, 6046 - spam.skipped);
  EXPECT_LT(spam.skipped, 60);  // attachment-only mails (18 have no text part at all)
  const CorpusTaskCounts& pair = counts[1];
  EXPECT_EQ((pair.train + pair.dev + pair.test) % 2, 0);
  EXPECT_EQ((pair.train + pair.dev + pair.test) / 2, 6046 - pair.skipped);
  EXPECT_GT(counts[2].train + counts[2].dev + counts[2].test, 40000);
  const CorpusTaskCounts& sentiment = counts[3];
  EXPECT_EQ(sentiment.train + sentiment.dev + sentiment.test, 2000);
  EXPECT_EQ(sentiment.extra_test, 1000);

  // A second conversion finds every task unchanged.
  for (const CorpusTaskCounts& task : write_local_corpora(text_data_dir(), out.string())) {
    EXPECT_TRUE(task.unchanged) << task.task;
  }
  fs::remove_all(out);
}
