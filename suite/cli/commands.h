#pragma once
// Subcommands of the `kdbench` executable. cli/ is the only place that sees argv and Boost.PO
// command-line parsing (docs/design.md §2.3); each command returns the process exit code and throws
// kdbench::Error for user errors, which main() prints as one line.
#include <string>
#include <vector>

namespace kdbench::cli {

using Args = std::vector<std::string>;  // the arguments after the subcommand name

int cmd_run(const Args& args, int* argc, char*** argv);
int cmd_plan(const Args& args);
int cmd_status(const Args& args);
int cmd_report(const Args& args);
int cmd_slurm(const Args& args);
int cmd_merge(const Args& args);
int cmd_text_data(const Args& args);

}  // namespace kdbench::cli
