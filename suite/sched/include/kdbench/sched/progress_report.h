#pragma once
// What `kdbench status RESULTS` prints from the coordinator's progress file
// <results>.progress.json (written by sched::Coordinator, docs/design.md §3.6): the job's state
// and ETA and its running tasks, or — for a file no running job keeps fresh — how old it is.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kdbench::sched {

// A file not rewritten for this long while saying "running" belongs to a job that is gone (the
// coordinator rewrites it every few seconds): max(60 s, 12 × its write interval).
double stale_after_seconds(const nlohmann::json& progress);

// The lines to print; `now_unix`: seconds since the epoch (the file's unix_time is compared).
std::vector<std::string> describe_progress(const nlohmann::json& progress, double now_unix);

// "1:02:03" (hours may exceed 24).
std::string clock_text(double seconds);

}  // namespace kdbench::sched
