#pragma once
// Control-plane messages between workers and the coordinator (JSON text over Communicator).
//   worker -> coordinator (kToCoordinator): {"type":"ready"} once at start,
//                                          {"type":"result","record":{...}} after every task
//   coordinator -> worker (kToWorker):      {"type":"task","key":K} or {"type":"stop","exit_code":C}
// A result doubles as "ready for the next task", so there is one round trip per task.
namespace kdbench::sched {

constexpr int kToCoordinator = 101;
constexpr int kToWorker = 102;

}  // namespace kdbench::sched
