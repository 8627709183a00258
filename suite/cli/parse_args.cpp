#include "parse_args.h"

#include "kdbench/core/errors.h"

namespace kdbench::cli {

po::variables_map parse_args(const std::string& command, const std::vector<std::string>& args,
                             const po::options_description& options,
                             const std::string& positional_name) {
  po::options_description all;
  all.add(options);
  all.add_options()(positional_name.c_str(), po::value<std::string>());
  po::positional_options_description pos;
  pos.add(positional_name.c_str(), 1);
  po::variables_map vm;
  try {
    // No abbreviations: `--gpus 2` must be an error, not a silent `--gpus-per-node 2`.
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(all).positional(pos).style(style).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError("kdbench " + command + ": " + e.what());
  }
  if (!vm.count(positional_name))
    throw ConfigError("kdbench " + command + ": missing " + positional_name +
                      " (see kdbench --help)");
  return vm;
}

}  // namespace kdbench::cli
