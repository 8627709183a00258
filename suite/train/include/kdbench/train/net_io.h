#pragma once
// Saving, loading and snapshotting networks. Files go through Artifacts::write_sealed: atomic, with
// a checksum that load_net verifies.
#include <map>
#include <string>

#include "kdbench/models/models.h"
#include "kdbench/results/artifacts.h"

namespace kdbench::train {

// Files hold CPU tensors whatever device trained the net (write_net: Module::save's layout).
void write_net(const torch::nn::Module& net, torch::serialize::OutputArchive& archive);
torch::Device device_of(const torch::nn::Module& net);
// archive.save_to(path) with the OS error named (IoError "No space left on device"): LibTorch's
// file writer aborts the process when a write fails, so the archive is serialized in memory first.
void save_archive(torch::serialize::OutputArchive& archive, const std::string& path);
void save_net(models::NetImpl& net, const results::Artifacts& artifacts, const std::string& key,
              const std::string& name);
// Loads weights and BN statistics into a freshly built `net`, onto the device it is on; IoError
// naming the file if it is missing or does not match the architecture, results::CorruptFile if
// its checksum does not match.
void load_net(models::NetImpl& net, const std::string& path);

// In-memory copy of parameters and buffers (best-val weights for Annealing-KD's stage II).
using Snapshot = std::map<std::string, torch::Tensor>;
Snapshot snapshot(models::NetImpl& net);
void restore(models::NetImpl& net, const Snapshot& snap);

}  // namespace kdbench::train
