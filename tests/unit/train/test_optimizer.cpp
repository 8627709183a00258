// The optimizers a grid can choose (sgd, adamw), the per-step linear schedule with warm-up, and
// gradient clipping, against values computed by hand; adamw training resumes bit for bit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "kdbench/train/lr_schedule.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/optimizer.h"
#include "kdbench/train/resume_state.h"
#include "kdbench/train/stop_flag.h"
#include "kdbench/train/trainer.h"
#include "quadrant_data.h"
#include "tiny_kd_graph.h"

using namespace kdbench;

namespace {

grid::LrSchedule linear() {
  grid::LrSchedule s;
  s.kind = "linear";
  s.milestones.clear();
  return s;
}

// y = w . x + b with w = [1, -2], b = 0.5: one 2-D weight and one bias.
class TinyNet : public models::NetImpl {
 public:
  TinyNet() {
    fc_ = register_module("fc", torch::nn::Linear(2, 1));
    torch::NoGradGuard no_grad;
    fc_->weight.copy_(torch::tensor({{1.0F, -2.0F}}));
    fc_->bias.copy_(torch::tensor({0.5F}));
  }
  torch::Tensor forward(const kdbench::models::Inputs& in) override {
    return fc_->forward(in.images);
  }
  torch::nn::Linear fc_{nullptr};
};

}  // namespace

TEST(LinearSchedule, WarmupPeakDecayAndEndAsHuggingFace) {
  const auto s = linear();
  const double base = 1e-4;                                              // 100 steps, 10 of warm-up
  EXPECT_EQ(train::lr_at_step(s, base, 0, 100, 10), 0.0);                // warm-up starts at 0
  EXPECT_DOUBLE_EQ(train::lr_at_step(s, base, 5, 100, 10), 5e-5);        // 5 / 10
  EXPECT_DOUBLE_EQ(train::lr_at_step(s, base, 10, 100, 10), base);       // peak: 90 / 90
  EXPECT_DOUBLE_EQ(train::lr_at_step(s, base, 55, 100, 10), 5e-5);       // 45 / 90
  EXPECT_DOUBLE_EQ(train::lr_at_step(s, base, 99, 100, 10), base / 90);  // last step
  EXPECT_EQ(train::lr_at_step(s, base, 100, 100, 10), 0.0);              // end
  EXPECT_DOUBLE_EQ(train::lr_at_step(s, base, 0, 100, 0), base);         // no warm-up
  EXPECT_DOUBLE_EQ(train::lr_at_step(s, base, 50, 100, 0), base / 2);
  EXPECT_TRUE(train::per_step(s));
  EXPECT_FALSE(train::per_step(grid::LrSchedule{}));
}

TEST(LinearSchedule, WarmupRatioRoundsUpAsHuggingFace) {
  auto s = linear();
  s.warmup_ratio = 0.1;
  EXPECT_EQ(train::warmup_steps_of(s, 25), 3);  // ceil(2.5)
  EXPECT_EQ(train::warmup_steps_of(s, 30), 3);
  EXPECT_EQ(train::warmup_steps_of(s, 31), 4);  // ceil(3.1)
  s.warmup_ratio = 0;
  s.warmup_steps = 7;
  EXPECT_EQ(train::warmup_steps_of(s, 25), 7);
}

TEST(LinearSchedule, StepsCountOverThePhaseEpochs) {
  grid::TrainConfig c;
  c.lr = 0.3;
  c.lr_schedule = linear();
  c.lr_schedule.warmup_steps = 2;
  // 3 epochs of 4 steps: 12 steps, warm-up 2; epoch 2 step 1 is the phase's step 5.
  EXPECT_DOUBLE_EQ(train::lr_of_step(c, 1, 3, 4, 1), 0.15);
  EXPECT_DOUBLE_EQ(train::lr_of_step(c, 2, 3, 4, 1), 0.3 * 7 / 10);
  EXPECT_DOUBLE_EQ(train::lr_of_step(c, 3, 3, 4, 3), 0.3 / 10);
  c.lr_schedule = grid::LrSchedule{};  // step 0.5 0.75: the epoch's lr at every step
  EXPECT_DOUBLE_EQ(train::lr_of_step(c, 3, 3, 4, 2), train::lr_at(c.lr_schedule, 0.3, 3, 3));
}

