// kdbench_step_bench: training steps of one model on random CIFAR-shaped data, the way the
// trainer runs them (SGD lr 0.05, momentum 0.9, weight decay 5e-4; forward and loss under the
// trainer's autocast scope, backward and step outside it). Prints samples/s as the median of
// timed windows after a warm-up (CUDA synchronised at each window end) and, in CUDA builds, the
// peak GPU memory. bench/pytorch_step_bench.py is the same loop in PyTorch eager.
//
// usage: kdbench_step_bench [--model resnet20] [--device cpu|cuda|auto] [--precision fp32|bf16]
//                           [--batch 128] [--steps 50] [--windows 5] [--warmup 10] [--threads 1]
#include <torch/cuda.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "kdbench/core/errors.h"
#include "kdbench/models/models.h"
#include "kdbench/train/device.h"
#include "kdbench/train/precision.h"

#ifdef KDBENCH_BENCH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace {

using kdbench::bench::BenchArgs;
using kdbench::bench::median;
using kdbench::bench::usage_error;

// One batch of inputs and labels. Image models get N x 3 x 32 x 32 normalised noise.
// Hook for text models (bert-L12-H768 at sequence length 128): when models::make knows them,
// return token ids N x 128 (int64, < vocabulary size) here and let the caller pass them to the
// model's forward; the timing and the table stay the same.
std::pair<torch::Tensor, torch::Tensor> random_batch(const std::string& model, int64_t batch,
                                                     const torch::Device& device) {
  if (model.rfind("bert", 0) == 0)
    throw kdbench::ConfigError("--model: '" + model +
                               "' is a text model; models::make has none yet (image models only)");
  return {
      torch::randn({batch, 3, 32, 32}, torch::TensorOptions().device(device)),
      torch::randint(0, 10, {batch}, torch::TensorOptions().dtype(torch::kLong).device(device))};
}

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index() < 0 ? 0 : device.index());
}

std::string peak_memory_mib(const torch::Device& device) {
#ifdef KDBENCH_BENCH_CUDA
  if (device.is_cuda()) {
    namespace alloc = c10::cuda::CUDACachingAllocator;
    const auto stats = alloc::getDeviceStats(device.index() < 0 ? 0 : device.index());
    const auto peak = stats.allocated_bytes[static_cast<size_t>(alloc::StatType::AGGREGATE)].peak;
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", static_cast<double>(peak) / (1024.0 * 1024.0));
    return text;
  }
#endif
  return "n/a";
}

int run(int argc, char** argv) {
  const BenchArgs args(
      argc, argv, "kdbench_step_bench",
      {"model", "device", "precision", "batch", "steps", "windows", "warmup", "threads"});
  const std::string model = args.text("model", "resnet20");
  const std::string device_name = args.text("device", "cpu");
  const std::string precision_name = args.text("precision", "fp32");
  const int64_t batch = args.positive("batch", 128);
  const long windows = args.positive("windows", 5);
  const long steps = args.positive("steps", 50);
  const long warmup = args.positive("warmup", 10);
  const long threads = args.positive("threads", 1);
  kdbench::train::check_device_request(device_name);  // auto|cpu|cuda, cuda only with a GPU
  if (steps < windows)
    usage_error(args.program(), "--steps: " + std::to_string(steps) + " is fewer than --windows " +
                                    std::to_string(windows));
  const kdbench::train::Precision precision =
      kdbench::train::parse_precision(precision_name, "--precision");
  const torch::Device device = kdbench::train::select_device(device_name, 0, 1, 0).device;
  torch::set_num_threads(static_cast<int>(threads));

  torch::manual_seed(1);
  auto [x, y] = random_batch(model, batch, device);
  auto net = kdbench::models::make(model, 10, kdbench::InputShape{3, 32, 32});
  net->to(device);
  net->train();
  torch::optim::SGD opt(net->parameters(),
                        torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4));
  auto step = [&] {
    opt.zero_grad();
    torch::Tensor loss;
    {
      const kdbench::train::AutocastScope autocast(device, precision);
      loss = torch::cross_entropy_loss(net->forward(x), y);
    }
    loss.backward();
    opt.step();
  };

  for (long i = 0; i < warmup; ++i) step();
  synchronize(device);
  const long per_window = steps / windows;
  std::vector<double> rates;
  for (long w = 0; w < windows; ++w) {
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < per_window; ++i) step();
    synchronize(device);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rates.push_back(static_cast<double>(per_window * batch) / seconds);
  }
  const double rate = median(rates);
  std::printf(
      "impl=kdbench model=%s device=%s precision=%s batch=%ld params=%ld threads=%ld "
      "windows=%ldx%ld samples_per_s=%.1f ms_per_step=%.3f peak_mem_mib=%s\n",
      model.c_str(), device_name.c_str(), precision_name.c_str(), static_cast<long>(batch),
      static_cast<long>(kdbench::models::count_parameters(*net)), threads, windows, per_window,
      rate, 1000.0 * static_cast<double>(batch) / rate, peak_memory_mib(device).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const kdbench::ConfigError& e) {
    std::cerr << "kdbench_step_bench: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "kdbench_step_bench: " << e.what() << "\n";
    return 1;
  }
}
