#pragma once
// Several ranks in one process: the control plane of comm::Communicator (send / recv / try_recv
// between ranks) over shared mailboxes, so the coordinator can face several fake workers, each
// on its own thread, without MPI. Collectives are not simulated (the coordinator never calls
// them); they throw.
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "kdbench/comm/communicator.h"

namespace kdbench::sched_test {

class LocalCluster {
 public:
  explicit LocalCluster(int size);
  ~LocalCluster();
  int size() const { return static_cast<int>(ranks_.size()); }
  comm::Communicator& rank(int r) { return *ranks_.at(static_cast<size_t>(r)); }

  // Messages by (destination rank, tag), in the order they were sent.
  struct Mailboxes {
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::pair<int, int>, std::deque<comm::Message>> boxes;
  };

 private:
  std::shared_ptr<Mailboxes> mail_;
  std::vector<std::unique_ptr<comm::Communicator>> ranks_;
};

}  // namespace kdbench::sched_test
