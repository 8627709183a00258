#pragma once
// The local text corpora (docs/text.md) converted once into GLUE-layout TSV files with
// deterministic train/dev/test splits; training reads only the TSVs (kdbench/datasets/glue.h).
// Input: what scripts/fetch-text-data.sh unpacked (spam-assassin/, sotu/, sentiment/). Output,
// one directory per task under out_dir, each with train.tsv dev.tsv test.tsv and a MANIFEST:
//   spam/        sentence \t label          mail body; 0 ham, 1 spam
//   spam-pair/   index \t sentence1 \t sentence2 \t label
//                                           subject, body; 1 its own subject, 0 another mail's
//   sotu-party/  sentence \t label          sentences of addresses; 0 Democratic, 1 Republican
//   review-sentiment/  sentence \t label    Amazon + Yelp reviews; 0 negative, 1 positive; plus
//                                           test_imdb.tsv, IMDB reviews (out-of-domain test)
// The task names differ from the package directories (spam-assassin, sotu, sentiment), so that
// out_dir may be the fetched directory itself.
#include <cstdint>
#include <string>
#include <vector>

namespace kdbench::text {

struct CorpusTaskCounts {
  std::string task;  // "spam", "spam-pair", "sotu-party", "review-sentiment"
  int64_t train = 0, dev = 0, test = 0;
  int64_t extra_test = 0;  // sentiment: the rows of test_imdb.tsv
  int64_t skipped = 0;     // items left out (see skip_reason)
  std::string skip_reason;
  bool unchanged = false;  // the task directory already held exactly this content
};

struct LocalCorporaOptions {
  // Check that the SpamAssassin corpus is complete (6,046 mails in its five groups). Off only for
  // hand-made miniature corpora (tests).
  bool full_spam_corpus = true;
};

// Reads every corpus first (a missing or malformed input is a DataError naming the path and
// saying to run scripts/fetch-text-data.sh; nothing is written then), then writes each task into
// out_dir/<task>.tmp-<pid>/ and renames it into place, unless out_dir/<task> already holds the
// same files byte for byte. An existing out_dir/<task> that is not a task directory written
// here (no MANIFEST naming the task) is never replaced: ConfigError, nothing written. Returns
// the counts of each task, in the order above.
std::vector<CorpusTaskCounts> write_local_corpora(const std::string& fetched_dir,
                                                  const std::string& out_dir,
                                                  const LocalCorporaOptions& options = {});

}  // namespace kdbench::text
