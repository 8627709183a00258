// MPI backend. MPI_THREAD_MULTIPLE because rank 0 runs the coordinator thread next to its worker.
// Receives poll with matched probes (MPI_Improbe/MPI_Mrecv) and short sleeps: Open MPI's blocking
// receive spins a core, which would steal it from the training worker on the same rank.
#include <mpi.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "kdbench/comm/communicator.h"
#include "kdbench/core/errors.h"

namespace kdbench::comm {
namespace {

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw CommError(std::string(what) + " failed: " + std::string(text, len));
}

MPI_Datatype mpi_type(const torch::Tensor& t) {
  switch (t.scalar_type()) {
    case torch::kFloat32:
      return MPI_FLOAT;
    case torch::kFloat64:
      return MPI_DOUBLE;
    case torch::kInt64:
      return MPI_INT64_T;
    case torch::kInt32:
      return MPI_INT32_T;
    default:
      throw CommError(std::string("MPI all_reduce/broadcast: unsupported dtype ") +
                      std::string(c10::toString(t.scalar_type())));
  }
}

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum:
      return MPI_SUM;
    case ReduceOp::Max:
      return MPI_MAX;
    case ReduceOp::Min:
      return MPI_MIN;
  }
  return MPI_SUM;
}

// MPI counts are int: a buffer goes in chunks of 2^26 elements (256 MiB of float32), far below
// INT_MAX in any type and large enough that the calls cost nothing extra. A BERT-sized flat
// gradient (110M float32) takes two, which the MPI tests exercise.
constexpr int64_t kMaxMpiCount = int64_t{1} << 26;

template <typename Call>
void in_chunks(const torch::Tensor& t, Call&& call) {
  auto* bytes = static_cast<char*>(t.data_ptr());
  const int64_t n = t.numel();
  const auto item = static_cast<int64_t>(t.element_size());
  int64_t done = 0;
  do {  // once for an empty tensor too, as before chunking
    const int64_t count = std::min(kMaxMpiCount, n - done);
    call(bytes + done * item, static_cast<int>(count));
    done += count;
  } while (done < n);
}

void require_cpu_contiguous(const torch::Tensor& t) {
  if (!t.device().is_cpu() || !t.is_contiguous())
    throw CommError(
        "MPI collectives need contiguous CPU tensors (GPU tensors use the NCCL backend)");
}

