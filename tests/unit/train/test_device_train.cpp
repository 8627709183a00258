// The device-generic trainer, exercised on the CPU: the uint8 layout a GPU trains from gives
// bitwise the CPU's batches and runs, bf16 autocast trains on the CPU and is recorded.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/trainer.h"
#include "tiny_kd_graph.h"
#include "uint8_splits.h"

using namespace kdbench;

namespace {

grid::TaskGraph device_graph(const std::string& train_extra) {
  return train::testing::tiny_kd_graph(train_extra);
}

struct DeviceFixture : ::testing::Test {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("kdbench-device-train-" + std::to_string(::getpid())))
                        .string();
  results::Artifacts artifacts{dir};
  void SetUp() override { torch::set_num_threads(1); }
  void TearDown() override { std::filesystem::remove_all(dir); }

  // Trains the graph's teacher, then its KD student, on `data`; returns both records and the
  // teacher's final weights (students keep none).
  std::pair<std::vector<results::RunRecord>, train::Snapshot> run_all(
      const grid::TaskGraph& graph, const train::PreparedData& data) {
    train::TrainEnv env;
    env.data = &data;
    env.artifacts = &artifacts;
    std::vector<results::RunRecord> recs;
    const grid::Task* teacher = nullptr;
    for (const auto& t : graph.tasks) {
      recs.push_back(train::run_task(t, env));
      if (t.kind == "teacher") teacher = &t;
    }
    auto net = models::make(teacher->model, data.num_classes, data.shape);
    train::load_net(*net, artifacts.path_for(teacher->key, "final.pt"));
    std::filesystem::remove_all(dir);
    return {recs, train::snapshot(*net)};
  }
};

}  // namespace

