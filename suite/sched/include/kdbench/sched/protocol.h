#pragma once
// Control-plane messages between workers and the coordinator (JSON text over Communicator).
//   worker -> coordinator (kToCoordinator): {"type":"ready"} once at start,
//                                          {"type":"result","record":{...}} after every task
//   coordinator -> worker (kToWorker):      {"type":"task","key":K} or
//   {"type":"stop","exit_code":C}
// A result doubles as "ready for the next task", so there is one round trip per task.
// Public so that tests can stand in for either side (a fake worker answering the real
// coordinator) with the very messages the real one sends.
#include <nlohmann/json.hpp>
#include <string>

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

inline std::string stop_message(int exit_code) {
  return nlohmann::json{{"type", "stop"}, {"exit_code", exit_code}}.dump();
}

}  // namespace kdbench::sched
