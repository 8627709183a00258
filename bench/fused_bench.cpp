// kdbench_fused_bench: K training steps of one small student, fused (models/fused.h: one grouped
// model over K members) against K separate steps of K ordinary models, measured in the same
// process with alternating windows so that drift of the machine hits both alike.
//
// One step per member, as the trainer does it for nokd: rows gathered from an in-memory pool of
// normalised noise images by a random permutation, forward, cross-entropy, backward, SGD (lr 0.05,
// momentum 0.9, weight decay 5e-4). Fused: the K member batches stacked [K, B, C, H, W], one
// forward, the sum of the K losses (each member's gradient is its own), one backward, one SGD
// step on the stacked parameters.
//
// Prints per model and K the median window's samples/s of all K members together and per member
// (separate, fused) and the ratio fused/separate. Heap settings as `kdbench run`'s
// (keep_tensor_buffers_in_heap).
//
// usage: kdbench_fused_bench [--models cnn2,cnn4,resnet8] [--fuse 1,2,4,8] [--input 3x32x32]
//   [--batch 128] [--threads 1] [--windows 5] [--window-ms 400] [--warmup 2]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "bench_stats.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/models/fused.h"
#include "kdbench/models/models.h"
#include "kdbench/train/threads.h"

namespace {

using kdbench::bench::BenchArgs;
using kdbench::bench::median;
using kdbench::bench::usage_error;
namespace models = kdbench::models;

constexpr int64_t kClasses = 10;
constexpr int64_t kPoolBatches = 4;

// train::make_optimizer's SGD for images.
torch::optim::SGDOptions sgd() {
  return torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4);
}

std::vector<std::string> list(const BenchArgs& args, const std::string& name,
                              const std::string& fallback) {
  std::vector<std::string> items;
  for (const auto& item : kdbench::split_ws(args.text(name, fallback))) items.push_back(item);
  if (items.empty()) usage_error(args.program(), "--" + name + ": empty list");
  return items;
}

struct Settings {
  int64_t batch = 128;
  long windows = 5, window_ms = 400, warmup = 2;
};

// Seconds per call of `step`, one per window, after the warm-up calls; the window length in
// calls is judged by the warm-up.
struct Windows {
  explicit Windows(std::function<void()> f) : step(std::move(f)) {}
  std::function<void()> step;
  long per_window = 1;
  std::vector<double> seconds;
};

void calibrate(Windows& w, const Settings& s) {
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < s.warmup; ++i) w.step();
  const double each =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / s.warmup;
  w.per_window = std::max(1L, static_cast<long>(s.window_ms / 1000.0 / each + 0.5));
}

void run_window(Windows& w) {
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < w.per_window; ++i) w.step();
  w.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                      w.per_window);
}

void bench(const std::string& model, int64_t k, const kdbench::InputShape& shape,
           const Settings& s) {
  const int64_t rows = kPoolBatches * s.batch;
  const auto pool = torch::randn({rows, shape.channels, shape.height, shape.width});
  const auto labels = torch::randint(0, kClasses, {rows}, torch::kLong);
  const auto batch_of = [&] { return torch::randperm(rows, torch::kLong).slice(0, 0, s.batch); };

  std::vector<models::Net> nets;
  std::vector<std::unique_ptr<torch::optim::SGD>> opts;
  for (int64_t i = 0; i < k; ++i) {
    torch::manual_seed(static_cast<uint64_t>(i));
    nets.push_back(models::make(model, kClasses, shape));
    nets.back()->train();
    opts.push_back(std::make_unique<torch::optim::SGD>(nets.back()->parameters(), sgd()));
  }
  const models::FusedNet fused = models::make_fused(model, nets, kClasses, shape);
  fused->train();
  torch::optim::SGD fused_opt(fused->parameters(), sgd());

  Windows separate([&] {
    for (int64_t i = 0; i < k; ++i) {
      const auto idx = batch_of();
      opts[i]->zero_grad();
      torch::cross_entropy_loss(nets[i]->forward(pool.index_select(0, idx)),
                                labels.index_select(0, idx))
          .backward();
      opts[i]->step();
    }
  });
  Windows together([&] {
    std::vector<torch::Tensor> xs, ys;
    for (int64_t i = 0; i < k; ++i) {
      const auto idx = batch_of();
      xs.push_back(pool.index_select(0, idx));
      ys.push_back(labels.index_select(0, idx));
    }
    fused_opt.zero_grad();
    const auto logits = fused->forward(torch::stack(xs));
    torch::Tensor total;
    for (int64_t i = 0; i < k; ++i) {
      const auto loss = torch::cross_entropy_loss(logits[i], ys[i]);
      total = i == 0 ? loss : total + loss;
    }
    total.backward();
    fused_opt.step();
  });
  calibrate(separate, s);
  calibrate(together, s);
  for (long w = 0; w < s.windows; ++w) {
    run_window(separate);
    run_window(together);
  }
  // Each step call trains k members on s.batch rows each: samples/s of all members together,
  // and per member (how fast each member's run progresses).
  const double step_rows = static_cast<double>(s.batch * k);
  const double sep = step_rows / median(separate.seconds);
  const double fus = step_rows / median(together.seconds);
  std::printf(
      "model=%s fuse=%ld batch=%ld threads=%d separate_samples_per_s=%.1f fused_samples_per_s=%.1f "
      "per_member=(%.1f,%.1f) fused_over_separate=%.2f windows=%ldx(%ld,%ld)\n",
      model.c_str(), static_cast<long>(k), static_cast<long>(s.batch), torch::get_num_threads(),
      sep, fus, sep / k, fus / k, fus / sep, s.windows, separate.per_window, together.per_window);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const BenchArgs args(
      argc, argv, "kdbench_fused_bench",
      {"models", "fuse", "input", "batch", "threads", "windows", "window-ms", "warmup"});
  try {
    Settings s;
    s.batch = args.positive("batch", 128);
    s.windows = args.positive("windows", 5);
    s.window_ms = args.positive("window-ms", 400);
    s.warmup = args.positive("warmup", 2);
    torch::set_num_threads(static_cast<int>(args.positive("threads", 1)));
    kdbench::keep_tensor_buffers_in_heap();  // as kdbench run does: no mmap/munmap per step
    std::string input = args.text("input", "3x32x32");
    for (char& c : input)
      if (c == 'x') c = ' ';
    const auto dims = kdbench::split_ws(input);
    if (dims.size() != 3) usage_error(args.program(), "--input: not CxHxW (e.g. 3x32x32)");
    const kdbench::InputShape shape{kdbench::parse_int(dims[0], "--input channels"),
                                    kdbench::parse_int(dims[1], "--input height"),
                                    kdbench::parse_int(dims[2], "--input width")};
    std::vector<int64_t> fuse;
    for (const auto& k : list(args, "fuse", "1,2,4,8"))
      fuse.push_back(kdbench::parse_int(k, "--fuse"));
    for (const auto& model : list(args, "models", "cnn2,cnn4,resnet8"))
      for (int64_t k : fuse) bench(model, k, shape, s);
  } catch (const std::exception& e) {
    std::cerr << "kdbench_fused_bench: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
