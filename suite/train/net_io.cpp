#include "kdbench/train/net_io.h"

#include <filesystem>
#include <sstream>

#include "kdbench/core/errors.h"

namespace kdbench::train {

void write_net(const torch::nn::Module& net, torch::serialize::OutputArchive& archive) {
  // Module::save's layout, with CPU copies: files read the same whichever device wrote them.
  for (const auto& p : net.named_parameters(/*recurse=*/false))
    archive.write(p.key(), p.value().to(torch::kCPU));
  for (const auto& b : net.named_buffers(/*recurse=*/false))
    archive.write(b.key(), b.value().to(torch::kCPU), /*is_buffer=*/true);
  for (const auto& child : net.named_children()) {
    torch::serialize::OutputArchive child_archive(archive.compilation_unit());
    write_net(*child.value(), child_archive);
    archive.write(child.key(), child_archive);
  }
}

torch::Device device_of(const torch::nn::Module& net) {
  const auto params = net.parameters();
  return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

void save_archive(torch::serialize::OutputArchive& archive, const std::string& path) {
  std::ostringstream bytes;
  archive.save_to(bytes);
  results::write_bytes(path, bytes.str());
}

void save_net(models::NetImpl& net, const results::Artifacts& artifacts, const std::string& key,
              const std::string& name) {
  artifacts.write_sealed(key, name, [&](const std::string& tmp) {
    torch::serialize::OutputArchive archive;
    write_net(net, archive);
    save_archive(archive, tmp);
  });
}

void load_net(models::NetImpl& net, const std::string& path) {
  if (!std::filesystem::exists(path)) throw IoError(path + ": checkpoint not found");
  // Checked before use: a corrupt checkpoint is never silently distilled from.
  std::istringstream content(results::read_sealed(path));
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(content, device_of(net));
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
