// GoogleTest under mpirun. MPI is opened through comm::make_communicator("mpi"), as `kdbench`
// opens it; rank 0 prints the usual report, the other ranks print only their failures (with
// their rank); the exit code is 1 on every rank when a test failed on any rank.
//
//   test_mpi --abort-from-rank=R: no tests; rank R calls Communicator::abort(7) while the others
//   wait for a message that never comes (mpi.abort_ends_every_rank checks the job ends, exit 7).
#include <gtest/gtest.h>
#include <mpi.h>

#include <iostream>
#include <memory>
#include <string>

#include "kdbench/comm/communicator.h"
#include "mpi_world.h"

namespace kdbench::mpi_test {
namespace {

comm::Communicator* the_world = nullptr;

// Failures of ranks other than 0, one line each, so they are not lost behind rank 0's report.
class RankFailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}
  // The test's name is kept here: UnitTest::current_test_info() inside OnTestPartResult would
  // take the mutex gtest already holds while reporting the failure (a deadlock, seen).
  void OnTestStart(const ::testing::TestInfo& test) override {
    test_ = std::string(test.test_suite_name()) + "." + test.name();
  }
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::cerr << "[rank " << rank_ << "] " << test_ << " "
              << (result.file_name() ? result.file_name() : "") << ":" << result.line_number()
              << ": " << result.message() << std::endl;
  }

 private:
  int rank_;
  std::string test_;
};

int abort_demo(comm::Communicator& comm, int aborting_rank) {
  if (comm.rank() == aborting_rank) comm.abort(7);
  comm.recv(999);  // never sent: only the abort can end this rank
  return 0;
}

}  // namespace

comm::Communicator& world() { return *the_world; }

}  // namespace kdbench::mpi_test

int main(int argc, char** argv) {
  using namespace kdbench;
  ::testing::InitGoogleTest(&argc, argv);
  auto comm = comm::make_communicator("mpi", &argc, &argv);
  mpi_test::the_world = comm.get();
  const std::string abort_flag = "--abort-from-rank=";
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind(abort_flag, 0) == 0)
      return mpi_test::abort_demo(*comm, std::stoi(std::string(argv[i]).substr(abort_flag.size())));

  if (comm->rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new mpi_test::RankFailurePrinter(comm->rank()));
  }
  const int local_failed = RUN_ALL_TESTS() == 0 ? 0 : 1;
  // The verdict through MPI itself, not through the Communicator these tests examine.
  int failed = 0;
  MPI_Allreduce(&local_failed, &failed, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (comm->rank() == 0)
    std::cout << "test_mpi on " << comm->size() << " ranks: "
              << (failed == 0 ? "passed on every rank"
                              : "FAILED on " + std::to_string(failed) + " rank(s)")
              << std::endl;
  comm.reset();  // MPI_Finalize
  return failed == 0 ? 0 : 1;
}
