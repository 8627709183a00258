// `kdbench merge a.h5 b.h5 ... -o all.h5`: joins results files (the shards of a `--mode array`
// Slurm job, or runs of one grid on several machines) into one. The rules (DONE wins, then more
// attempts, then the earlier input; conflicting DONE records refused; all-or-nothing output) are
// kdbench_results' merge_files (kdbench/results/merge.h); this file parses and prints.
#include <iostream>

#include "commands.h"
#include "kdbench/core/errors.h"
#include "kdbench/results/merge.h"
#include "parse_args.h"

namespace kdbench::cli {

int cmd_merge(const Args& args) {
  po::options_description opts;
  opts.add_options()("output,o", po::value<std::string>(), "merged results file")(
      "inputs", po::value<std::vector<std::string>>()->multitoken(), "results files");
  po::positional_options_description pos;
  pos.add("inputs", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(std::string("kdbench merge: ") + e.what());
  }
  if (!vm.count("output") || vm["output"].as<std::string>().empty()) {
    throw ConfigError(
        "kdbench merge: missing -o OUTPUT.h5 (kdbench merge a.h5 b.h5 ... -o all.h5)");
  }
  if (!vm.count("inputs")) {
    throw ConfigError("kdbench merge: no input files (kdbench merge a.h5 b.h5 ... -o all.h5)");
  }
  const std::string output = vm["output"].as<std::string>();
  const auto inputs = vm["inputs"].as<std::vector<std::string>>();

  const results::MergeCounts counts = results::merge_files(
      inputs, output, [](const std::string& note) { std::cerr << note << "\n"; });
  int runs = 0;
  for (const auto& [status, n] : counts) runs += n;
  std::cout << "merged " << runs << " runs (";
  bool first = true;
  for (const auto& [status, n] : counts) {
    std::cout << (first ? "" : ", ") << n << " " << status;
    first = false;
  }
  std::cout << ") from " << inputs.size() << " file(s) into " << output << "\n";
  return kExitOk;
}

}  // namespace kdbench::cli
