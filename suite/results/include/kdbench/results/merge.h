#pragma once
// Joining results files (`kdbench merge a.h5 b.h5 ... -o all.h5`): the shards of a `--mode array`
// Slurm job, or runs of one grid on several machines (docs/design.md, results).
//
// Per key: DONE beats every other status (a shard that finished a task wins over a stale copy
// that shows it RUNNING or INTERRUPTED); among unfinished records the one with more attempts wins
// (it saw more of the task's history), then the earlier input. Two DONE records of one key must
// agree on their results (the fields flagged kResult in run_record_fields.h, bit for bit): tasks
// are deterministic, so a difference means the files come from different code or data, and
// merging them silently would corrupt the study. Merging the output again with its inputs gives
// the same records (idempotent).
//
// Messages start with "kdbench merge: ", since they are that command's (exit 2 for ConfigError).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kdbench/results/results_store.h"
#include "kdbench/results/run_record.h"

namespace kdbench::results {

// One input file as read: its records (in file order) and its root attributes as text.
struct MergeInput {
  std::string path;
  std::vector<RunRecord> records;
  std::map<std::string, std::string> root;
};

struct MergeResult {
  std::vector<RunRecord> records;  // the chosen record of every key, in first-seen order
  // The first input's provenance (grid, versions, world size) with the hosts of every input,
  // since the shards of an array job run on different nodes.
  Provenance provenance;
};

// Receives warnings that do not stop the merge ("kdbench merge: note: b.h5 comes from another
// grid than a.h5"), as they are found: before a refusal that follows them.
using MergeNote = std::function<void(const std::string&)>;

// The first kResult field on which two records differ, with the values of a number ("" when they
// agree bit for bit): "best_val_acc 0.891000 vs 0.901000", "best_epoch", "curve lr". Compared as
// stored (stored_form): an accuracy run's metric values are its accuracies.
std::string first_result_difference(const RunRecord& a, const RunRecord& b);

// The merge rules, without I/O. ConfigError naming the key, the differing field and both files
// when two DONE records of one key differ in a result. `inputs` must not be empty.
MergeResult merge_records(const std::vector<MergeInput>& inputs, const MergeNote& note = {});

// ConfigError "kdbench merge: <path>: no such file"; IoError for a file that is no results file.
MergeInput read_merge_input(const std::string& path);

// How many runs of each status ("DONE", "FAILED", ...) the merged file holds.
using MergeCounts = std::map<std::string, int>;

// Reads every input (all before merging), merges them and writes `output` through a temporary
// file beside it, renamed at the end: a refused or failed merge leaves no file behind, and an
// output that is also an input is replaced only when the merge succeeded.
MergeCounts merge_files(const std::vector<std::string>& inputs, const std::string& output,
                        const MergeNote& note = {});

}  // namespace kdbench::results
