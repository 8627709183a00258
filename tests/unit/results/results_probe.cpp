// A second process for test_results: HDF5's locking only shows between processes (inside one
// process HDF5 shares the open file), so the tests run this to read or write a file that the
// test process holds open.
//   results_probe read PATH    prints "<key> <STATUS>" per run, exit 0
//   results_probe write PATH   opens PATH for writing, exit 0
// On an error it prints the message and exits 1.
#include <iostream>
#include <string>

#include "kdbench/core/errors.h"
#include "kdbench/results/results_store.h"

int main(int argc, char** argv) {
  using kdbench::results::ResultsStore;
  if (argc != 3) {
    std::cerr << "usage: results_probe read|write PATH\n";
    return 2;
  }
  const std::string mode = argv[1], path = argv[2];
  try {
    if (mode == "read") {
      for (const auto& [key, status] : ResultsStore::open_read_only(path).statuses()) {
        std::cout << key << " " << kdbench::results::to_string(status) << "\n";
      }
    } else {
      ResultsStore::open_or_create(path, {});
    }
  } catch (const kdbench::Error& e) {
    std::cout << e.what() << "\n";
    return 1;
  }
  return 0;
}
