// Parameter reading and validation: defaults from docs/methods.md recorded with the reduction,
// unknown keys, ranges, bad text, and the cross-checks against TrainShape, with message text.
#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/methods/registry.h"
#include "method_test_support.h"

namespace kdbench::methods::testing {
namespace {

std::string config_error(const std::string& method, const ParamMap& params,
                         const TrainShape& shape = {20, 8, 10}) {
  try {
    make_method(method, params, shape);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no ConfigError>";
}

TEST(MethodParams, RegistryListsEveryMethodOnce) {
  EXPECT_EQ(builtin().names(),
            (std::vector<std::string>{"nokd", "kd", "takd", "annealing", "prokd", "continuation",
                                      "combined", "dkd", "dist"}));
  for (const auto& name : builtin().names()) EXPECT_EQ(make_method(name)->name(), name);
  EXPECT_EQ(config_error("fitnets", {}),
            "unknown method 'fitnets' (known: nokd kd takd annealing prokd continuation combined "
            "dkd dist)");
}

TEST(MethodParams, DefaultsAreRecordedWithTheReduction) {
  const TrainShape shape{40, 64, 100};
  auto json = [&](const std::string& m) { return make_method(m, {}, shape)->params_json(); };
  EXPECT_EQ(json("nokd"), nlohmann::json::object());
  EXPECT_EQ(json("kd"), nlohmann::json::parse(
                            R"({"temperature": 4.0, "alpha": 0.9, "reduction": "batchmean"})"));
  EXPECT_EQ(
      json("takd"),
      nlohmann::json::parse(R"({"lambda": 0.5, "temperature": 5.0, "reduction": "elementmean"})"));
  EXPECT_EQ(json("annealing"),
            nlohmann::json::parse(R"({"tau_max": 10, "stage1_epochs": 40, "stage2_epochs": 40,
                                      "reduction": "elementmean"})"));
  EXPECT_EQ(json("prokd"),
            nlohmann::json::parse(R"({"alpha": 0.9, "tau_max": 4.0, "teacher_checkpoint_every": 1,
                                      "reduction": "batchmean"})"));
  EXPECT_EQ(json("continuation"),
            nlohmann::json::parse(R"({"t_max": 20, "margin": 1.0, "psi": "linear",
                                      "psi_epochs": 30, "psi_saturate_after": 0,
                                      "anneal_epochs": 40,
                                      "reduction": "elementmean"})"));
  EXPECT_EQ(json("combined"),
            nlohmann::json::parse(R"({"tau_max": 10, "stage1_epochs": 40, "stage2_epochs": 40,
                                      "reduction": "elementmean", "adv_steps": 1,
                                      "epsilon": 0.03})"));
  EXPECT_EQ(json("dkd"), nlohmann::json::parse(R"({"alpha": 1.0, "beta": 8.0, "temperature": 4.0,
                                                   "warmup": 20, "reduction": "batchmean"})"));
  EXPECT_EQ(json("dist"), nlohmann::json::parse(R"({"beta": 2.0, "gamma": 2.0, "temperature": 4.0,
                                                    "eps": 1e-8, "reduction": "mean"})"));
  EXPECT_EQ(make_method("combined")->variant(), "vision-adversarial");
  EXPECT_EQ(make_method("kd")->variant(), "standard");
}

TEST(MethodParams, ExplicitValuesOverrideDefaults) {
  const auto m = make_method("continuation", {{"t_max", "10"},
                                              {"psi", "step"},
                                              {"psi_epochs", "12"},
                                              {"margin", "0"},
                                              {"reduction", "batchmean"}});
  const auto j = m->params_json();
  EXPECT_EQ(j.at("t_max"), 10);
  EXPECT_EQ(j.at("psi"), "step");
  EXPECT_EQ(j.at("psi_epochs"), 12);
  EXPECT_EQ(j.at("margin"), 0.0);
  EXPECT_EQ(j.at("reduction"), "batchmean");
}

TEST(MethodParams, UnknownKeysAreRejectedListingTheAllowedOnes) {
  EXPECT_EQ(config_error("kd", {{"temperatur", "4"}}),
            "[method.kd] unknown key 'temperatur' (allowed: alpha reduction temperature)");
  EXPECT_EQ(config_error("dkd", {{"gamma", "1"}}),
            "[method.dkd] unknown key 'gamma' (allowed: alpha beta reduction temperature warmup)");
  EXPECT_EQ(config_error("nokd", {{"alpha", "1"}}),
            "[method.nokd] unknown key 'alpha' (this method takes no parameters)");
}

TEST(MethodParams, TakdAcceptsAssistantsWithoutRecordingThem) {
  const auto m = make_method("takd", {{"assistants", "resnet56 resnet20"}, {"lambda", "0.2"}});
  EXPECT_FALSE(m->params_json().contains("assistants"));
  EXPECT_EQ(m->params_json().at("lambda"), 0.2);
  EXPECT_EQ(config_error("takd", {{"assistant", "resnet20"}}),
            "[method.takd] unknown key 'assistant' (allowed: assistants lambda reduction "
            "temperature)");
}

TEST(MethodParams, OutOfRangeAndMalformedValuesNameTheKey) {
  EXPECT_EQ(config_error("takd", {{"lambda", "1.5"}}),
            "[method.takd] lambda: 1.5 is out of range [0, 1]");
  EXPECT_EQ(config_error("prokd", {{"tau_max", "0.5"}}),
            "[method.prokd] tau_max: 0.5 is out of range [1, 1000]");
  EXPECT_EQ(config_error("dkd", {{"warmup", "0"}}),
            "[method.dkd] warmup: 0 is out of range [1, 1000000]");
  EXPECT_EQ(config_error("continuation", {{"margin", "-1"}}),
            "[method.continuation] margin: -1 is out of range [0, 1e+06]");
  EXPECT_EQ(config_error("annealing", {{"tau_max", "2.5"}}),
            "[method.annealing] tau_max: '2.5' is not an integer");
  EXPECT_EQ(config_error("dist", {{"beta", "two"}}),
            "[method.dist] beta: 'two' is not a finite number");
  EXPECT_EQ(config_error("continuation", {{"psi", "cosine"}}),
            "[method.continuation] psi: 'cosine' is not allowed (allowed: linear step)");
  EXPECT_EQ(config_error("takd", {{"reduction", "sum"}}),
            "[method.takd] reduction: 'sum' is not allowed (allowed: elementmean batchmean)");
  EXPECT_EQ(config_error("dkd", {{"reduction", "elementmean"}}),
            "[method.dkd] reduction: 'elementmean' is not allowed (allowed: batchmean)");
  EXPECT_EQ(config_error("combined", {{"adv_steps", "0"}}),
            "[method.combined] adv_steps: 0 is out of range [1, 1000]");
}

TEST(MethodParams, CrossChecksAgainstTheTrainShape) {
  // Annealing-KD: E1 defaults to the grid's epochs and must be >= tau_max.
  EXPECT_EQ(config_error("annealing", {}, {5, 8, 10}),
            "[method.annealing] stage1_epochs: 5 is less than tau_max = 10 (stage I must last at "
            "least tau_max epochs; it defaults to the grid's epochs)");
  EXPECT_EQ(config_error("annealing", {{"stage1_epochs", "3"}, {"tau_max", "4"}}),
            "[method.annealing] stage1_epochs: 3 is less than tau_max = 4 (stage I must last at "
            "least tau_max epochs; it defaults to the grid's epochs)");
  EXPECT_NO_THROW(make_method("annealing", {{"tau_max", "5"}}, {5, 8, 10}));
  EXPECT_EQ(config_error("combined", {}, {9, 8, 10})
                .rfind("[method.combined] stage1_epochs: 9 is less than tau_max = 10", 0),
            0u);
  EXPECT_EQ(config_error("continuation", {}, {10, 8, 10}),
            "[method.continuation] anneal_epochs: 10 is less than t_max = 20 (T steps down every "
            "floor(anneal_epochs / t_max) epochs; anneal_epochs defaults to the grid's epochs)");
  EXPECT_NO_THROW(make_method("continuation", {{"anneal_epochs", "20"}}, {10, 8, 10}));
  EXPECT_EQ(config_error("dist", {}, {20, 1, 10}),
            "[method.dist] needs batch_size >= 2 (its intra-class term correlates each class "
            "across the batch), got batch_size = 1");
  EXPECT_NO_THROW(make_method("dist", {}, {20, 2, 10}));
  EXPECT_EQ(config_error("dkd", {}, {20, 8, 1}),
            "[method.dkd] needs at least 2 classes (target vs non-target), got 1");
}

}  // namespace
}  // namespace kdbench::methods::testing
