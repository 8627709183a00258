// kdbench_step_bench: training steps of one model the way the trainer runs them, for the
// side-by-side table with bench/pytorch_step_bench.py (the same step in PyTorch eager; both take
// the same arguments and print the same line per method).
//
// One step, as suite/train/trainer.cpp does it: the batch's rows gathered from an in-memory pool by
// a random permutation (index_select, pre-normalised floats or int64 token ids), forward under the
// trainer's autocast scope, the method's loss from kdbench's methods library (nokd: cross-entropy;
// kd: Hinton's loss, alpha 0.9, tau 4, batchmean), backward, gradient clipping and the per-step
// learning rate for text, the optimizer from train::make_optimizer (images: SGD lr 0.05,
// momentum 0.9, weight decay 5e-4; text: AdamW lr 1e-4, weight decay 0.01 on weights only,
// clip 1.0), and the epoch's loss and correct sums kept on the device (no host read per step).
// Teacher logits: kd-cached reads them from a float32 table over the pool by the batch's indices
// (the logit cache); kd-live runs the teacher (eval mode, no grad) on the batch. `data` (kdbench
// only) times the data path alone: train::batch and, for images, the random crop and flip.
//
// Timing: --warmup steps, then --windows timed windows; a window runs --steps/--windows steps,
// or (--steps 0, the default) as many as fill --window-ms judged by the warm-up steps. Prints
// the median window's samples/s and the spread (min and max window) per method.
//
// usage: kdbench_step_bench [--model resnet20] [--input 3x32x32] [--seq 64] [--classes 10]
//   [--methods nokd,kd-cached,kd-live,data] [--teacher resnet32] [--device cpu|cuda|auto]
//   [--precision fp32|bf16] [--batch 128[,32...]] [--steps 0] [--windows 5] [--window-ms 300]
//   [--warmup 3] [--threads 1[,2...]]
// Lists of batch sizes and thread counts run one after another in the one process (threads
// outermost), each method with a fresh model.
//
// Each line also gives the step's achieved GFLOP/s (bench/README.md "Roofline"): a training step
// counts 3 forward passes of the student (forward, and backward's two products per layer) plus
// one of a live teacher, at 2 floating-point operations per multiply-accumulate of
// models::forward_macs. peak_rss_mib is the process's peak resident set so far (getrusage).
#include <sys/resource.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/datasets/dataset.h"
#include "kdbench/grid/grid_spec.h"
#include "kdbench/methods/registry.h"
#include "kdbench/models/models.h"
#include "kdbench/train/device.h"
#include "kdbench/train/optimizer.h"
#include "kdbench/train/precision.h"
#include "kdbench/train/prepared_data.h"

#ifdef KDBENCH_BENCH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace {

using kdbench::bench::BenchArgs;
using kdbench::bench::median;
using kdbench::bench::usage_error;
namespace models = kdbench::models;
namespace train = kdbench::train;

constexpr int64_t kPoolBatches = 4;  // the pool holds this many batches of distinct rows
constexpr int64_t kVocab = 30522;    // bert-base-uncased's WordPiece vocabulary

bool is_text_model(const std::string& name) { return name.rfind("bert", 0) == 0; }

kdbench::InputShape parse_input(const BenchArgs& args, bool text) {
  kdbench::InputShape shape;
  if (text) {
    shape.vocab_size = kVocab;
    shape.max_tokens = args.positive("seq", 64);
    return shape;
  }
  const std::string spec = args.text("input", "3x32x32");
  std::vector<std::string> parts;
  for (size_t begin = 0, x;; begin = x + 1) {
    x = spec.find('x', begin);
    parts.push_back(spec.substr(begin, x == std::string::npos ? x : x - begin));
    if (x == std::string::npos) break;
  }
  if (parts.size() != 3)
    usage_error(args.program(), "--input: '" + spec + "' is not CxHxW (e.g. 1x28x28)");
  shape.channels = kdbench::parse_int(parts[0], "--input channels");
  shape.height = kdbench::parse_int(parts[1], "--input height");
  shape.width = kdbench::parse_int(parts[2], "--input width");
  return shape;
}

