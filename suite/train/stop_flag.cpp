#include "kdbench/train/stop_flag.h"

#include <atomic>
#include <csignal>

namespace kdbench::train {
namespace {

std::atomic<int> g_stop_signal{-1};  // -1: no stop; 0: requested programmatically; else the signal

extern "C" void on_stop_signal(int sig) { g_stop_signal.store(sig); }

}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // MPI and file I/O calls continue; the flag is polled
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);
}

void request_stop(int signal_number) { g_stop_signal.store(signal_number); }

bool stop_requested() { return g_stop_signal.load() >= 0; }

std::string stop_reason() {
  switch (g_stop_signal.load()) {
    case -1:
      return "";
    case SIGTERM:
      return "SIGTERM";
    case SIGUSR1:
      return "SIGUSR1";
    default:
      return "stop requested";
  }
}

void reset_stop_for_tests() { g_stop_signal.store(-1); }

}  // namespace kdbench::train
