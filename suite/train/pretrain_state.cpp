#include "kdbench/train/pretrain_state.h"

#include <sstream>

#include "kdbench/core/errors.h"
#include "kdbench/results/artifacts.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/resume_state.h"

namespace kdbench::train {
namespace {

// The curve as a steps×6 double tensor: exact, and NaN-safe (an accuracy without masked positions
// is NaN, which JSON cannot hold).
torch::Tensor curve_tensor(const std::vector<MlmPoint>& curve) {
  auto t = torch::zeros({static_cast<int64_t>(curve.size()), 6}, torch::kDouble);
  auto a = t.accessor<double, 2>();
  for (size_t i = 0; i < curve.size(); ++i) {
    const auto& p = curve[i];
    const double row[6] = {
        static_cast<double>(p.step), p.train_loss, p.val_loss, p.val_accuracy, p.lr, p.seconds};
    for (int j = 0; j < 6; ++j) a[static_cast<int64_t>(i)][j] = row[j];
  }
  return t;
}

std::vector<MlmPoint> curve_points(const torch::Tensor& t) {
  std::vector<MlmPoint> curve;
  const auto a = t.accessor<double, 2>();
  for (int64_t i = 0; i < t.size(0); ++i)
    curve.push_back({static_cast<int64_t>(a[i][0]), a[i][1], a[i][2], a[i][3], a[i][4], a[i][5]});
  return curve;
}

}  // namespace

void save_pretrain_state(const std::string& path, const PretrainState& s,
                         const torch::nn::Module& model, torch::optim::Optimizer& optimizer) {
  results::write_file_atomic(path, [&](const std::string& tmp) {
    torch::serialize::OutputArchive archive, model_archive, optimizer_archive;
    const auto scalars = torch::tensor({s.step, s.next_row}, torch::kLong);
    archive.write("scalars", scalars, /*is_buffer=*/true);
    archive.write("seconds", torch::tensor({s.seconds}, torch::kDouble), /*is_buffer=*/true);
    archive.write("curve", curve_tensor(s.curve), /*is_buffer=*/true);
    archive.write("order", s.order, /*is_buffer=*/true);
    archive.write("order_generator", s.order_generator, /*is_buffer=*/true);
    archive.write("mask_generator", s.mask_generator, /*is_buffer=*/true);
    archive.write("dropout_generator", s.dropout_generator, /*is_buffer=*/true);
    write_net(model, model_archive);
    archive.write("model", model_archive);
    with_cpu_optimizer_state(optimizer, [&] { optimizer.save(optimizer_archive); });
    archive.write("optimizer", optimizer_archive);
    save_archive(archive, tmp);
    results::seal_file(tmp);
  });
}

PretrainState load_pretrain_state(const std::string& path, torch::nn::Module& model,
                                  torch::optim::Optimizer& optimizer) {
  std::istringstream content(results::read_sealed(path));
  PretrainState s;
  try {
    torch::serialize::InputArchive archive, model_archive, optimizer_archive;
    archive.load_from(content, device_of(model));
    torch::Tensor scalars, seconds, curve;
    archive.read("scalars", scalars, /*is_buffer=*/true);
    archive.read("seconds", seconds, /*is_buffer=*/true);
    archive.read("curve", curve, /*is_buffer=*/true);
    archive.read("order", s.order, /*is_buffer=*/true);
    archive.read("order_generator", s.order_generator, /*is_buffer=*/true);
    archive.read("mask_generator", s.mask_generator, /*is_buffer=*/true);
    archive.read("dropout_generator", s.dropout_generator, /*is_buffer=*/true);
    archive.read("model", model_archive);
    model.load(model_archive);
    archive.read("optimizer", optimizer_archive);
    optimizer.load(optimizer_archive);
    scalars = scalars.to(torch::kCPU);
    s.step = scalars[0].item<int64_t>();
    s.next_row = scalars[1].item<int64_t>();
    s.seconds = seconds.to(torch::kCPU)[0].item<double>();
    s.curve = curve_points(curve.to(torch::kCPU).contiguous());
    for (auto* t : {&s.order, &s.order_generator, &s.mask_generator, &s.dropout_generator})
      *t = t->to(torch::kCPU);
  } catch (const c10::Error& e) {
    throw IoError(
        path + ": pretraining state does not fit this pretraining: " + e.what_without_backtrace());
  }
  return s;
}

}  // namespace kdbench::train