TEST(DeviceData, Uint8BatchesEqualTheFloatLayoutBitwise) {
  const auto splits = train::testing::uint8_splits(11, 3);
  const auto floats = train::prepare(splits);
  const auto raw = train::prepare_uint8(splits, torch::kCPU);
  ASSERT_TRUE(raw.uint8);
  EXPECT_EQ(raw.train.x.scalar_type(), torch::kUInt8);
  const auto idx = torch::randperm(96, torch::kLong).slice(0, 0, 20);
  const auto a = train::batch(floats, floats.train, idx).images;
  const auto b = train::batch(raw, raw.train, idx).images;
  EXPECT_EQ(b.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_TRUE(torch::equal(train::batch(floats, floats.test, 5, 37).images,
                           train::batch(raw, raw.test, 5, 37).images));
  EXPECT_TRUE(torch::equal(floats.val.y, raw.val.y));
}

TEST_F(DeviceFixture, Uint8DataTrainsExactlyLikeFloatData) {
  const auto splits = train::testing::uint8_splits(12, 1);
  const auto graph = device_graph("");
  const auto floats = train::prepare(splits);
  const auto raw = train::prepare_uint8(splits, torch::kCPU);
  const auto [recs_f, weights_f] = run_all(graph, floats);
  const auto [recs_u, weights_u] = run_all(graph, raw);
  ASSERT_EQ(recs_f.size(), 2u);
  for (size_t i = 0; i < recs_f.size(); ++i) {
    EXPECT_EQ(recs_f[i].curves.train_loss, recs_u[i].curves.train_loss);
    EXPECT_EQ(recs_f[i].curves.train_acc, recs_u[i].curves.train_acc);
    EXPECT_EQ(recs_f[i].curves.val_acc, recs_u[i].curves.val_acc);
    EXPECT_EQ(recs_f[i].device, "cpu");
    EXPECT_EQ(recs_f[i].device_name, "cpu");
    EXPECT_EQ(recs_f[i].config.at("precision"), "fp32");
  }
  for (const auto& [name, tensor] : weights_f)
    EXPECT_TRUE(torch::equal(tensor, weights_u.at(name))) << name;
}

TEST_F(DeviceFixture, Bf16TrainsOnTheCpuAndIsRecorded) {
  const auto data = train::prepare(train::testing::uint8_splits(13, 1));
  const auto [fp32, weights_fp32] = run_all(device_graph(""), data);
  const auto [bf16, weights_bf16] = run_all(device_graph("precision = bf16\n"), data);
  ASSERT_EQ(bf16.size(), 2u);
  for (const auto& rec : bf16) {
    EXPECT_EQ(rec.status, results::Status::Done);
    EXPECT_EQ(rec.config.at("precision"), "bf16");
    for (double l : rec.curves.train_loss) EXPECT_TRUE(std::isfinite(l)) << rec.key;
  }
  EXPECT_NE(fp32[0].key, bf16[0].key);  // another precision, another run
  // Autocast ran the convolutions in bf16: the weights (kept in fp32) moved differently.
  bool differ = false;
  for (const auto& [name, tensor] : weights_fp32) {
    EXPECT_EQ(weights_bf16.at(name).scalar_type(), tensor.scalar_type()) << name;
    differ = differ || !torch::equal(tensor, weights_bf16.at(name));
  }
  EXPECT_TRUE(differ);
}

TEST_F(DeviceFixture, NonFiniteLossNamesTheFirstBadStep) {
  // One image so bright that the forward pass overflows: the step whose batch holds it is the
  // first non-finite loss (the weights are NaN after it, so every later step is too). The sums
  // are read once per epoch, yet the error still names that step.
  auto data = train::prepare(train::testing::uint8_splits(14, 1));
  const auto graph = device_graph("[teacher]\naugment = false\n");
  const grid::Task& teacher = graph.tasks.front();
  ASSERT_EQ(teacher.kind, "teacher");
  // The first epoch's order, as the trainer draws it; the image at position 40 (batch 16) is
  // in step 3.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(train::data_seed(teacher));
  const auto order = torch::randperm(data.train.size(), gen, torch::kLong);
  data.train.x[order[40].item<int64_t>()].fill_(3e38);
  const int64_t step = 3;
  train::TrainEnv env;
  env.data = &data;
  env.artifacts = &artifacts;
  try {
    train::run_task(teacher, env);
    FAIL() << "a non-finite loss went unnoticed";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("loss became"), std::string::npos) << m;
    EXPECT_NE(m.find("at epoch 1 step " + std::to_string(step)), std::string::npos) << m;
  }
}

// length_buckets: within each megabatch of 50 batches the rows are sorted longest first, ties in
// the shuffled order; across megabatches the order is untouched.
TEST(LengthBuckets, SortsEachMegabatchByLengthLongestFirst) {
  using kdbench::train::bucket_by_length;
  using kdbench::train::kBucketBatches;
  // Batch size 1: megabatches of 50 rows. 120 rows with lengths row % 7.
  const int64_t n = 120;
  auto lengths = torch::arange(n, torch::kLong).remainder(7);
  auto order = torch::arange(n - 1, -1, -1, torch::kLong);  // a "shuffle": reversed
  const auto out = bucket_by_length(order, lengths, 1);
  ASSERT_EQ(out.size(0), n);
  for (int64_t begin = 0; begin < n; begin += kBucketBatches) {
    const int64_t end = std::min(n, begin + kBucketBatches);
    // The same rows as the shuffle's megabatch.
    EXPECT_TRUE(torch::equal(std::get<0>(out.slice(0, begin, end).sort()),
                             std::get<0>(order.slice(0, begin, end).sort())));
    for (int64_t i = begin + 1; i < end; ++i) {
      const int64_t a = out[i - 1].item<int64_t>(), b = out[i].item<int64_t>();
      ASSERT_GE(lengths[a].item<int64_t>(), lengths[b].item<int64_t>()) << i;
      if (lengths[a].item<int64_t>() == lengths[b].item<int64_t>()) {
        EXPECT_GT(a, b) << i;  // stable
      }
    }
  }
  EXPECT_EQ(out[0].item<int64_t>(), 118);  // the longest (length 6) of rows 119..70, first in order
}
