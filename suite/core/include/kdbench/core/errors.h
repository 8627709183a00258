#pragma once
// Typed exceptions of kdbench (docs/design.md §7). Libraries throw them with context; main()
// catches, prints one line and exits with the code below.
#include <stdexcept>
#include <string>

namespace kdbench {

// Process exit codes, documented in README.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitTasksFailed = 1,  // the grid ran, but at least one task ended FAILED
  kExitUserError = 2,    // bad grid, bad arguments, bad data files
  kExitInterrupted = 3,  // stopped by SIGTERM/SIGUSR1; rerun to continue
  kExitInternal = 4,     // anything else (I/O, communication, bugs)
};

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  virtual int exit_code() const { return kExitInternal; }
};

// A user-supplied configuration (grid file, command-line argument) is invalid.
class ConfigError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return kExitUserError; }
};

// A data file is missing, truncated or malformed.
class DataError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return kExitUserError; }
};

// Reading or writing results/artifacts failed.
class IoError : public Error {
 public:
  using Error::Error;
};

// A file named as input (a results file to resume, read or merge) is not a file of that kind or
// is damaged: bad input (exit 2), and still an IoError for code that handles any I/O failure.
class BadInputFile : public IoError {
 public:
  using IoError::IoError;
  int exit_code() const override { return kExitUserError; }
};

// A distillation method got inputs it cannot use while training (no teacher logits in a phase
// that needs them, teacher and student logits of different shapes): the task fails, the grid
// was valid.
class MethodError : public Error {
 public:
  using Error::Error;
};

// The communication layer (MPI, NCCL) failed.
class CommError : public Error {
 public:
  using Error::Error;
};

}  // namespace kdbench
