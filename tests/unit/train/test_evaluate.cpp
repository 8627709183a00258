// evaluate() on a regression split (STS-B): the network's one output against the float targets,
// scored by Pearson (or Spearman) with the values computed by hand below, accuracy NaN.
#include <gtest/gtest.h>

#include <cmath>

#include "kdbench/core/errors.h"
#include "kdbench/train/evaluate.h"

namespace kdbench::train {
namespace {

// Outputs the id of the first token after [CLS], so the outputs are known exactly.
struct FirstTokenNet : models::NetImpl {
  torch::Tensor forward(const models::Inputs& in) override {
    return in.input_ids.select(1, 1).to(torch::kFloat).unsqueeze(1);
  }
};

PreparedData regression_data(const std::string& metric) {
  PreparedData d;
  d.text = true;
  d.num_classes = 1;
  d.metric = metric;
  Split s;
  s.x = torch::tensor({2, 5, 3, 2, 6, 3, 2, 7, 3, 2, 9, 3}, torch::kInt).view({4, 3});
  s.token_types = torch::zeros({4, 3}, torch::kUInt8);
  s.lengths = torch::full({4}, 3, torch::kLong);
  s.y = torch::tensor({1.0f, 2.0f, 2.0f, 5.0f});
  d.train = d.val = d.test = s;
  return d;
}

TEST(EvaluateRegression, PearsonOfTheOutputsWithTheTargets) {
  // outputs (5, 6, 7, 9), targets (1, 2, 2, 5): deviations (-1.75, -0.75, 0.25, 2.25) and
  // (-1.5, -0.5, -0.5, 2.5); r = 8.5 / sqrt(8.75 * 9).
  FirstTokenNet net;
  const PreparedData d = regression_data("pearson");
  ASSERT_TRUE(d.regression());
  for (int64_t batch : {1, 3, 8}) {
    const Scores s = evaluate(net, d, d.val, batch);
    EXPECT_NEAR(s.metric, 8.5 / std::sqrt(8.75 * 9), 1e-12) << "batch " << batch;
    EXPECT_TRUE(std::isnan(s.accuracy));
  }
}

TEST(EvaluateRegression, SpearmanRanksWithTiesAveraged) {
  // ranks (1, 2, 3, 4) and (1, 2.5, 2.5, 4): r = 4.5 / sqrt(5 * 4.5).
  FirstTokenNet net;
  const PreparedData d = regression_data("spearman");
  EXPECT_NEAR(evaluate(net, d, d.test, 3).metric, 4.5 / std::sqrt(5 * 4.5), 1e-12);
}

TEST(EvaluateRegression, AClassMetricCannotScoreARegression) {
  FirstTokenNet net;
  const PreparedData d = regression_data("matthews");
  EXPECT_THROW(evaluate(net, d, d.val, 4), ConfigError);
}

}  // namespace
}  // namespace kdbench::train
