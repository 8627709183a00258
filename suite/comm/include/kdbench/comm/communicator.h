#pragma once
// Communicator (docs/design.md §4): the control plane between coordinator and workers (byte
// messages by tag) and the data plane for data-parallel gangs (all_reduce/broadcast of tensors).
// Backends: SingleProcess (always built), Mpi (MPI_THREAD_MULTIPLE), Nccl (GPU data plane of a
// gang, built when nccl.h, libnccl and cudart are found: nccl_communicator.h). MPI headers appear
// only in mpi_communicator.cpp.
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace at {
class Tensor;  // collectives take tensors; the full LibTorch headers stay in the .cpp files
}

namespace kdbench::comm {

struct Message {
  int source = -1;
  int tag = -1;
  std::string payload;
};

enum class ReduceOp { Sum, Max, Min };

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual std::string backend() const = 0;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Ranks sharing this node (for threads = cores / ranks on the node).
  virtual int local_size() const = 0;
  // This rank's index among the ranks on its node, 0..local_size()-1 in rank order (which GPU
  // it binds to).
  virtual int local_rank() const = 0;
  // "Open MPI v4.1.4, ..." for provenance; "" for the single-process backend.
  virtual std::string library_version() const { return ""; }

  // Control plane. send() and recv() are thread-safe; a rank may send to itself (rank 0 runs the
  // coordinator thread beside its own worker). recv() blocks without spinning a core: the
  // coordinator shares its node with training workers.
  virtual void send(int dest, int tag, const std::string& payload) = 0;
  virtual Message recv(int tag) = 0;
  virtual std::optional<Message> try_recv(int tag) = 0;

  // Collectives: called by every rank of this communicator, from one thread per rank.
  virtual void barrier() = 0;
  virtual void broadcast(std::string& text, int root) = 0;
  virtual std::vector<std::string> all_gather(const std::string& text) = 0;
  // Contiguous CPU tensors (float32/float64/int64); in place.
  virtual void all_reduce(at::Tensor& tensor, ReduceOp op) = 0;
  virtual void broadcast(at::Tensor& tensor, int root) = 0;
  // Sub-communicator of the ranks with the same color (data-parallel gangs), ordered by key.
  virtual std::unique_ptr<Communicator> split(int color, int key) = 0;
  // Sub-communicator of exactly `world_ranks` (ranks of this communicator), in that order: its rank
  // 0 is world_ranks[0] (the gang root). Collective over the listed ranks only (the others go on
  // with their own work); concurrent calls by overlapping rank sets need distinct `tag`s (>= 0).
  // Throws CommError when this rank is not listed.
  virtual std::unique_ptr<Communicator> create_group(const std::vector<int>& world_ranks,
                                                     int tag) = 0;

  // Ends the whole job: an unrecoverable error must not leave other ranks hanging.
  [[noreturn]] virtual void abort(int exit_code) = 0;
};

std::string hostname();

// Where an error happened, for messages that leave a rank of a multi-rank job (a worker's FAILED
// record, main's error line): "[rank R@HOST] ". "" in a 1-rank world, whose messages stay as
// they always were.
std::string origin_prefix(const Communicator& comm);
// The same for main(), which may catch an error after the communicator is gone or before it
// existed: the world of the last make_communicator, else the MPI launcher's environment
// (a bad option is reported by every rank before MPI starts).
std::string process_origin_prefix();

// backend: "auto" (MPI when launched by mpirun/srun and built with MPI, else single), "single",
// "mpi". argc/argv are passed to MPI_Init_thread.
std::unique_ptr<Communicator> make_communicator(const std::string& backend, int* argc,
                                                char*** argv);
bool mpi_built();
// True when environment variables show an MPI launcher (OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK).
bool launched_by_mpi();

}  // namespace kdbench::comm
