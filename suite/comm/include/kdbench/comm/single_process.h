#pragma once
// The 1-rank backend: kdbench without mpirun. Messages to self go through per-tag mailboxes.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>

#include "kdbench/comm/communicator.h"

namespace kdbench::comm {

class SingleProcessCommunicator : public Communicator {
 public:
  std::string backend() const override { return "single"; }
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_size() const override { return 1; }
  int local_rank() const override { return 0; }
  void send(int dest, int tag, const std::string& payload) override;
  Message recv(int tag) override;
  std::optional<Message> try_recv(int tag) override;
  void barrier() override {}
  void broadcast(std::string&, int) override {}
  std::vector<std::string> all_gather(const std::string& text) override { return {text}; }
  void all_reduce(at::Tensor&, ReduceOp) override {}
  void broadcast(at::Tensor&, int) override {}
  std::unique_ptr<Communicator> split(int, int) override;
  std::unique_ptr<Communicator> create_group(const std::vector<int>& world_ranks, int) override;
  [[noreturn]] void abort(int exit_code) override;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, std::deque<Message>> boxes_;
};

}  // namespace kdbench::comm
