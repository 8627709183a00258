#include "kdbench/train/resume_state.h"

#include <sstream>

#include "kdbench/core/errors.h"

namespace kdbench::train {
namespace {

std::vector<std::string> phase_best_names(const ResumeState& s) {
  std::vector<std::string> names;
  if (s.phase_best)
    for (const auto& entry : *s.phase_best) names.push_back(entry.first);
  return names;
}

nlohmann::json meta_json(const ResumeState& s) {
  return {{"phase", s.pos.phase},
          {"phase_epoch", s.pos.phase_epoch},
          {"epoch", s.pos.epoch},
          {"next_step", s.pos.next_step},
          {"loss_sum", s.loss_sum},
          {"correct", s.correct},
          {"epoch_seconds", s.epoch_seconds},
          {"wall_seconds", s.wall_seconds},
          {"best", s.best},
          {"record", results::to_json(s.record)},
          {"phase_best_names", phase_best_names(s)}};
}

nlohmann::json read_meta(torch::serialize::InputArchive& archive, const std::string& path) {
  c10::IValue meta;
  if (!archive.try_read("meta", meta) || !meta.isString())
    throw IoError(path + ": not a kdbench resume state (no 'meta' entry)");
  return nlohmann::json::parse(meta.toStringRef());
}

torch::serialize::InputArchive open(const std::string& path,
                                    const torch::Device& device = torch::kCPU) {
  torch::serialize::InputArchive archive;
  std::istringstream content(results::read_sealed(path));
  try {
    archive.load_from(content, device);
  } catch (const c10::Error& e) {
    throw IoError(path + ": cannot read resume state: " + e.what_without_backtrace());
  }
  return archive;
}

}  // namespace

void with_cpu_optimizer_state(torch::optim::Optimizer& opt, const std::function<void()>& save) {
  std::vector<std::pair<torch::Tensor*, torch::Tensor>> on_device;  // slot, device tensor
  const auto to_cpu = [&](torch::Tensor& slot) {
    if (!slot.defined() || slot.is_cpu()) return;
    on_device.emplace_back(&slot, slot);
    slot = slot.to(torch::kCPU);
  };
  for (auto& entry : opt.state()) {
    if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(entry.second.get())) {
      to_cpu(sgd->momentum_buffer());
    } else if (auto* adamw = dynamic_cast<torch::optim::AdamWParamState*>(entry.second.get())) {
      to_cpu(adamw->exp_avg());
      to_cpu(adamw->exp_avg_sq());
      to_cpu(adamw->max_exp_avg_sq());
    }
  }
  save();
  for (auto& [slot, tensor] : on_device) *slot = tensor;
}

void save_resume_state(const ResumeState& s, models::NetImpl& net, torch::optim::Optimizer& opt,
                       const results::Artifacts& artifacts, const std::string& key,
                       const AuxModel* aux) {
  artifacts.write_sealed(key, kResumeFile, [&](const std::string& tmp) {
    torch::serialize::OutputArchive archive, net_archive, opt_archive;
    archive.write("meta", c10::IValue(meta_json(s).dump()));
    write_net(net, net_archive);
    archive.write("net", net_archive);
    with_cpu_optimizer_state(opt, [&] { opt.save(opt_archive); });
    archive.write("optimizer", opt_archive);
    if (aux) {
      torch::serialize::OutputArchive aux_net, aux_opt;
      write_net(aux->net, aux_net);
      archive.write("aux_net", aux_net);
      with_cpu_optimizer_state(aux->optimizer, [&] { aux->optimizer.save(aux_opt); });
      archive.write("aux_optimizer", aux_opt);
    }
    archive.write("order", s.order, /*is_buffer=*/true);
    archive.write("generator", s.generator_state, /*is_buffer=*/true);
    if (s.device_generator_state.defined())
      archive.write("device_generator", s.device_generator_state, /*is_buffer=*/true);
    if (s.phase_best) {
      // Parameter names contain dots, which archive keys may not: store a list in name order.
      c10::List<at::Tensor> tensors;
      for (const auto& entry : *s.phase_best) tensors.push_back(entry.second.to(torch::kCPU));
      archive.write("phase_best", c10::IValue(tensors));
    }
    save_archive(archive, tmp);
  });
}

LoopPosition peek_resume_position(const std::string& path) {
  auto archive = open(path);
  const auto m = read_meta(archive, path);
  return {m.at("phase"), m.at("phase_epoch"), m.at("epoch"), m.at("next_step")};
}

ResumeState load_resume_state(const std::string& path, models::NetImpl& net,
                              torch::optim::Optimizer& opt, const AuxModel* aux) {
  // Onto the net's device; the data order and generator state go back to the CPU below.
  auto archive = open(path, device_of(net));
  const auto m = read_meta(archive, path);
  ResumeState s;
  s.pos = {m.at("phase"), m.at("phase_epoch"), m.at("epoch"), m.at("next_step")};
  s.loss_sum = m.at("loss_sum");
  s.correct = m.at("correct");
  s.epoch_seconds = m.at("epoch_seconds");
  s.wall_seconds = m.at("wall_seconds");
  s.best = m.at("best");
  s.record = results::record_from_json(m.at("record"));
  try {
    torch::serialize::InputArchive net_archive, opt_archive;
    archive.read("net", net_archive);
    net.load(net_archive);
    archive.read("optimizer", opt_archive);
    opt.load(opt_archive);
    if (aux) {
      torch::serialize::InputArchive aux_net, aux_opt;
      if (!archive.try_read("aux_net", aux_net))
        throw IoError(path + ": resume state has no generator weights (aux_net)");
      aux->net.load(aux_net);
      archive.read("aux_optimizer", aux_opt);
      aux->optimizer.load(aux_opt);
    }
    archive.read("order", s.order, /*is_buffer=*/true);
    archive.read("generator", s.generator_state, /*is_buffer=*/true);
    s.order = s.order.to(torch::kCPU);
    s.generator_state = s.generator_state.to(torch::kCPU);
    if (archive.try_read("device_generator", s.device_generator_state, /*is_buffer=*/true))
      s.device_generator_state = s.device_generator_state.to(torch::kCPU);
    const auto names = m.at("phase_best_names").get<std::vector<std::string>>();
    if (!names.empty()) {
      c10::IValue list;
      archive.read("phase_best", list);
      const auto tensors = list.toTensorList();
      Snapshot snap;
      for (size_t i = 0; i < names.size(); ++i) snap[names[i]] = tensors.get(i);
      s.phase_best = std::move(snap);
    }
  } catch (const c10::Error& e) {
    throw IoError(path + ": resume state does not match the task: " + e.what_without_backtrace());
  }
  return s;
}

}  // namespace kdbench::train
