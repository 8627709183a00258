#pragma once
// The MPI world of test_mpi, opened once by its main() through the comm factory (as kdbench
// opens it) and shared by every test. Every rank runs every test, in the same order, so the
// tests may call collectives; a test must reach each collective on every rank (EXPECT, not
// ASSERT, before one) or the other ranks wait for it until ctest's timeout.
#include "kdbench/comm/communicator.h"

namespace kdbench::mpi_test {

comm::Communicator& world();

}  // namespace kdbench::mpi_test
