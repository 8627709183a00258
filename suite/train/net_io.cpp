#include "kdbench/train/net_io.h"

#include <filesystem>

#include "kdbench/core/errors.h"

namespace kdbench::train {

void save_net(models::NetImpl& net, const results::Artifacts& artifacts, const std::string& key,
              const std::string& name) {
  artifacts.write_atomic(key, name, [&](const std::string& tmp) {
    torch::serialize::OutputArchive archive;
    net.save(archive);
    archive.save_to(tmp);
  });
}

void load_net(models::NetImpl& net, const std::string& path) {
  if (!std::filesystem::exists(path)) throw IoError(path + ": checkpoint not found");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    net.load(archive);
  } catch (const c10::Error& e) {
    throw IoError(path + ": cannot load checkpoint: " + e.what_without_backtrace());
  }
}

Snapshot snapshot(models::NetImpl& net) {
  Snapshot s;
  for (const auto& p : net.named_parameters()) s[p.key()] = p.value().detach().clone();
  for (const auto& b : net.named_buffers()) s["buffer:" + b.key()] = b.value().detach().clone();
  return s;
}

void restore(models::NetImpl& net, const Snapshot& s) {
  torch::NoGradGuard no_grad;
  for (auto& p : net.named_parameters()) p.value().copy_(s.at(p.key()));
  for (auto& b : net.named_buffers()) b.value().copy_(s.at("buffer:" + b.key()));
}

}  // namespace kdbench::train
