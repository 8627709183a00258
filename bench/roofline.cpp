// kdbench_roofline: the two ceilings a training step is measured against (bench/README.md
// "Roofline"), on this CPU, at each thread count:
//   fma    the floating-point peak: independent fused multiply-adds on registers (AVX-512 where
//          the CPU has it, else AVX2), 16 accumulators per thread so latency never limits;
//          GFLOP/s = 2 × lanes × FMAs / s, summed over the threads.
//   sgemm  what the BLAS reaches: torch::mm of two N×N float32 matrices (LibTorch calls the
//          system BLAS, OpenBLAS where libopenblas0-openmp is installed), 2·N³ / s.
// One line per measurement, median of --windows windows, the same key=value form as
// kdbench_step_bench so bench/bench_tables.py joins them.
//
// usage: kdbench_roofline [--threads 1,2] [--sizes 512,1024,2048] [--windows 5] [--window-ms 200]
#include <immintrin.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.h"

namespace {

using kdbench::bench::BenchArgs;
using kdbench::bench::median;
using kdbench::bench::usage_error;

constexpr long kFmaIterations = 1L << 22;  // per call: 16 × lanes × 4 Mi FMAs

// 16 independent accumulators: an FMA's latency (4 cycles) times 2 ports needs at least 8.
// Returns a value depending on every lane, so the compiler cannot drop the loop.
__attribute__((target("avx512f"))) float fma_loop_avx512(long iterations) {
  __m512 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i) * 1e-3F);
  const __m512 a = _mm512_set1_ps(0.999999F), b = _mm512_set1_ps(1e-7F);
  for (long n = 0; n < iterations; ++n) {
    for (auto& x : acc) x = _mm512_fmadd_ps(x, a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < 16; ++i) sum = _mm512_add_ps(sum, acc[i]);
  // Stored and summed by hand: GCC 12's _mm512_reduce_add_ps warns inside its own header.
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((target("avx2,fma"))) float fma_loop_avx2(long iterations) {
  __m256 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i) * 1e-3F);
  const __m256 a = _mm256_set1_ps(0.999999F), b = _mm256_set1_ps(1e-7F);
  for (long n = 0; n < iterations; ++n) {
    for (auto& x : acc) x = _mm256_fmadd_ps(x, a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < 16; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

struct Isa {
  std::string name;
  int lanes = 0;
  std::function<float(long)> loop;
};

Isa widest_isa() {
  if (__builtin_cpu_supports("avx512f")) return {"avx512", 16, fma_loop_avx512};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return {"avx2", 8, fma_loop_avx2};
  return {"none", 0, nullptr};
}

// Median of `windows` windows of `body` (which does `work` floating-point operations per call),
// each window as many calls as fill `window_ms`; GFLOP/s.
double measure(long windows, long window_ms, double work, const std::function<void()>& body) {
  body();  // warm-up: page faults, BLAS buffers, turbo settling
  std::vector<double> rates;
  for (long w = 0; w < windows; ++w) {
    long calls = 0;
    const auto start = std::chrono::steady_clock::now();
    double seconds = 0;
    do {
      body();
      ++calls;
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (seconds * 1000.0 < static_cast<double>(window_ms));
    rates.push_back(work * static_cast<double>(calls) / seconds / 1e9);
  }
  return median(rates);
}

int run(int argc, char** argv) {
  const BenchArgs args(argc, argv, "kdbench_roofline",
                       {"threads", "sizes", "windows", "window-ms"});
  const auto threads = args.positive_list("threads", "1,2");
  const auto sizes = args.positive_list("sizes", "512,1024,2048");
  const long windows = args.positive("windows", 5);
  const long window_ms = args.positive("window-ms", 200);
  const Isa isa = widest_isa();
  for (const long t : threads) {
    if (isa.loop) {
      const double work =
          2.0 * 16 * isa.lanes * static_cast<double>(kFmaIterations) * static_cast<double>(t);
      const double gflops = measure(windows, window_ms, work, [&] {
        std::vector<std::thread> pool;
        for (long i = 0; i < t; ++i) {
          pool.emplace_back([&] {
            volatile float sink = isa.loop(kFmaIterations);
            (void)sink;
          });
        }
        for (auto& th : pool) th.join();
      });
      std::printf("impl=roofline kind=fma isa=%s threads=%ld gflop_per_s=%.2f\n", isa.name.c_str(),
                  t, gflops);
    }
    torch::set_num_threads(static_cast<int>(t));
    for (const long n : sizes) {
      const auto a = torch::rand({n, n}), b = torch::rand({n, n});
      auto c = torch::empty({n, n});
      const double work =
          2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
      const double gflops = measure(windows, window_ms, work, [&] { torch::mm_out(c, a, b); });
      std::printf("impl=roofline kind=sgemm n=%ld threads=%ld gflop_per_s=%.2f\n", n, t, gflops);
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "kdbench_roofline: " << e.what() << "\n";
    return 1;
  }
}
