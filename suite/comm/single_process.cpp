#include "kdbench/comm/single_process.h"

#include <unistd.h>

#include <cstdlib>

#include "kdbench/core/errors.h"

namespace kdbench::comm {

void SingleProcessCommunicator::send(int dest, int tag, const std::string& payload) {
  if (dest != 0)
    throw CommError("single-process communicator: send to rank " + std::to_string(dest) +
                    " (only rank 0 exists)");
  {
    std::lock_guard<std::mutex> lock(mu_);
    boxes_[tag].push_back({0, tag, payload});
  }
  cv_.notify_all();
}

Message SingleProcessCommunicator::recv(int tag) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !boxes_[tag].empty(); });
  Message m = std::move(boxes_[tag].front());
  boxes_[tag].pop_front();
  return m;
}

std::optional<Message> SingleProcessCommunicator::try_recv(int tag) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& box = boxes_[tag];
  if (box.empty()) return std::nullopt;
  Message m = std::move(box.front());
  box.pop_front();
  return m;
}

std::unique_ptr<Communicator> SingleProcessCommunicator::split(int, int) {
  return std::make_unique<SingleProcessCommunicator>();
}

std::unique_ptr<Communicator> SingleProcessCommunicator::create_group(
    const std::vector<int>& world_ranks, int) {
  if (world_ranks != std::vector<int>{0})
    throw CommError("single-process communicator: a group can only be {0} (one rank exists)");
  return std::make_unique<SingleProcessCommunicator>();
}

void SingleProcessCommunicator::abort(int exit_code) { std::_Exit(exit_code); }

std::string hostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace kdbench::comm