TEST(AdamW, OneStepDecaysTheWeightOnlyDecoupled) {
  TinyNet net;
  grid::TrainConfig c;
  c.optimizer = "adamw";
  c.lr = 0.1;
  c.weight_decay = 0.01;
  auto opt = train::make_optimizer(net, c);
  ASSERT_EQ(opt->param_groups().size(), 2U);
  net.fc_->weight.mutable_grad() = torch::tensor({{0.5F, -0.25F}});
  net.fc_->bias.mutable_grad() = torch::tensor({2.0F});
  opt->step();
  // Step 1: m = 0.1 g, v = 0.001 g^2, bias corrections 0.1 and 0.001, so the Adam update is
  // lr * g / (|g| + eps); the weight is first scaled by 1 - lr * wd = 0.999, the bias is not.
  const double eps = 1e-8;
  const auto w = net.fc_->weight.detach();
  EXPECT_NEAR(w[0][0].item<double>(), 0.999 - 0.1 * 0.5 / (0.5 + eps), 1e-7);
  EXPECT_NEAR(w[0][1].item<double>(), -1.998 + 0.1 * 0.25 / (0.25 + eps), 1e-7);
  EXPECT_NEAR(net.fc_->bias.detach()[0].item<double>(), 0.5 - 0.1 * 2 / (2 + eps), 1e-7);
  // set_lr reaches both groups.
  train::set_lr(*opt, 0.02);
  for (auto& group : opt->param_groups()) EXPECT_DOUBLE_EQ(group.options().get_lr(), 0.02);
}

TEST(AdamW, SgdKeepsOneGroupAndItsOptions) {
  TinyNet net;
  grid::TrainConfig c;
  auto opt = train::make_optimizer(net, c);
  auto* sgd = dynamic_cast<torch::optim::SGD*>(opt.get());
  ASSERT_NE(sgd, nullptr);
  ASSERT_EQ(sgd->param_groups().size(), 1U);
  const auto& o = static_cast<const torch::optim::SGDOptions&>(sgd->param_groups()[0].options());
  EXPECT_EQ(o.momentum(), 0.9);
  EXPECT_EQ(o.weight_decay(), 5e-4);
  train::set_lr(*opt, 0.125);
  EXPECT_EQ(o.lr(), 0.125);
}

TEST(ClipGradients, ScalesTheGlobalNormToTheMaximum) {
  auto a = torch::zeros({2}, torch::requires_grad());
  auto b = torch::zeros({1}, torch::requires_grad());
  auto no_grad = torch::zeros({3}, torch::requires_grad());
  a.mutable_grad() = torch::tensor({3.0F, 0.0F});
  b.mutable_grad() = torch::tensor({4.0F});  // global norm 5
  const auto a0 = a.grad().clone(), b0 = b.grad().clone();
  train::clip_gradients({a, b, no_grad}, 1.0);
  EXPECT_NEAR(a.grad()[0].item<double>(), 0.6, 1e-6);
  EXPECT_EQ(a.grad()[1].item<double>(), 0.0);
  EXPECT_NEAR(b.grad()[0].item<double>(), 0.8, 1e-6);
  EXPECT_FALSE(no_grad.grad().defined());
  // Bitwise what torch::nn::utils::clip_grad_norm_ does.
  auto c = torch::zeros({2}, torch::requires_grad()), d = torch::zeros({1}, torch::requires_grad());
  c.mutable_grad() = a0.clone();
  d.mutable_grad() = b0.clone();
  torch::nn::utils::clip_grad_norm_(std::vector<torch::Tensor>{c, d}, 1.0);
  EXPECT_TRUE(torch::equal(a.grad(), c.grad()));
  EXPECT_TRUE(torch::equal(b.grad(), d.grad()));
  // Below the maximum nothing changes.
  a.mutable_grad() = a0.clone();
  b.mutable_grad() = b0.clone();
  train::clip_gradients({a, b}, 10.0);
  EXPECT_TRUE(torch::equal(a.grad(), a0));
  EXPECT_TRUE(torch::equal(b.grad(), b0));
}

