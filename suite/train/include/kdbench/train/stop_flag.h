#pragma once
// Graceful stop (issue: Slurm preemption and time limits). SIGTERM and SIGUSR1 only set a flag;
// the trainer polls it at every training-step boundary, saves the running task's state and
// unwinds with Interrupted. Nothing else happens inside the signal handler.
#include <string>

#include "kdbench/core/errors.h"

namespace kdbench::train {

// Thrown by the trainer after it saved the task's state; the task is recorded INTERRUPTED.
class Interrupted : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return kExitInterrupted; }
};

void install_stop_handlers();  // SIGTERM, SIGUSR1 -> request_stop()
void request_stop(int signal_number = 0);
bool stop_requested();
std::string stop_reason();  // "SIGTERM", "SIGUSR1", "stop requested" or ""
void reset_stop_for_tests();

}  // namespace kdbench::train
