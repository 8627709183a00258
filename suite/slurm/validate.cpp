// Validation of SlurmOptions. Values that end up on #SBATCH lines are restricted to plain
// characters: sbatch parses those lines itself, so shell quoting cannot protect them, and a
// site admin reading the script should see exactly what was asked for.
#include <cctype>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "kdbench/core/errors.h"
#include "kdbench/slurm/sbatch_script.h"

namespace kdbench::slurm {
namespace {

const char* const kNameChars = "[A-Za-z0-9_.+-]";

// The value as it can be shown on one line: control characters become \n or \xNN.
std::string printable(const std::string& value) {
  std::string out;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::iscntrl(u)) {
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      const char* hex = "0123456789abcdef";
      out += std::string("\\x") + hex[u >> 4] + hex[u & 15];
    }
  }
  return out;
}

[[noreturn]] void fail(const std::string& option, const std::string& value,
                       const std::string& allowed) {
  throw ConfigError(option + ": '" + printable(value) + "' is not allowed (" + allowed + ")");
}

void check_range(const std::string& option, long long value, long long lo, long long hi) {
  if (value < lo || value > hi)
    fail(option, std::to_string(value),
         "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
}

bool matches(const std::string& text, const std::string& pattern) {
  return std::regex_match(text, std::regex(pattern));
}

void check_name(const std::string& option, const std::string& value) {
  if (!value.empty() && !matches(value, std::string("^") + kNameChars + "+$"))
    fail(option, value, "letters, digits and _ . + - only");
}

void check_no_line_break(const std::string& option, const std::string& value) {
  for (char c : value)
    if (std::iscntrl(static_cast<unsigned char>(c)))
      fail(option, value, "control characters and line breaks are not allowed in a path");
}

std::vector<std::string> split_spaces(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

}  // namespace

bool parse_time_limit(const std::string& text, long long* seconds) {
  // Slurm's forms: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S. Minutes and seconds below 60.
  static const std::regex form(R"(^(?:(\d{1,3})-)?(\d{1,5})(?::(\d{1,2}))?(?::(\d{1,2}))?$)");
  std::smatch m;
  if (!std::regex_match(text, m, form)) return false;
  const bool has_days = m[1].matched;
  const long long a = std::stoll(m[2].str());
  const long long b = m[3].matched ? std::stoll(m[3].str()) : 0;
  const long long c = m[4].matched ? std::stoll(m[4].str()) : 0;
  long long total = 0;
  if (has_days) {  // D-H, D-H:M, D-H:M:S
    if (a > 23 || b > 59 || c > 59) return false;
    total = std::stoll(m[1].str()) * 86400 + a * 3600 + b * 60 + c;
  } else if (m[4].matched) {  // H:M:S
    if (b > 59 || c > 59) return false;
    total = a * 3600 + b * 60 + c;
  } else if (m[3].matched) {  // M:S
    if (b > 59) return false;
    total = a * 60 + b;
  } else {  // M
    total = a * 60;
  }
  if (total <= 0) return false;
  if (seconds) *seconds = total;
  return true;
}

void validate(const SlurmOptions& o) {
  if (o.grid_path.empty()) throw ConfigError("grid file: missing (kdbench slurm GRID.ini ...)");
  check_no_line_break("grid file", o.grid_path);
  if (o.kdbench_path.empty() || o.kdbench_path.front() != '/')
    fail("kdbench binary", o.kdbench_path, "an absolute path is required");
  check_no_line_break("kdbench binary", o.kdbench_path);
  check_no_line_break("--results", o.results_path);
  if (o.log_dir.empty() || !matches(o.log_dir, R"(^[A-Za-z0-9_./+,=@:~-]+$)"))
    fail("--log-dir", o.log_dir,
         "a non-empty path of letters, digits and _ . / + , = @ : ~ - only (it goes on an "
         "#SBATCH --output line, which cannot be quoted)");
  check_name("--job-name", o.job_name);

  check_range("--nodes", o.nodes, 1, 100000);
  check_range("--gpus-per-node", o.gpus_per_node, 0, 64);
  check_range("--ntasks-per-node", o.tasks_per_node, 0, 1024);
  check_range("--ranks-per-gpu", o.ranks_per_gpu, 0, 64);
  if (o.ranks_per_gpu > 0 && o.gpus_per_node == 0)
    fail("--ranks-per-gpu", std::to_string(o.ranks_per_gpu),
         "only with --gpus-per-node G: it sets G x R ranks per node");
  if (o.ranks_per_gpu > 0 && o.tasks_per_node > 0)
    fail("--ranks-per-gpu", std::to_string(o.ranks_per_gpu),
         "give --ntasks-per-node or --ranks-per-gpu, not both");
  if (!o.device.empty() && o.gpus_per_node == 0)
    fail("--device", o.device, "only with --gpus-per-node G; a CPU-only job runs on the CPU");
  if (!o.device.empty() && o.device != "cuda" && o.device != "auto" && o.device != "cpu")
    fail("--device", o.device, "allowed: cuda (default with GPUs), auto or cpu");
  check_range("--cpus-per-task", o.cpus_per_task, 1, 1024);
  check_range("--signal-seconds", o.signal_seconds, 1, 65535);  // Slurm's own upper limit
  check_range("--max-requeues", o.max_requeues, 0, 1000);

  long long limit = 0;
  if (!o.time.empty()) {
    if (!parse_time_limit(o.time, &limit))
      fail("--time", o.time,
           "expected [D-]HH:MM:SS, D-HH[:MM], MM:SS or minutes, e.g. 1-12:00:00 or 90");
    if (o.signal_seconds >= limit)
      throw ConfigError("--signal-seconds: " + std::to_string(o.signal_seconds) +
                        " s is not shorter than --time " + o.time + " (" + std::to_string(limit) +
                        " s); the stop signal would come at once");
  }
  check_name("--partition", o.partition);
  check_name("--account", o.account);
  check_name("--qos", o.qos);
  if (!o.mem.empty() && !matches(o.mem, "^[1-9][0-9]{0,8}[KMGT]?$"))
    fail("--mem", o.mem, "memory per node as a positive integer with optional K M G T, e.g. 16G");

  for (const std::string& module : split_spaces(o.modules))
    if (!matches(module, "^[A-Za-z0-9_./+-]+$"))
      fail("--modules", module,
           "a space-separated list of module names of letters, digits and _ . / + -");

  if (o.mpi != "pmix" && o.mpi != "none")
    fail("--mpi", o.mpi, "allowed: pmix (srun --mpi=pmix) or none (mpirun)");
  if (o.mode == "mpi") {
    if (o.shards != 0) fail("--shards", std::to_string(o.shards), "only with --mode array");
  } else if (o.mode == "array") {
    check_range("--shards", o.shards, 1, 100000);
    if (o.results_path.empty())
      throw ConfigError("--results: required with --mode array (each shard writes its own file)");
  } else {
    fail("--mode", o.mode, "allowed: mpi or array");
  }
}

}  // namespace kdbench::slurm