// The pool the batches are gathered from: normalised noise images, or token ids with every row
// full length (attention mask all ones, one segment).
struct Pool {
  models::Inputs inputs;
  torch::Tensor labels;
  int64_t rows = 0;
};

Pool make_pool(const kdbench::InputShape& shape, int64_t classes, int64_t rows,
               const torch::Device& device) {
  const auto on = torch::TensorOptions().device(device);
  Pool pool;
  pool.rows = rows;
  if (shape.is_text()) {
    pool.inputs.input_ids =
        torch::randint(1000, shape.vocab_size, {rows, shape.max_tokens}, on.dtype(torch::kLong));
    pool.inputs.attention_mask = torch::ones({rows, shape.max_tokens}, on.dtype(torch::kLong));
    pool.inputs.token_type_ids = torch::zeros({rows, shape.max_tokens}, on.dtype(torch::kLong));
  } else {
    pool.inputs.images = torch::randn({rows, shape.channels, shape.height, shape.width}, on);
  }
  pool.labels = torch::randint(0, classes, {rows}, on.dtype(torch::kLong));
  return pool;
}

models::Inputs gather(const Pool& pool, const torch::Tensor& idx) {
  if (!pool.inputs.is_text()) return pool.inputs.images.index_select(0, idx);
  models::Inputs x;
  x.input_ids = pool.inputs.input_ids.index_select(0, idx);
  x.attention_mask = pool.inputs.attention_mask.index_select(0, idx);
  x.token_type_ids = pool.inputs.token_type_ids.index_select(0, idx);
  return x;
}

kdbench::grid::TrainConfig optimizer_config(bool text) {
  kdbench::grid::TrainConfig c;
  if (text) {
    c.optimizer = "adamw";
    c.lr = 1e-4;
    c.weight_decay = 0.01;
    c.max_grad_norm = 1.0;
  }
  return c;
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

struct Settings {
  std::string model, teacher, device_name, precision_name, input_text;
  int64_t batch = 128, classes = 10;
  long steps = 0, windows = 5, window_ms = 300, warmup = 3, threads = 1;
  kdbench::InputShape shape;
};

struct Timing {
  std::vector<double> rates;  // samples/s of each window
  long per_window = 1;
};

// --warmup steps, then --windows windows of --steps/--windows steps (or as many as fill
// --window-ms, judged by the warm-up).
Timing time_windows(const Settings& s, const torch::Device& device,
                    const std::function<void()>& step) {
  const auto warm_start = std::chrono::steady_clock::now();
  for (long i = 0; i < s.warmup; ++i) step();
  synchronize(device);
  const double warm_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - warm_start).count();
  Timing t;
  t.per_window = s.steps / s.windows;
  if (s.steps == 0) {
    const double step_ms = 1000.0 * warm_seconds / static_cast<double>(s.warmup);
    t.per_window =
        std::max(1L, static_cast<long>(static_cast<double>(s.window_ms) / step_ms + 0.5));
  }
  for (long w = 0; w < s.windows; ++w) {
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < t.per_window; ++i) step();
    synchronize(device);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    t.rates.push_back(static_cast<double>(t.per_window * s.batch) / seconds);
  }
  return t;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KiB
}

// Floating-point operations of one training sample: the student's forward and backward (3
// forward passes' worth) and, for kd-live, the teacher's forward; the data path counts none.
double flops_per_sample(const Settings& s, const std::string& method) {
  if (method == "data") return 0;
  double macs = 3.0 * static_cast<double>(models::forward_macs(s.model, s.classes, s.shape));
  if (method == "kd-live")
    macs += static_cast<double>(models::forward_macs(s.teacher, s.classes, s.shape));
  return 2.0 * macs;
}

