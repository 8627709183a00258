#include "corpus_tables.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "kdbench/core/errors.h"

namespace kdbench::text::corpus_tables {
namespace {

std::string fetch_hint(const std::string& fetched_dir) {
  return " (run scripts/fetch-text-data.sh " + fetched_dir + " first)";
}

std::string render_rows(const std::string& header, std::vector<TsvRow> rows, bool indexed) {
  std::sort(rows.begin(), rows.end(), [](const TsvRow& a, const TsvRow& b) {
    return a.order != b.order ? a.order < b.order : a.fields < b.fields;
  });
  std::string out = header + "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (indexed) out += std::to_string(i) + "\t";
    for (std::size_t f = 0; f < rows[i].fields.size(); ++f) {
      if (f > 0) out += '\t';
      out += rows[i].fields[f];
    }
    out += '\n';
  }
  return out;
}

}  // namespace

TaskFiles render_task(TaskRows task) {
  TaskFiles out;
  out.counts.task = task.name;
  out.counts.train = static_cast<int64_t>(task.splits[0].size());
  out.counts.dev = static_cast<int64_t>(task.splits[1].size());
  out.counts.test = static_cast<int64_t>(task.splits[2].size());
  out.counts.extra_test = static_cast<int64_t>(task.extra_test.size());
  out.counts.skipped = task.skipped;
  out.counts.skip_reason = task.skip_reason;

  std::ostringstream manifest;
  manifest << "task " << task.name << "\n";
  for (const std::string& note : task.manifest_notes) manifest << note << "\n";
  manifest << "split 80/10/10 by FNV-1a hash of each item's identity; rows sorted by hash\n";
  for (CorpusSplit split : {CorpusSplit::kTrain, CorpusSplit::kDev, CorpusSplit::kTest}) {
    const std::string file = std::string(split_name(split)) + ".tsv";
    auto& rows = task.splits[static_cast<std::size_t>(split)];
    manifest << file << " " << rows.size() << " rows\n";
    out.files[file] = render_rows(task.header, std::move(rows), task.indexed);
  }
  if (!task.extra_test.empty()) {
    manifest << "test_imdb.tsv " << task.extra_test.size() << " rows\n";
    out.files["test_imdb.tsv"] = render_rows(task.header, std::move(task.extra_test), false);
  }
  manifest << "skipped " << task.skipped << " (" << task.skip_reason << ")\n";
  out.files["MANIFEST"] = manifest.str();
  return out;
}

void require_directory(const std::string& path, const std::string& fetched_dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(path, error)) {
    throw DataError("text data: no directory " + path + fetch_hint(fetched_dir));
  }
}

std::string read_text_file(const std::string& path, const std::string& fetched_dir) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError("text data: cannot read " + path + fetch_hint(fetched_dir));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace kdbench::text::corpus_tables
