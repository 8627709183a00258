#pragma once
// Boost.PO helpers shared by the subcommands: one positional argument plus named options, with
// errors turned into ConfigError lines that name the command.
#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace kdbench::cli {

namespace po = boost::program_options;

// Parses `args` for `command` with `options` and one required positional `positional_name`.
po::variables_map parse_args(const std::string& command, const std::vector<std::string>& args,
                             const po::options_description& options,
                             const std::string& positional_name);

}  // namespace kdbench::cli
