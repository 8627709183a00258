// Every method against tests/data/golden_losses.json: loss value and d loss / d student logits
// computed by an independent plain-PyTorch implementation of docs/methods.md (float64, 1e-6 rtol).
#include <gtest/gtest.h>

#include "kdbench/methods/registry.h"
#include "method_test_support.h"

namespace kdbench::methods::testing {
namespace {

constexpr double kRtol = 1e-6;

// One test per method (each ctest entry is a process; LibTorch start-up is not free), looping
// over that method's reference cases.
class GoldenLoss : public ::testing::TestWithParam<std::string> {};

void check_case(const nlohmann::json& c) {
  const auto method = make_method(c.at("method").get<std::string>(),
                                  params_from_json(c.at("params")), shape_from_json(c.at("shape")));
  const auto ctx = step_from_json(c.at("context"));
  const auto& inputs = golden().at("inputs");
  std::vector<torch::Tensor> students, teachers;
  for (const auto& view : c.at("views")) {
    const auto& in = inputs.at(view.get<std::string>());
    students.push_back(tensor_from_json(in.at("student")).requires_grad_(true));
    teachers.push_back(tensor_from_json(in.at("teacher")));
  }
  const auto labels = labels_from_json(inputs.at(c.at("views")[0].get<std::string>()).at("labels"));

  // Single-view cases go through loss(); the views protocol must give the same number.
  torch::Tensor loss;
  if (students.size() == 1 && !method->perturbs_inputs()) {
    loss = method->loss(students[0], teachers[0], labels, ctx);
    const auto via_views = method->loss_on_views(students, teachers, labels, ctx);
    EXPECT_EQ(via_views.item<double>(), loss.item<double>());
  } else {
    loss = method->loss_on_views(students, teachers, labels, ctx);
  }
  ASSERT_EQ(loss.dim(), 0);
  EXPECT_EQ(loss.scalar_type(), torch::kFloat64);
  loss.backward();
  EXPECT_TRUE(near_rel(loss.item<double>(), c.at("loss").get<double>(), kRtol));
  const auto& grads = c.at("grads");
  ASSERT_EQ(grads.size(), students.size());
  for (size_t v = 0; v < students.size(); ++v)
    EXPECT_TRUE(all_close(students[v].grad(), tensor_from_json(grads[v]), kRtol)) << "view " << v;
}

TEST_P(GoldenLoss, ValuesAndGradientsMatchReference) {
  int checked = 0;
  for (const auto& c : golden().at("cases")) {
    if (c.at("method").get<std::string>() != GetParam()) continue;
    SCOPED_TRACE("golden case " + c.at("name").get<std::string>());
    check_case(c);
    ++checked;
  }
  EXPECT_GE(checked, 2) << "too few reference cases for " << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Methods, GoldenLoss, ::testing::ValuesIn(builtin().names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(GoldenLossCoverage, EveryReferenceCaseNamesARegisteredMethod) {
  for (const auto& c : golden().at("cases"))
    EXPECT_TRUE(builtin().contains(c.at("method").get<std::string>())) << c.at("name");
}

}  // namespace
}  // namespace kdbench::methods::testing
