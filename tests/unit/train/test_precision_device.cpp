#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/train/device.h"
#include "kdbench/train/precision.h"

using namespace kdbench;

TEST(Precision, ParsesAndPrints) {
  EXPECT_EQ(train::parse_precision("fp32", "g.ini [student] precision"), train::Precision::Fp32);
  EXPECT_EQ(train::parse_precision("bf16", "g.ini [student] precision"), train::Precision::Bf16);
  EXPECT_EQ(train::to_string(train::Precision::Bf16), "bf16");
  EXPECT_EQ(train::to_string(train::Precision::Fp32), "fp32");
}

TEST(Precision, BadValueNamesWhereValueAndChoices) {
  try {
    train::parse_precision("fp16", "g.ini [teacher] precision");
    FAIL() << "fp16 accepted";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("g.ini [teacher] precision"), std::string::npos) << m;
    EXPECT_NE(m.find("'fp16'"), std::string::npos) << m;
    EXPECT_NE(m.find("fp32|bf16"), std::string::npos) << m;
  }
}

TEST(AutocastScope, Bf16OnCpuCastsConvAndLinearThenRestores) {
  torch::manual_seed(1);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(1, 2, 3));
  torch::nn::Linear linear(8, 3);
  const auto x = torch::randn({2, 1, 5, 5});
  const auto v = torch::randn({2, 8});
  ASSERT_FALSE(at::autocast::is_cpu_enabled());
  {
    train::AutocastScope scope(torch::Device(torch::kCPU), train::Precision::Bf16);
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(conv->forward(x).scalar_type(), torch::kBFloat16);
    EXPECT_EQ(linear->forward(v).scalar_type(), torch::kBFloat16);
    {
      // Nested fp32 scope: changes nothing, and ending it leaves the outer scope active.
      train::AutocastScope inner(torch::Device(torch::kCPU), train::Precision::Fp32);
    }
    EXPECT_EQ(linear->forward(v).scalar_type(), torch::kBFloat16);
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(at::autocast::get_autocast_cpu_dtype(), torch::kBFloat16);  // LibTorch's default
  EXPECT_EQ(linear->forward(v).scalar_type(), torch::kFloat);
}

TEST(AutocastScope, LeavesAnOuterEnabledStateEnabled) {
  // LibTorch 1.13's CPU autocast accepts only bf16, so the enabled flag is what can differ.
  at::autocast::set_cpu_enabled(true);
  { train::AutocastScope scope(torch::Device(torch::kCPU), train::Precision::Bf16); }
  EXPECT_TRUE(at::autocast::is_cpu_enabled());
  at::autocast::set_cpu_enabled(false);
}

TEST(DeviceSelection, RoundRobinDealsRanksOverGpus) {
  // 6 local ranks on 4 GPUs: 0,1,2,3,0,1 -> GPUs 0 and 1 carry two ranks each.
  const int expected_gpu[] = {0, 1, 2, 3, 0, 1};
  const int expected_sharing[] = {2, 2, 1, 1, 2, 2};
  for (int r = 0; r < 6; ++r) {
    const auto s = train::gpu_slot(r, 6, 0, 4);
    EXPECT_EQ(s.index, expected_gpu[r]) << "rank " << r;
    EXPECT_EQ(s.ranks_sharing, expected_sharing[r]) << "rank " << r;
  }
  EXPECT_EQ(train::gpu_slot(3, 8, 0, 8).ranks_sharing, 1);
}

TEST(DeviceSelection, RanksPerGpuPacksConsecutiveRanks) {
  // 8 local ranks, 3 per GPU, 2 GPUs: 0,0,0,1,1,1,0,0 (wraps around).
  const int expected_gpu[] = {0, 0, 0, 1, 1, 1, 0, 0};
  for (int r = 0; r < 8; ++r) EXPECT_EQ(train::gpu_slot(r, 8, 3, 2).index, expected_gpu[r]);
  EXPECT_EQ(train::gpu_slot(0, 8, 3, 2).ranks_sharing, 5);
  EXPECT_EQ(train::gpu_slot(4, 8, 3, 2).ranks_sharing, 3);
  EXPECT_EQ(train::gpu_slot(1, 4, 2, 4).index, 0);
  EXPECT_EQ(train::gpu_slot(2, 4, 2, 4).index, 1);
}

TEST(DeviceSelection, RequestsAreCheckedWithoutAGpu) {
  EXPECT_NO_THROW(train::check_device_request("cpu"));
  EXPECT_NO_THROW(train::check_device_request("auto"));
  EXPECT_THROW(train::check_device_request("gpu"), ConfigError);
  const auto cpu = train::select_device("cpu", 0, 1, 0);
  EXPECT_TRUE(cpu.device.is_cpu());
  EXPECT_EQ(cpu.name, "cpu");
  if (torch::cuda::is_available()) GTEST_SKIP() << "a GPU is visible; tests/gpu covers cuda";
  EXPECT_TRUE(train::select_device("auto", 0, 1, 0).device.is_cpu());
  try {
    train::check_device_request("cuda");
    FAIL() << "cuda accepted without a GPU";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("CUDA_VISIBLE_DEVICES"), std::string::npos) << m;
    EXPECT_NE(m.find("LibTorch"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}