void print_line(const Settings& s, const std::string& method, int64_t params, const Timing& t,
                const torch::Device& device) {
  const double rate = median(t.rates);
  std::printf(
      "impl=kdbench model=%s method=%s teacher=%s input=%s device=%s precision=%s batch=%ld "
      "params=%ld threads=%ld windows=%ldx%ld samples_per_s=%.1f min=%.1f max=%.1f "
      "ms_per_step=%.3f flop_per_sample=%.0f gflop_per_s=%.2f peak_mem_mib=%s peak_rss_mib=%.1f\n",
      s.model.c_str(), method.c_str(), method == "kd-live" ? s.teacher.c_str() : "-",
      s.input_text.c_str(), s.device_name.c_str(), s.precision_name.c_str(),
      static_cast<long>(s.batch), static_cast<long>(params), s.threads, s.windows, t.per_window,
      rate, *std::min_element(t.rates.begin(), t.rates.end()),
      *std::max_element(t.rates.begin(), t.rates.end()),
      1000.0 * static_cast<double>(s.batch) / rate, flops_per_sample(s, method),
      flops_per_sample(s, method) * rate / 1e9, peak_memory_mib(device).c_str(), peak_rss_mib());
  std::fflush(stdout);
}

// Trains a fresh student with `method` (and a teacher for kd-live) and prints its line.
void bench_method(const Settings& s, const std::string& method, const torch::Device& device,
                  train::Precision precision) {
  const bool text = s.shape.is_text();
  torch::manual_seed(1);
  const Pool pool = make_pool(s.shape, s.classes, kPoolBatches * s.batch, device);
  models::Net net = models::make(s.model, s.classes, s.shape);
  net->to(device);
  net->train();
  const auto config = optimizer_config(text);
  auto opt = train::make_optimizer(*net, config);
  kdbench::methods::TrainShape train_shape;
  train_shape.batch_size = static_cast<int>(s.batch);
  train_shape.num_classes = static_cast<int>(s.classes);
  const auto loss_fn =
      kdbench::methods::builtin().make(method == "nokd" ? "nokd" : "kd", {}, train_shape);
  models::Net teacher;
  torch::Tensor logit_table;
  if (method == "kd-live") {
    teacher = models::make(s.teacher, s.classes, s.shape);
    teacher->to(device);
    teacher->eval();
  } else if (method == "kd-cached") {
    logit_table = torch::randn({pool.rows, s.classes}, torch::TensorOptions().device(device));
  }
  const kdbench::methods::StepContext ctx;
  torch::Tensor order = torch::randperm(pool.rows, torch::TensorOptions().device(device));
  torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions().device(device));
  torch::Tensor correct =
      torch::zeros({}, torch::TensorOptions().device(device).dtype(torch::kLong));
  int64_t position = 0;
  long step_count = 0;
  auto step = [&] {
    if (position == kPoolBatches) {
      order = torch::randperm(pool.rows, torch::TensorOptions().device(device));
      position = 0;
    }
    const auto idx = order.slice(0, position * s.batch, (position + 1) * s.batch);
    ++position;
    const models::Inputs x = gather(pool, idx);
    const auto y = pool.labels.index_select(0, idx);
    torch::Tensor t_logits;
    if (teacher) {
      torch::NoGradGuard no_grad;
      const train::AutocastScope autocast(device, precision);
      t_logits = teacher->forward(x).to(torch::kFloat);
    } else if (logit_table.defined()) {
      t_logits = logit_table.index_select(0, idx);
    }
    opt->zero_grad();
    torch::Tensor logits;
    {
      const train::AutocastScope autocast(device, precision);
      logits = net->forward(x).to(torch::kFloat);
    }
    const auto loss = loss_fn->loss(logits, t_logits, y, ctx);
    loss.backward();
    if (config.max_grad_norm > 0) train::clip_gradients(net->parameters(), config.max_grad_norm);
    // Text runs set a per-step rate (linear warm-up and decay); the value does not change the cost.
    if (text) train::set_lr(*opt, config.lr * (1.0 - 1e-6 * static_cast<double>(step_count)));
    opt->step();
    {
      torch::NoGradGuard no_grad;
      loss_sum += loss.detach() * static_cast<double>(s.batch);
      correct += logits.argmax(1).eq(y).sum();
    }
    ++step_count;
  };

  const Timing t = time_windows(s, device, step);
  (void)loss_sum.item<double>();  // the epoch's one read, as in the trainer
  print_line(s, method, models::count_parameters(*net), t, device);
}

