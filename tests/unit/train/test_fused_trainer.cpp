// Fused runs against solo runs (train::run_fused against train::run_task): every plain logit
// method, per-member seeds, different methods in one group, an augmented member (its own crop
// draws, an online teacher) beside cached-logit members, groups of K = 1, 3 and 4; teachers and a
// TAKD assistant fused for their saved final weights. Curves and weights agree within float32
// summation-order tolerance (grouped against plain convolution, batched against plain matmul),
// and a sample whose prediction flips by such a difference moves an accuracy by 1/n.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/train/fused_trainer.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/trainer.h"
#include "quadrant_data.h"

using namespace kdbench;

namespace {

constexpr double kLossTol = 1e-4;  // relative, above a loss of 1
constexpr double kWeightTol = 1e-4;

// Three channels, so that the channels-last path of the image models is the one compared.
train::PreparedData colour_quadrants() {
  train::PreparedData d = train::testing::quadrant_data(31, 64, 32, 32);
  for (train::Split* s : {&d.train, &d.val, &d.test})
    s->x = torch::cat({s->x, -s->x, s->x * 0.5}, 1);
  d.shape = {3, 12, 12};
  return d;
}

grid::TaskGraph fused_graph() {
  const std::string ini = R"([grid]
data_dir = /unused
teachers = cnn6
students = cnn2
methods = nokd kd takd dkd dist prokd continuation annealing
seeds = 5 6
teacher_seeds = 5 6
[train]
epochs = 2
batch_size = 16
eval_batch_size = 32
lr = 0.05
nesterov = true
augment = false
[method.takd]
assistants = cnn4
[method.continuation]
t_max = 2
[method.annealing]
tau_max = 1
)";
  return grid::expand(grid::parse_grid_text(ini, "fused.ini", grid::ParseOptions{false}));
}

struct FusedFixture : ::testing::Test {
  std::string root =
      (std::filesystem::temp_directory_path() / ("kdbench-fused-" + std::to_string(::getpid())))
          .string();
  train::PreparedData data = colour_quadrants();
  results::Artifacts solo_artifacts{root + "/solo"};
  results::Artifacts fused_artifacts{root + "/fused"};
  grid::TaskGraph graph = fused_graph();
  train::TrainEnv env;
  void SetUp() override {
    env.data = &data;
    env.artifacts = &solo_artifacts;
    torch::set_num_threads(1);
  }
  void TearDown() override { std::filesystem::remove_all(root); }
  const grid::Task& find(const std::string& kind, const std::string& method, int64_t seed) {
    for (const auto& t : graph.tasks)
      if (t.kind == kind && t.method == method && t.seed == seed && t.teacher_checkpoint < 0)
        return t;
    throw std::runtime_error("no task " + kind + " " + method);
  }
};

void expect_same_curves(const results::RunRecord& solo, const results::RunRecord& fused,
                        int64_t n_train, int64_t n_eval, const std::string& who) {
  ASSERT_EQ(fused.curves.epoch, solo.curves.epoch) << who;
  for (size_t e = 0; e < solo.curves.epoch.size(); ++e) {
    const double loss = solo.curves.train_loss[e];
    EXPECT_NEAR(fused.curves.train_loss[e], loss, kLossTol * std::max(1.0, std::abs(loss)))
        << who << " epoch " << e + 1;
    EXPECT_NEAR(fused.curves.train_acc[e], solo.curves.train_acc[e], 1.5 / n_train) << who;
    EXPECT_NEAR(fused.curves.val_acc[e], solo.curves.val_acc[e], 1.5 / n_eval) << who;
    EXPECT_NEAR(fused.curves.test_acc[e], solo.curves.test_acc[e], 1.5 / n_eval) << who;
    EXPECT_DOUBLE_EQ(fused.curves.lr[e], solo.curves.lr[e]) << who;
  }
  EXPECT_EQ(fused.status, results::Status::Done);
  EXPECT_EQ(fused.config.value("teacher_logits", nlohmann::json()),
            solo.config.value("teacher_logits", nlohmann::json()))
      << who;
}

void expect_same_weights(const std::string& a, const std::string& b, const std::string& model,
                         const train::PreparedData& data) {
  const auto na = models::make(model, data.num_classes, data.shape);
  const auto nb = models::make(model, data.num_classes, data.shape);
  train::load_net(*na, a);
  train::load_net(*nb, b);
  for (const auto& p : na->named_parameters())
    EXPECT_TRUE(torch::allclose(p.value(), nb->named_parameters()[p.key()], kWeightTol, kWeightTol))
        << model << " " << p.key();
  for (const auto& p : na->named_buffers())
    EXPECT_TRUE(torch::allclose(p.value().to(torch::kDouble),
                                nb->named_buffers()[p.key()].to(torch::kDouble), kWeightTol,
                                kWeightTol))
        << model << " " << p.key();
}

}  // namespace

