#pragma once
// Control-plane messages between workers and the coordinator (JSON text over Communicator).
//   worker -> coordinator (kToCoordinator): {"type":"ready"} once at start,
//                                          {"type":"result","record":{...}} after every task,
//                                          {"type":"fused_result","records":[{...}..]} after a
//                                          fused group, every member's record at once,
//                                          {"type":"member_done","key":K,"status":S} from the
//                                          members of a gang other than its root,
//                                          {"type":"progress","key":K,"epoch":E,"seconds":S}
//                                          after every finished epoch (the gang's root only; S:
//                                          that epoch's wall seconds), with "checkpoint":E added
//                                          when epoch E's kept checkpoint is sealed on disk
//   coordinator -> worker (kToWorker):      {"type":"task","key":K} (one rank), or
//                                          {"type":"task","key":K,"gang":[R0,R1..],"gang_tag":T}
//                                          to every member of a gang (R0 = its root), or
//                                          {"type":"fused","keys":[K0,K1..]} (one rank trains
//                                          them as one fused model, [grid] fuse), or
//                                          {"type":"stop","exit_code":C}
// A result (or member_done) doubles as "ready for the next task": one round trip per task and rank.
// Progress is one small message per epoch: it feeds pipelining (a student of teacher checkpoint E
// may start once "checkpoint":E arrived; docs/design.md §3.6) and the per-rank liveness record.
// The gang's root alone sends the task's record; gang_tag is unique per dispatch, for
// Communicator::create_group.
// Public so that tests can stand in for either side (a fake worker answering the real
// coordinator) with the very messages the real one sends.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kdbench/results/run_record.h"

namespace kdbench::sched {

constexpr int kToCoordinator = 101;
constexpr int kToWorker = 102;

inline std::string ready_message() { return nlohmann::json{{"type", "ready"}}.dump(); }

inline std::string result_message(const results::RunRecord& record) {
  return nlohmann::json{{"type", "result"}, {"record", results::to_json(record)}}.dump();
}

inline std::string task_message(const std::string& key) {
  return nlohmann::json{{"type", "task"}, {"key", key}}.dump();
}

inline std::string fused_task_message(const std::vector<std::string>& keys) {
  return nlohmann::json{{"type", "fused"}, {"keys", keys}}.dump();
}

inline std::string fused_result_message(const std::vector<results::RunRecord>& records) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& r : records) all.push_back(results::to_json(r));
  return nlohmann::json{{"type", "fused_result"}, {"records", all}}.dump();
}

inline std::string gang_task_message(const std::string& key, const std::vector<int>& gang,
                                     int gang_tag) {
  return nlohmann::json{{"type", "task"}, {"key", key}, {"gang", gang}, {"gang_tag", gang_tag}}
      .dump();
}

// The world ranks of a task message's gang; {} for a one-rank task.
inline std::vector<int> message_gang(const nlohmann::json& task) {
  return task.contains("gang") ? task.at("gang").get<std::vector<int>>() : std::vector<int>{};
}

inline std::string member_done_message(const std::string& key, results::Status status) {
  return nlohmann::json{
      {"type", "member_done"}, {"key", key}, {"status", results::to_string(status)}}
      .dump();
}

// `checkpoint_sealed`: epoch `epoch` is a kept checkpoint and its file is under its final name.
inline std::string progress_message(const std::string& key, int epoch, double seconds,
                                    bool checkpoint_sealed) {
  nlohmann::json j{{"type", "progress"}, {"key", key}, {"epoch", epoch}, {"seconds", seconds}};
  if (checkpoint_sealed) j["checkpoint"] = epoch;
  return j.dump();
}

inline std::string stop_message(int exit_code) {
  return nlohmann::json{{"type", "stop"}, {"exit_code", exit_code}}.dump();
}

}  // namespace kdbench::sched