// The data path alone, as the trainer runs it on this device: the batch's rows of the prepared
// split (train::batch: normalised images, or token tensors cut to the batch's longest row) and,
// for images, the random crop (pad 4) and flip of augmented grids.
void bench_data(const Settings& s, const torch::Device& device) {
  torch::manual_seed(1);
  const Pool pool = make_pool(s.shape, s.classes, kPoolBatches * s.batch, device);
  train::PreparedData d;
  d.shape = s.shape;
  d.num_classes = s.classes;
  d.train.y = pool.labels;
  if (s.shape.is_text()) {
    d.text = true;
    d.train.x = pool.inputs.input_ids.to(torch::kInt);
    d.train.token_types = pool.inputs.token_type_ids.to(torch::kByte);
    d.train.lengths = torch::full({pool.rows}, s.shape.max_tokens,
                                  torch::TensorOptions().device(device).dtype(torch::kLong));
  } else {
    d.train.x = pool.inputs.images;
  }
  torch::Generator gen = at::detail::createCPUGenerator(1);
  torch::Tensor order = torch::randperm(pool.rows, torch::TensorOptions().device(device));
  int64_t position = 0;
  torch::Tensor sink = torch::zeros({}, torch::TensorOptions().device(device));
  const Timing t = time_windows(s, device, [&] {
    if (position == kPoolBatches) position = 0;
    const auto idx = order.slice(0, position * s.batch, (position + 1) * s.batch);
    ++position;
    models::Inputs x = train::batch(d, d.train, idx);
    if (!d.text) x.images = kdbench::datasets::crop_flip(x.images, 4, gen);
    const auto y = d.train.y.index_select(0, idx);
    sink += y.sum();  // keeps the gather alive, as the loss would
  });
  print_line(s, "data", 0, t, device);
}

int run(int argc, char** argv) {
  const BenchArgs args(
      argc, argv, "kdbench_step_bench",
      {"model", "input", "seq", "classes", "methods", "teacher", "device", "precision", "batch",
       "steps", "windows", "window-ms", "warmup", "threads"});
  Settings s;
  s.model = args.text("model", "resnet20");
  const bool text = is_text_model(s.model);
  s.shape = parse_input(args, text);
  s.input_text = text ? "seq" + std::to_string(s.shape.max_tokens)
                      : std::to_string(s.shape.channels) + "x" + std::to_string(s.shape.height) +
                            "x" + std::to_string(s.shape.width);
  s.classes = args.positive("classes", text ? 2 : 10);
  s.teacher = args.text("teacher", "");
  s.device_name = args.text("device", "cpu");
  s.precision_name = args.text("precision", "fp32");
  s.windows = args.positive("windows", 5);
  s.window_ms = args.positive("window-ms", 300);
  s.warmup = args.positive("warmup", 3);
  const std::string steps_text = args.text("steps", "0");
  s.steps = steps_text == "0" ? 0 : args.positive("steps", 0);
  if (s.steps != 0 && s.steps < s.windows)
    usage_error(args.program(), "--steps: " + std::to_string(s.steps) +
                                    " is fewer than --windows " + std::to_string(s.windows));
  const auto methods = kdbench::split_ws(args.text("methods", "nokd"));
  for (const auto& m : methods) {
    if (m != "nokd" && m != "kd-cached" && m != "kd-live" && m != "data")
      usage_error(args.program(),
                  "--methods: '" + m + "' is not one of nokd, kd-cached, kd-live, data");
    if (m == "kd-live" && s.teacher.empty())
      usage_error(args.program(), "--methods kd-live needs --teacher MODEL");
  }
  for (const auto& name : {s.model, s.teacher}) {
    if (!name.empty() && !models::is_known(name))
      usage_error(args.program(), "--model/--teacher: unknown model '" + name + "'");
  }
  train::check_device_request(s.device_name);  // auto|cpu|cuda, cuda only with a GPU
  const train::Precision precision = train::parse_precision(s.precision_name, "--precision");
  const torch::Device device = train::select_device(s.device_name, 0, 1, 0).device;
  const auto batches = args.positive_list("batch", "128");
  for (const long threads : args.positive_list("threads", "1")) {
    torch::set_num_threads(static_cast<int>(threads));
    s.threads = threads;
    for (const long batch : batches) {
      s.batch = batch;
      for (const auto& m : methods)
        m == "data" ? bench_data(s, device) : bench_method(s, m, device, precision);
    }
  }
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