TEST_F(FusedFixture, EveryPlainLogitMethodEqualsItsSoloRun) {
  // Teachers and TAKD assistants solo first (the students read them; dependencies come first).
  for (const auto& t : graph.tasks)
    if (t.kind == "teacher" || t.kind == "assistant") train::run_task(t, env);

  std::map<std::string, results::RunRecord> solo;
  std::vector<const grid::Task*> students;
  // Seed-major, so that the groups below mix methods and seeds.
  for (int64_t seed : {5, 6})
    for (const char* method : {"nokd", "kd", "takd", "dkd", "dist", "prokd", "continuation"})
      students.push_back(&find("student", method, seed));
  // An augmented member: its own crop/flip draws and an online teacher.
  grid::Task augmented = find("student", "kd", 6);
  augmented.key += "-augmented";
  augmented.train.augment = true;
  augmented.train.augment_padding = 2;
  students.push_back(&augmented);
  for (const grid::Task* t : students) solo[t->key] = train::run_task(*t, env);

  // Groups of K = 1, 3, 4 and the rest, methods mixed within each.
  std::vector<std::vector<const grid::Task*>> groups{{students[0]}};
  std::vector<const grid::Task*> rest(students.begin() + 1, students.end());
  for (size_t i = 0; i < rest.size();) {
    const size_t k = groups.size() == 1 ? 3 : 4;
    groups.emplace_back(rest.begin() + static_cast<long>(i),
                        rest.begin() + static_cast<long>(std::min(rest.size(), i + k)));
    i += k;
  }
  std::set<std::string> methods_seen;
  for (const auto& group : groups) {
    ASSERT_EQ(train::fuse_refusal(group, env), "");
    const auto records = train::run_fused(group, env);
    ASSERT_EQ(records.size(), group.size());
    for (size_t k = 0; k < group.size(); ++k) {
      methods_seen.insert(group[k]->method);
      expect_same_curves(solo.at(group[k]->key), records[k], data.train.size(), data.val.size(),
                         group[k]->label());
      EXPECT_EQ(records[k].config.at("fused").at("members"), group.size());
      EXPECT_EQ(records[k].config.at("fused").at("with").size(), group.size() - 1);
    }
  }
  EXPECT_EQ(methods_seen,
            (std::set<std::string>{"nokd", "kd", "takd", "dkd", "dist", "prokd", "continuation"}));

  // Saved final weights: two teachers fused, and an assistant alone (K = 1).
  const grid::Task& t5 = find("teacher", "", 5);
  const grid::Task& t6 = find("teacher", "", 6);
  const grid::Task& assistant = find("assistant", "takd", 5);
  train::TrainEnv fused_env = env;
  fused_env.artifacts = &fused_artifacts;
  train::run_fused({&t5, &t6}, fused_env);
  for (const grid::Task* t : {&t5, &t6})
    expect_same_weights(solo_artifacts.path_for(t->key, "final.pt"),
                        fused_artifacts.path_for(t->key, "final.pt"), t->model, data);
  // The assistant reads the solo run's teacher.
  fused_env.artifacts = &solo_artifacts;
  std::filesystem::rename(solo_artifacts.path_for(assistant.key, "final.pt"),
                          root + "/solo-assistant-final.pt");
  train::run_fused({&assistant}, fused_env);
  expect_same_weights(root + "/solo-assistant-final.pt",
                      solo_artifacts.path_for(assistant.key, "final.pt"), assistant.model, data);
}

TEST_F(FusedFixture, RefusesWhatWouldNotEqualItsSoloRun) {
  const grid::Task& kd = find("student", "kd", 5);
  const grid::Task& annealing = find("student", "annealing", 5);
  const grid::Task& assistant = find("assistant", "takd", 5);
  EXPECT_NE(train::fuse_refusal({&annealing}, env).find("has phases"), std::string::npos);
  EXPECT_NE(train::fuse_refusal({&kd, &assistant}, env).find("another model"), std::string::npos);
  grid::Task longer = kd;
  longer.train.epochs = longer.total_epochs = 3;
  EXPECT_NE(train::fuse_refusal({&kd, &longer}, env).find("epochs"), std::string::npos);
  grid::Task clipped = kd;
  clipped.train.max_grad_norm = 1;
  EXPECT_NE(train::fuse_refusal({&clipped}, env).find("clipping"), std::string::npos);
  grid::Task adam = kd;
  adam.train.optimizer = "adamw";
  EXPECT_NE(train::fuse_refusal({&kd, &adam}, env).find("optimizer"), std::string::npos);
  EXPECT_THROW(train::run_fused({&kd, &annealing}, env), ConfigError);
  EXPECT_EQ(train::fuse_refusal({&kd}, env), "");
}
