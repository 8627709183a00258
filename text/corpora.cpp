#include "kdbench/text/corpora.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "corpus_tables.h"
#include "kdbench/core/errors.h"
#include "text_files.h"

namespace kdbench::text {
namespace {

namespace fs = std::filesystem;
using corpus_tables::TaskFiles;

// Whether `dir` holds exactly `files` (no other entry), byte for byte.
bool holds_exactly(const fs::path& dir, const std::map<std::string, std::string>& files) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return false;
  std::size_t entries = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    ++entries;
    const auto it = files.find(entry.path().filename().string());
    if (it == files.end() || !entry.is_regular_file(error)) return false;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return false;
    if (bytes != it->second) return false;
  }
  return !error && entries == files.size();
}

// A directory this converter may replace: absent, or holding a MANIFEST that names `task`.
void check_replaceable(const fs::path& target, const std::string& task) {
  std::error_code error;
  if (!fs::exists(target, error)) return;
  std::ifstream manifest(target / "MANIFEST");
  std::string first_line;
  std::getline(manifest, first_line);
  if (!fs::is_directory(target, error) || first_line != "task " + task) {
    throw ConfigError(target.string() + " exists and is not a " + task +
                      " directory of kdbench text-data (no MANIFEST naming it); not replacing "
                      "it: move it away or choose another OUT_DIR");
  }
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::rename(from, to, error);
  if (error) {
    throw IoError("cannot rename " + from.string() + " to " + to.string() + ": " + error.message());
  }
}

// Writes the task into out_dir/<task>.tmp-<pid>/ and renames that into out_dir/<task>; an older
// directory there is moved aside first (rename(2) cannot replace a non-empty directory) and
// removed after. Readers see the old files or the new ones, never a mixture.
void install_task(const fs::path& out_dir, TaskFiles& task) {
  const fs::path target = out_dir / task.counts.task;
  if (holds_exactly(target, task.files)) {
    task.counts.unchanged = true;
    return;
  }
  const fs::path tmp = text_files::temporary_name(target.string());
  std::error_code error;
  fs::remove_all(tmp, error);
  fs::create_directories(tmp, error);
  if (error) throw IoError("cannot create " + tmp.string() + ": " + error.message());
  try {
    for (const auto& [name, bytes] : task.files)
      text_files::write_bytes((tmp / name).string(), bytes);
    if (fs::exists(target, error)) {
      const fs::path old = out_dir / (task.counts.task + ".old-" + std::to_string(::getpid()));
      fs::remove_all(old, error);
      rename_or_throw(target, old);
      rename_or_throw(tmp, target);
      fs::remove_all(old, error);
    } else {
      rename_or_throw(tmp, target);
    }
  } catch (...) {
    fs::remove_all(tmp, error);
    throw;
  }
}

}  // namespace

std::vector<CorpusTaskCounts> write_local_corpora(const std::string& fetched_dir,
                                                  const std::string& out_dir,
                                                  const LocalCorporaOptions& options) {
  corpus_tables::require_directory(fetched_dir, fetched_dir);
  // Everything is read and checked before anything is written.
  const std::vector<CorpusMail> mails = read_spam_assassin(
      (fs::path(fetched_dir) / "spam-assassin").string(), options.full_spam_corpus);
  std::vector<TaskFiles> tasks;
  tasks.push_back(corpus_tables::render_task(corpus_tables::spam_rows(mails)));
  tasks.push_back(corpus_tables::render_task(corpus_tables::spam_pair_rows(mails)));
  tasks.push_back(corpus_tables::render_task(corpus_tables::sotu_party_rows(fetched_dir)));
  tasks.push_back(corpus_tables::render_task(corpus_tables::sentiment_rows(fetched_dir)));

  for (const TaskFiles& task : tasks)
    check_replaceable(fs::path(out_dir) / task.counts.task, task.counts.task);
  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error) throw IoError("cannot create " + out_dir + ": " + error.message());
  std::vector<CorpusTaskCounts> counts;
  for (TaskFiles& task : tasks) {
    install_task(out_dir, task);
    counts.push_back(task.counts);
  }
  return counts;
}

}  // namespace kdbench::text