class MpiCommunicator : public Communicator {
 public:
  MpiCommunicator(MPI_Comm comm, bool owns_world) : comm_(comm), owns_world_(owns_world) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    MPI_Comm node;
    check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
          "MPI_Comm_split_type");
    MPI_Comm_size(node, &local_size_);
    MPI_Comm_rank(node, &local_rank_);
    MPI_Comm_free(&node);
    // Gangs are made on a private copy, so their creation never matches control-plane messages.
    check(MPI_Comm_dup(comm_, &groups_parent_), "MPI_Comm_dup");
  }
  ~MpiCommunicator() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) return;
    MPI_Comm_free(&groups_parent_);
    if (owns_world_) {
      MPI_Finalize();
    } else if (comm_ != MPI_COMM_WORLD) {
      MPI_Comm_free(&comm_);
    }
  }

  std::string backend() const override { return "mpi"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_size() const override { return local_size_; }
  int local_rank() const override { return local_rank_; }
  std::string library_version() const override {
    char text[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(text, &len);
    std::string v(text, static_cast<size_t>(len));
    return v.substr(0, v.find_first_of(",\n"));
  }

  void send(int dest, int tag, const std::string& payload) override {
    check(MPI_Send(payload.data(), static_cast<int>(payload.size()), MPI_CHAR, dest, tag, comm_),
          "MPI_Send");
  }

  std::optional<Message> try_recv(int tag) override {
    int flag = 0;
    MPI_Message handle;
    MPI_Status status;
    check(MPI_Improbe(MPI_ANY_SOURCE, tag, comm_, &flag, &handle, &status), "MPI_Improbe");
    if (!flag) return std::nullopt;
    int count = 0;
    MPI_Get_count(&status, MPI_CHAR, &count);
    Message m{status.MPI_SOURCE, tag, std::string(static_cast<size_t>(count), '\0')};
    check(MPI_Mrecv(m.payload.data(), count, MPI_CHAR, &handle, MPI_STATUS_IGNORE), "MPI_Mrecv");
    return m;
  }

  Message recv(int tag) override {
    auto wait = std::chrono::microseconds(50);
    for (;;) {
      if (auto m = try_recv(tag)) return *m;
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::microseconds(5000));
    }
  }

  void barrier() override { check(MPI_Barrier(comm_), "MPI_Barrier"); }

  void broadcast(std::string& text, int root) override {
    long long n = static_cast<long long>(text.size());
    check(MPI_Bcast(&n, 1, MPI_LONG_LONG, root, comm_), "MPI_Bcast");
    text.resize(static_cast<size_t>(n));
    check(MPI_Bcast(text.data(), static_cast<int>(n), MPI_CHAR, root, comm_), "MPI_Bcast");
  }

  std::vector<std::string> all_gather(const std::string& text) override {
    int n = static_cast<int>(text.size());
    std::vector<int> sizes(static_cast<size_t>(size_)), offsets(static_cast<size_t>(size_));
    check(MPI_Allgather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, comm_), "MPI_Allgather");
    int total = 0;
    for (int i = 0; i < size_; ++i) {
      offsets[static_cast<size_t>(i)] = total;
      total += sizes[static_cast<size_t>(i)];
    }
    std::string all(static_cast<size_t>(total), '\0');
    check(MPI_Allgatherv(text.data(), n, MPI_CHAR, all.data(), sizes.data(), offsets.data(),
                         MPI_CHAR, comm_),
          "MPI_Allgatherv");
    std::vector<std::string> out;
    for (int i = 0; i < size_; ++i)
      out.push_back(all.substr(static_cast<size_t>(offsets[static_cast<size_t>(i)]),
                               static_cast<size_t>(sizes[static_cast<size_t>(i)])));
    return out;
  }

  void all_reduce(torch::Tensor& t, ReduceOp op) override {
    require_cpu_contiguous(t);
    const MPI_Datatype type = mpi_type(t);
    in_chunks(t, [&](void* data, int count) {
      check(MPI_Allreduce(MPI_IN_PLACE, data, count, type, mpi_op(op), comm_), "MPI_Allreduce");
    });
  }

  void broadcast(torch::Tensor& t, int root) override {
    require_cpu_contiguous(t);
    const MPI_Datatype type = mpi_type(t);
    in_chunks(t, [&](void* data, int count) {
      check(MPI_Bcast(data, count, type, root, comm_), "MPI_Bcast");
    });
  }

  std::unique_ptr<Communicator> split(int color, int key) override {
    MPI_Comm sub;
    check(MPI_Comm_split(comm_, color, key, &sub), "MPI_Comm_split");
    return std::make_unique<MpiCommunicator>(sub, false);
  }

  std::unique_ptr<Communicator> create_group(const std::vector<int>& world_ranks,
                                             int tag) override {
    if (std::find(world_ranks.begin(), world_ranks.end(), rank_) == world_ranks.end())
      throw CommError("create_group: rank " + std::to_string(rank_) + " is not in the group");
    MPI_Group all, members;
    check(MPI_Comm_group(groups_parent_, &all), "MPI_Comm_group");
    check(MPI_Group_incl(all, static_cast<int>(world_ranks.size()), world_ranks.data(), &members),
          "MPI_Group_incl");
    MPI_Comm sub;
    const int rc = MPI_Comm_create_group(groups_parent_, members, tag, &sub);
    MPI_Group_free(&members);
    MPI_Group_free(&all);
    check(rc, "MPI_Comm_create_group");
    MPI_Comm_set_errhandler(sub, MPI_ERRORS_RETURN);
    return std::make_unique<MpiCommunicator>(sub, false);
  }

  [[noreturn]] void abort(int exit_code) override {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);
  }

 private:
  MPI_Comm comm_;
  MPI_Comm groups_parent_ = MPI_COMM_NULL;  // private duplicate of comm_ for create_group
  bool owns_world_;
  int rank_ = 0, size_ = 1, local_size_ = 1, local_rank_ = 0;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  int provided = 0;
  if (!initialized)
    check(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread");
  else
    MPI_Query_thread(&provided);
  if (provided < MPI_THREAD_MULTIPLE) {
    MPI_Finalize();
    throw CommError(
        "the MPI library does not provide MPI_THREAD_MULTIPLE (the coordinator thread "
        "needs it); rebuild or choose an MPI with thread support");
  }
  // Errors come back as return codes so they become CommError with a message, not a silent abort.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  return std::make_unique<MpiCommunicator>(MPI_COMM_WORLD, !initialized);
}

}  // namespace kdbench::comm