namespace {

const grid::Task& adamw_teacher(const grid::TaskGraph& g) {
  for (const auto& t : g.tasks)
    if (t.kind == "teacher") return t;
  throw std::runtime_error("no teacher");
}

// The teacher trains with the BERT recipe's keys.
grid::TaskGraph adamw_graph() {
  return train::testing::tiny_kd_graph(
      "[teacher]\noptimizer = adamw\nlr = 0.002\nweight_decay = 0.01\nlr_schedule = linear\n"
      "warmup_ratio = 0.2\nmax_grad_norm = 0.5\n");
}

}  // namespace

// adamw + linear warm-up/decay + clipping, stopped at step boundaries (mid-epoch, epoch start) and
// resumed: the finished run equals the uninterrupted one bit for bit (AdamW's moments and step
// counts are in resume.pt), and the lr curve is the linear schedule's at each epoch's last step.
TEST(AdamW, InterruptAndResumeIsBitwiseIdentical) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("kdbench-adamw-" + std::to_string(::getpid())))
          .string();
  auto data = train::testing::quadrant_data(123, 96, 40, 40);
  results::Artifacts artifacts{dir};
  train::TrainEnv env;
  env.data = &data;
  env.artifacts = &artifacts;
  env.threads = 1;
  torch::set_num_threads(1);
  const auto graph = adamw_graph();
  const auto& teacher = adamw_teacher(graph);
  const auto load_final = [&] {
    auto net = models::make("cnn4", 4, data.shape);
    train::load_net(*net, artifacts.path_for(teacher.key, "final.pt"));
    return train::snapshot(*net);
  };
  const auto reference = train::run_task(teacher, env);
  const auto reference_weights = load_final();
  // 6 steps per epoch, 12 in all, ceil(2.4) = 3 of warm-up: the epochs end at steps 5 and 11.
  EXPECT_EQ(reference.curves.lr, (std::vector<double>{0.002 * (7.0 / 9), 0.002 * (1.0 / 9)}));
  EXPECT_EQ(reference.config.at("adam_eps"), 1e-8);
  EXPECT_EQ(reference.config.at("max_grad_norm"), 0.5);
  EXPECT_EQ(reference.config.at("warmup_ratio"), 0.2);
  for (int stop_at : {2, 6, 9}) {  // in the warm-up, at epoch 2's start, in the decay
    SCOPED_TRACE("stop at step " + std::to_string(stop_at));
    int steps = 0;
    train::TrainEnv interrupted = env;
    interrupted.should_stop = [&] { return ++steps > stop_at; };
    EXPECT_THROW(train::run_task(teacher, interrupted), train::Interrupted);
    ASSERT_TRUE(artifacts.exists(teacher.key, train::kResumeFile));
    const auto resumed = train::run_task(teacher, env);
    EXPECT_EQ(resumed.curves.train_loss, reference.curves.train_loss);
    EXPECT_EQ(resumed.curves.val_acc, reference.curves.val_acc);
    EXPECT_EQ(resumed.curves.lr, reference.curves.lr);
    const auto weights = load_final();
    for (const auto& [name, tensor] : reference_weights)
      EXPECT_TRUE(torch::equal(tensor, weights.at(name))) << name;
  }
  std::filesystem::remove_all(dir);
}
