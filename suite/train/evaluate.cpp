#include "kdbench/train/evaluate.h"

#include <limits>
#include <vector>

#include "kdbench/core/errors.h"
#include "kdbench/text/metrics.h"

namespace kdbench::train {
namespace {

// Logits over rows [0, n) in batches; `rows(begin, end)` gives the inputs.
template <typename Rows>
torch::Tensor batched_logits(models::NetImpl& net, int64_t n, int64_t batch,
                             const torch::Device& device, const Rows& rows) {
  const bool was_training = net.is_training();
  net.eval();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < n; i += batch)
    parts.push_back(net.forward(rows(i, std::min(n, i + batch))));
  net.train(was_training);
  return parts.empty() ? torch::empty({0}, torch::TensorOptions().device(device))
                       : torch::cat(parts);
}

std::vector<int64_t> to_vector(const torch::Tensor& t) {
  const auto cpu = t.to(torch::kCPU, torch::kLong).contiguous();
  return {cpu.data_ptr<int64_t>(), cpu.data_ptr<int64_t>() + cpu.numel()};
}

}  // namespace

Scores evaluate(models::NetImpl& net, const PreparedData& d, const Split& s, int64_t batch) {
  if (s.size() == 0) return {};
  if (d.regression()) {
    // One output per row, scored against the float targets; no class, so no accuracy.
    const auto outputs = logits(net, d, s, batch).squeeze(1).to(torch::kCPU, torch::kDouble);
    const auto targets = s.y.to(torch::kCPU, torch::kDouble);
    const std::vector<double> x(outputs.data_ptr<double>(),
                                outputs.data_ptr<double>() + outputs.numel());
    const std::vector<double> y(targets.data_ptr<double>(),
                                targets.data_ptr<double>() + targets.numel());
    Scores out;
    out.accuracy = std::numeric_limits<double>::quiet_NaN();
    if (d.metric == "pearson") {
      out.metric = text::pearson(x, y);
    } else if (d.metric == "spearman") {
      out.metric = text::spearman(x, y);
    } else {
      throw ConfigError("metric '" + d.metric + "' cannot score a regression");
    }
    return out;
  }
  const auto pred = logits(net, d, s, batch).argmax(1);
  // The one read from the device per evaluation (for accuracy).
  Scores out;
  out.accuracy = pred.eq(s.y).sum().item<double>() / static_cast<double>(s.size());
  if (d.metric == "accuracy") {
    out.metric = out.accuracy;
  } else if (d.metric == "matthews") {
    out.metric = text::matthews_correlation(to_vector(pred), to_vector(s.y));
  } else if (d.metric == "f1") {
    out.metric = text::binary_f1(to_vector(pred), to_vector(s.y));
  } else {
    throw ConfigError("metric '" + d.metric + "' cannot score a classifier");
  }
  return out;
}

double accuracy(models::NetImpl& net, const torch::Tensor& x, const torch::Tensor& y,
                int64_t batch) {
  if (x.size(0) == 0) return 0;
  const auto pred = batched_logits(net, x.size(0), batch, x.device(), [&](int64_t b, int64_t e) {
                      return models::Inputs(x.slice(0, b, e));
                    }).argmax(1);
  return pred.eq(y).sum().item<double>() / static_cast<double>(x.size(0));
}

torch::Tensor logits(models::NetImpl& net, const PreparedData& d, const Split& s, int64_t batch) {
  return batched_logits(net, s.size(), batch, d.device(),
                        [&](int64_t b, int64_t e) { return train::batch(d, s, b, e); });
}

}  // namespace kdbench::train
