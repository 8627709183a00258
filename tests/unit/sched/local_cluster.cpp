#include "local_cluster.h"

#include <stdexcept>
#include <string>

#include "kdbench/core/errors.h"

namespace kdbench::sched_test {
namespace {

class LocalRank : public comm::Communicator {
 public:
  LocalRank(std::shared_ptr<LocalCluster::Mailboxes> mail, int rank, int size)
      : mail_(std::move(mail)), rank_(rank), size_(size) {}

  std::string backend() const override { return "local-test"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_size() const override { return size_; }
  int local_rank() const override { return rank_; }

  void send(int dest, int tag, const std::string& payload) override {
    if (dest < 0 || dest >= size_)
      throw CommError("local cluster: send to rank " + std::to_string(dest) + " of " +
                      std::to_string(size_));
    {
      std::lock_guard<std::mutex> lock(mail_->mu);
      mail_->boxes[{dest, tag}].push_back({rank_, tag, payload});
    }
    mail_->cv.notify_all();
  }
  comm::Message recv(int tag) override {
    std::unique_lock<std::mutex> lock(mail_->mu);
    auto& box = mail_->boxes[{rank_, tag}];
    mail_->cv.wait(lock, [&] { return !box.empty(); });
    comm::Message m = std::move(box.front());
    box.pop_front();
    return m;
  }
  std::optional<comm::Message> try_recv(int tag) override {
    std::lock_guard<std::mutex> lock(mail_->mu);
    auto& box = mail_->boxes[{rank_, tag}];
    if (box.empty()) return std::nullopt;
    comm::Message m = std::move(box.front());
    box.pop_front();
    return m;
  }

  void barrier() override { unsupported("barrier"); }
  void broadcast(std::string&, int) override { unsupported("broadcast"); }
  std::vector<std::string> all_gather(const std::string&) override { unsupported("all_gather"); }
  void all_reduce(at::Tensor&, comm::ReduceOp) override { unsupported("all_reduce"); }
  void broadcast(at::Tensor&, int) override { unsupported("broadcast"); }
  std::unique_ptr<comm::Communicator> split(int, int) override { unsupported("split"); }
  std::unique_ptr<comm::Communicator> create_group(const std::vector<int>&, int) override {
    unsupported("create_group");
  }
  [[noreturn]] void abort(int) override { unsupported("abort"); }

 private:
  [[noreturn]] static void unsupported(const std::string& what) {
    throw std::logic_error("local test cluster: " + what + " is not simulated");
  }

  std::shared_ptr<LocalCluster::Mailboxes> mail_;
  int rank_, size_;
};

}  // namespace

LocalCluster::LocalCluster(int size) : mail_(std::make_shared<Mailboxes>()) {
  for (int r = 0; r < size; ++r) ranks_.push_back(std::make_unique<LocalRank>(mail_, r, size));
}

LocalCluster::~LocalCluster() = default;

}  // namespace kdbench::sched_test
