// `kdbench merge a.h5 b.h5 ... -o all.h5`: joins results files (the shards of a `--mode array`
// Slurm job, or runs of one grid on several machines) into one.
//
// Per key: DONE beats every other status (a shard that finished a task wins over a stale copy
// that shows it RUNNING or INTERRUPTED); among unfinished records the one with more attempts wins
// (it saw more of the task's history), then the earlier input. Two DONE records of one key must
// agree on their results: tasks are deterministic, so a difference means the files come from
// different code or data, and merging them silently would corrupt the study. The output is
// written to a temporary file and renamed at the end, so a refused merge leaves nothing behind
// and an output that is also an input is replaced only when the merge succeeded. Merging the
// output again with its inputs gives the same records (idempotent).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "commands.h"
#include "parse_args.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/results/results_store.h"

namespace fs = std::filesystem;

namespace kdbench::cli {
namespace {

struct Input {
  std::string path;
  std::vector<results::RunRecord> records;
  std::map<std::string, std::string> root;  // root attributes (provenance) as text
};

struct Chosen {
  results::RunRecord record;
  std::string path;  // the input it came from (for conflict messages)
};

Input read_input(const std::string& path) {
  if (!fs::exists(path)) throw ConfigError("kdbench merge: " + path + ": no such file");
  const auto store = results::ResultsStore::open_read_only(path);
  return Input{path, store.read_all(), store.root_attributes()};
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same_bits(a[i], b[i])) return false;
  return true;
}

// The first result field on which two DONE records differ, or "" when they agree bit for bit.
// Timings (seconds, wall time) and where a run happened are not results.
std::string first_difference(const results::RunRecord& a, const results::RunRecord& b) {
  const std::pair<const char*, std::pair<double, double>> scalars[] = {
      {"best_val_acc", {a.best_val_acc, b.best_val_acc}},
      {"test_acc_at_best_val", {a.test_acc_at_best_val, b.test_acc_at_best_val}},
      {"final_test_acc", {a.final_test_acc, b.final_test_acc}},
      {"best_test_acc", {a.best_test_acc, b.best_test_acc}}};
  for (const auto& [name, values] : scalars)
    if (!same_bits(values.first, values.second))
      return std::string(name) + " " + std::to_string(values.first) + " vs " + std::to_string(values.second);
  if (a.best_epoch != b.best_epoch) return "best_epoch";
  if (a.curves.epoch != b.curves.epoch) return "curve epoch";
  const std::pair<const char*, std::pair<const std::vector<double>*, const std::vector<double>*>> curves[] = {
      {"train_loss", {&a.curves.train_loss, &b.curves.train_loss}},
      {"train_acc", {&a.curves.train_acc, &b.curves.train_acc}},
      {"val_acc", {&a.curves.val_acc, &b.curves.val_acc}},
      {"test_acc", {&a.curves.test_acc, &b.curves.test_acc}},
      {"lr", {&a.curves.lr, &b.curves.lr}}};
  for (const auto& [name, values] : curves)
    if (!same_bits(*values.first, *values.second)) return std::string("curve ") + name;
  return "";
}

// Adds one input's records to `chosen` (first-seen order kept in `order`).
void merge_into(const Input& in, std::map<std::string, Chosen>& chosen, std::vector<std::string>& order) {
  using results::Status;
  for (const auto& rec : in.records) {
    auto it = chosen.find(rec.key);
    if (it == chosen.end()) {
      chosen.emplace(rec.key, Chosen{rec, in.path});
      order.push_back(rec.key);
      continue;
    }
    const results::RunRecord& have = it->second.record;
    const bool have_done = have.status == Status::Done, new_done = rec.status == Status::Done;
    if (have_done && new_done) {
      const std::string diff = first_difference(have, rec);
      if (!diff.empty())
        throw ConfigError("kdbench merge: run " + rec.key + " is DONE in " + it->second.path + " and in " +
                          in.path + " with different results (" + diff + "); nothing written");
    } else if (new_done || (!have_done && rec.attempts > have.attempts)) {
      it->second = Chosen{rec, in.path};
    }
  }
}

// Provenance of the output: the first input's (grid, versions, world size), with the hosts of
// every input, since the shards of an array job run on different nodes.
results::Provenance provenance_of(const std::vector<Input>& inputs) {
  const auto& root = inputs.front().root;
  auto attr = [&](const std::string& name) {
    auto it = root.find(name);
    return it == root.end() ? std::string() : it->second;
  };
  results::Provenance p;
  p.grid_name = attr("grid_name");
  p.grid_ini = attr("grid_ini");
  p.world_size = attr("world_size").empty() ? 1 : static_cast<int>(parse_int(attr("world_size"), "world_size"));
  for (const auto& [name, value] : root)
    if (starts_with(name, "version_")) p.versions[name.substr(8)] = value;
  std::set<std::string> hosts;
  for (const auto& in : inputs) {
    auto it = in.root.find("hostnames");
    if (it != in.root.end())
      for (const auto& h : split_ws(it->second)) hosts.insert(h);
  }
  p.hostnames.assign(hosts.begin(), hosts.end());
  return p;
}

}  // namespace

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
  if (!vm.count("output") || vm["output"].as<std::string>().empty())
    throw ConfigError("kdbench merge: missing -o OUTPUT.h5 (kdbench merge a.h5 b.h5 ... -o all.h5)");
  if (!vm.count("inputs"))
    throw ConfigError("kdbench merge: no input files (kdbench merge a.h5 b.h5 ... -o all.h5)");
  const std::string output = vm["output"].as<std::string>();

  std::vector<Input> inputs;
  for (const auto& path : vm["inputs"].as<std::vector<std::string>>()) inputs.push_back(read_input(path));
  std::map<std::string, Chosen> chosen;
  std::vector<std::string> order;
  for (const auto& in : inputs) {
    if (in.root.count("grid_ini") && inputs.front().root.count("grid_ini") &&
        in.root.at("grid_ini") != inputs.front().root.at("grid_ini"))
      std::cerr << "kdbench merge: note: " << in.path << " comes from another grid than " << inputs.front().path
                << "\n";
    merge_into(in, chosen, order);
  }

  // Into a temporary file beside the output, renamed at the end: all or nothing.
  const std::string tmp = output + ".merge-tmp." + std::to_string(::getpid());
  std::remove(tmp.c_str());
  std::map<std::string, int> counts;
  try {
    auto store = results::ResultsStore::open_or_create(tmp, provenance_of(inputs));
    for (const auto& key : order) {
      store.put(chosen.at(key).record);
      ++counts[results::to_string(chosen.at(key).record.status)];
    }
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, output, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw IoError(output + ": cannot move the merged file into place: " + ec.message());
  }
  std::cout << "merged " << order.size() << " runs (";
  bool first = true;
  for (const auto& [status, n] : counts) {
    std::cout << (first ? "" : ", ") << n << " " << status;
    first = false;
  }
  std::cout << ") from " << inputs.size() << " file(s) into " << output << "\n";
  return kExitOk;
}

}  // namespace kdbench::cli
