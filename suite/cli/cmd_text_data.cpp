// `kdbench text-data FETCHED_DIR [OUT_DIR]`: converts the local text corpora that
// scripts/fetch-text-data.sh unpacked into GLUE-layout TSV files with deterministic
// train/dev/test splits (kdbench/text/corpora.h, docs/text.md), once; training reads the TSVs.
#include <iostream>

#include "commands.h"
#include "kdbench/core/errors.h"
#include "kdbench/text/corpora.h"

namespace kdbench::cli {

int cmd_text_data(const Args& args) {
  if (args.empty() || args.size() > 2 || args[0].empty() || args[0].front() == '-') {
    throw ConfigError(
        "kdbench text-data: expected FETCHED_DIR [OUT_DIR] (kdbench text-data text-data/)");
  }
  const std::string fetched = args[0];
  const std::string out = args.size() == 2 ? args[1] : fetched;
  for (const text::CorpusTaskCounts& task : text::write_local_corpora(fetched, out)) {
    std::cout << task.task << ": train " << task.train << ", dev " << task.dev << ", test "
              << task.test;
    if (task.extra_test > 0) std::cout << ", test_imdb " << task.extra_test;
    std::cout << "; skipped " << task.skipped << " (" << task.skip_reason << ")"
              << (task.unchanged ? "; unchanged" : "") << " -> " << out << "/" << task.task << "\n";
  }
  return kExitOk;
}

}  // namespace kdbench::cli
