// GPU tests (label gpu): the trainer on CUDA against the CPU, bf16 on CUDA. Built everywhere (they
// compile against a CPU LibTorch too); without a visible CUDA device the binary exits 77, which
// ctest reports as skipped.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/train/device.h"
#include "kdbench/train/trainer.h"
#include "quadrant_data.h"
#include "tiny_kd_graph.h"

using namespace kdbench;

namespace {

grid::TaskGraph gpu_graph(const std::string& precision) {
  return train::testing::tiny_kd_graph("precision = " + precision + "\n");
}

train::PreparedData on(const train::PreparedData& d, const torch::Device& device) {
  train::PreparedData c = d;
  for (auto* t : {&c.train.x, &c.train.y, &c.val.x, &c.val.y, &c.test.x, &c.test.y})
    *t = t->to(device);
  return c;
}

struct Gpu : ::testing::Test {
  std::string dir =
      (std::filesystem::temp_directory_path() / ("kdbench-gpu-" + std::to_string(::getpid())))
          .string();
  results::Artifacts artifacts{dir};
  train::PreparedData cpu_data = train::testing::quadrant_data(123, 96, 40, 40);
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::vector<results::RunRecord> run_all(const grid::TaskGraph& graph,
                                          const train::PreparedData& data,
                                          const train::DeviceChoice& device) {
    train::TrainEnv env;
    env.data = &data;
    env.artifacts = &artifacts;
    env.device = device.device;
    env.device_name = device.name;
    env.device_memory = device.memory_bytes;
    std::vector<results::RunRecord> recs;
    for (const auto& t : graph.tasks) recs.push_back(train::run_task(t, env));
    std::filesystem::remove_all(dir);
    return recs;
  }
};

}  // namespace

TEST(GpuDevice, SelectsAndNamesTheGpu) {
  const auto c = train::select_device("cuda", 0, 1, 0);
  EXPECT_TRUE(c.device.is_cuda());
  EXPECT_EQ(c.device.index(), 0);
  EXPECT_NE(c.name, "cpu");
  EXPECT_GT(c.memory_bytes, 0);
  EXPECT_TRUE(train::select_device("auto", 0, 1, 0).device.is_cuda());
}

TEST_F(Gpu, CudaLossesAgreeWithTheCpu) {
  const auto graph = gpu_graph("fp32");
  const auto cuda = train::select_device("cuda", 0, 1, 0);
  const auto cpu = run_all(graph, cpu_data, train::select_device("cpu", 0, 1, 0));
  const auto gpu = run_all(graph, on(cpu_data, cuda.device), cuda);
  ASSERT_EQ(cpu.size(), gpu.size());
  for (size_t i = 0; i < cpu.size(); ++i) {
    EXPECT_EQ(gpu[i].device, "cuda:0");
    EXPECT_EQ(gpu[i].device_name, cuda.name);
    ASSERT_EQ(cpu[i].curves.train_loss.size(), gpu[i].curves.train_loss.size());
    // Same data order, augmentation and initial weights; only the kernels differ.
    for (size_t e = 0; e < cpu[i].curves.train_loss.size(); ++e)
      EXPECT_NEAR(gpu[i].curves.train_loss[e], cpu[i].curves.train_loss[e],
                  1e-3 * std::abs(cpu[i].curves.train_loss[e]))
          << gpu[i].key << " epoch " << e + 1;
  }
}

TEST_F(Gpu, Bf16TrainsOnCuda) {
  const auto cuda = train::select_device("cuda", 0, 1, 0);
  const auto recs = run_all(gpu_graph("bf16"), on(cpu_data, cuda.device), cuda);
  for (const auto& r : recs) {
    EXPECT_EQ(r.status, results::Status::Done);
    EXPECT_EQ(r.config.at("precision"), "bf16");
    for (double l : r.curves.train_loss) EXPECT_TRUE(std::isfinite(l)) << r.key;
  }
}

int main(int argc, char** argv) {
  if (!torch::cuda::is_available()) {
    std::puts("SKIPPED: no CUDA device visible to LibTorch");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
