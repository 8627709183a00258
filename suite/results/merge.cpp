#include "kdbench/results/merge.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <type_traits>

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/results/run_record_fields.h"

namespace fs = std::filesystem;

namespace kdbench::results {
namespace {

// Bit for bit, so NaN equals NaN and -0.0 differs from 0.0: the same deterministic task gives
// the same bits, anything else is a different computation.
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i], b[i])) return false;
  }
  return true;
}

template <typename T>
bool same_bits(const T& a, const T& b) {
  return a == b;
}

struct Chosen {
  RunRecord record;
  std::string path;  // the input it came from (for conflict messages)
};

// Adds one input's records to `chosen` (first-seen order kept in `order`).
void merge_into(const MergeInput& in, std::map<std::string, Chosen>& chosen,
                std::vector<std::string>& order) {
  for (const auto& rec : in.records) {
    auto it = chosen.find(rec.key);
    if (it == chosen.end()) {
      chosen.emplace(rec.key, Chosen{rec, in.path});
      order.push_back(rec.key);
      continue;
    }
    const RunRecord& have = it->second.record;
    const bool have_done = have.status == Status::Done, new_done = rec.status == Status::Done;
    if (have_done && new_done) {
      const std::string diff = first_result_difference(have, rec);
      if (!diff.empty()) {
        throw ConfigError("kdbench merge: run " + rec.key + " is DONE in " + it->second.path +
                          " and in " + in.path + " with different results (" + diff +
                          "); nothing written");
      }
    } else if (new_done || (!have_done && rec.attempts > have.attempts)) {
      it->second = Chosen{rec, in.path};
    }
  }
}

Provenance provenance_of(const std::vector<MergeInput>& inputs) {
  const auto& root = inputs.front().root;
  auto attr = [&](const std::string& name) {
    auto it = root.find(name);
    return it == root.end() ? std::string() : it->second;
  };
  Provenance p;
  p.grid_name = attr("grid_name");
  p.grid_ini = attr("grid_ini");
  p.world_size = attr("world_size").empty()
                     ? 1
                     : static_cast<int>(parse_int(attr("world_size"), "world_size"));
  for (const auto& [name, value] : root) {
    if (starts_with(name, "version_")) p.versions[name.substr(8)] = value;
  }
  std::set<std::string> hosts;
  for (const auto& in : inputs) {
    auto it = in.root.find("hostnames");
    if (it == in.root.end()) continue;
    for (const auto& h : split_ws(it->second)) hosts.insert(h);
  }
  p.hostnames.assign(hosts.begin(), hosts.end());
  return p;
}

}  // namespace

std::string first_result_difference(const RunRecord& given_a, const RunRecord& given_b) {
  // As stored: an accuracy run's metric values are its accuracies, whatever the members hold.
  const RunRecord a = stored_form(given_a), b = stored_form(given_b);
  std::string diff;
  for_each_field_with<kResult>([&](const auto& field) {
    using Field = std::decay_t<decltype(field)>;
    using T = typename Field::Type;
    if (!diff.empty() || same_bits(field.of(a), field.of(b))) return;
    if constexpr (Field::kIsCurve) {
      diff = std::string("curve ") + field.name;
    } else if constexpr (std::is_same_v<T, double>) {
      diff = std::string(field.name) + " " + std::to_string(field.of(a)) + " vs " +
             std::to_string(field.of(b));
    } else {
      diff = field.name;
    }
  });
  return diff;
}

MergeResult merge_records(const std::vector<MergeInput>& inputs, const MergeNote& note) {
  if (inputs.empty()) {
    throw ConfigError("kdbench merge: no input files (kdbench merge a.h5 b.h5 ... -o all.h5)");
  }
  const MergeInput& first = inputs.front();
  std::map<std::string, Chosen> chosen;
  std::vector<std::string> order;
  for (const auto& in : inputs) {
    if (note && in.root.count("grid_ini") && first.root.count("grid_ini") &&
        in.root.at("grid_ini") != first.root.at("grid_ini")) {
      note("kdbench merge: note: " + in.path + " comes from another grid than " + first.path);
    }
    merge_into(in, chosen, order);
  }
  MergeResult result;
  result.provenance = provenance_of(inputs);
  for (const auto& key : order) result.records.push_back(std::move(chosen.at(key).record));
  return result;
}

MergeInput read_merge_input(const std::string& path) {
  if (!fs::exists(path)) throw ConfigError("kdbench merge: " + path + ": no such file");
  const auto store = ResultsStore::open_read_only(path);
  return MergeInput{path, store.read_all(), store.root_attributes()};
}

MergeCounts merge_files(const std::vector<std::string>& inputs, const std::string& output,
                        const MergeNote& note) {
  std::vector<MergeInput> read;
  for (const auto& path : inputs) read.push_back(read_merge_input(path));
  const MergeResult merged = merge_records(read, note);

  // Into a temporary file beside the output, renamed at the end: all or nothing.
  const std::string tmp = output + ".merge-tmp." + std::to_string(::getpid());
  std::remove(tmp.c_str());
  MergeCounts counts;
  try {
    auto store = ResultsStore::open_or_create(tmp, merged.provenance);
    for (const auto& record : merged.records) {
      store.put(record);
      ++counts[to_string(record.status)];
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
  return counts;
}

}  // namespace kdbench::results
