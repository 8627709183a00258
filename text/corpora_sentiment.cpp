// The sentiment task from the sentiment package's labelled review sentences.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "corpus_tables.h"
#include "kdbench/core/errors.h"

namespace kdbench::text::corpus_tables {
namespace {

struct Review {
  std::string text;
  int label;
};

// test/fixtures/<name>.json: [{"text": ..., "class": 0|1}, ...]. The package's files end with
// one {"text": "", "class": null}, skipped like any other entry without text.
std::vector<Review> read_reviews(const std::string& path, const std::string& fetched_dir,
                                 int64_t& without_text) {
  std::vector<Review> reviews;
  try {
    const nlohmann::json entries = nlohmann::json::parse(read_text_file(path, fetched_dir));
    if (!entries.is_array()) throw DataError(path + ": not a JSON array of {text, class}");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const nlohmann::json& entry = entries[i];
      std::string text = clean_field(entry.at("text").get<std::string>(), kMaxSentenceBytes);
      if (text.empty()) {
        ++without_text;
        continue;
      }
      const nlohmann::json& label = entry.at("class");
      if (!label.is_number_integer() || (label.get<int>() != 0 && label.get<int>() != 1)) {
        throw DataError("sentiment reviews " + path + ": entry " + std::to_string(i) +
                        " has class " + label.dump() + " (allowed: 0, 1)");
      }
      reviews.push_back({std::move(text), label.get<int>()});
    }
  } catch (const nlohmann::json::exception& e) {
    throw DataError("sentiment reviews " + path + ": not a JSON array of {text, class} (" +
                    e.what() + ")");
  }
  return reviews;
}

TsvRow review_row(Review review) {
  const uint64_t order = identity_hash(review.text);
  return {order, {std::move(review.text), std::to_string(review.label)}};
}

}  // namespace

TaskRows sentiment_rows(const std::string& fetched_dir) {
  namespace fs = std::filesystem;
  const std::string fixtures = (fs::path(fetched_dir) / "sentiment" / "test" / "fixtures").string();
  require_directory(fixtures, fetched_dir);

  TaskRows task;
  task.name = "review-sentiment";
  task.header = "sentence\tlabel";
  task.skip_reason = "entries without text";
  task.manifest_notes = {
      "source sentiment (npm sentiment, test/fixtures): amazon.json + yelp.json reviews; "
      "test_imdb.tsv: imdb.json, out-of-domain",
      "labels 0 negative, 1 positive", "split key the sentence text"};
  for (const char* name : {"amazon.json", "yelp.json"}) {
    for (Review& review :
         read_reviews((fs::path(fixtures) / name).string(), fetched_dir, task.skipped)) {
      const CorpusSplit split = split_of(review.text);
      task.splits[static_cast<std::size_t>(split)].push_back(review_row(std::move(review)));
    }
  }
  for (Review& review :
       read_reviews((fs::path(fixtures) / "imdb.json").string(), fetched_dir, task.skipped)) {
    task.extra_test.push_back(review_row(std::move(review)));
  }
  return task;
}

}  // namespace kdbench::text::corpus_tables
