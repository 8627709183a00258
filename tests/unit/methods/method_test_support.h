#pragma once
// Shared helpers of test_methods: the golden file written by tests/data/make_golden_losses.py,
// float64 tensors from JSON, contexts, and a tolerance check.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "kdbench/methods/method.h"

namespace kdbench::methods::testing {

// tests/data/golden_losses.json, parsed once.
const nlohmann::json& golden();

torch::Tensor tensor_from_json(const nlohmann::json& rows);    // float64, any nesting depth
torch::Tensor labels_from_json(const nlohmann::json& values);  // int64
ParamMap params_from_json(const nlohmann::json& object);       // values are strings
TrainShape shape_from_json(const nlohmann::json& object);
StepContext step_from_json(const nlohmann::json& object);

StepContext step_at(int epoch, int total_epochs, int phase_index = 0, int phase_epoch = -1,
                    int phase_epochs = -1);

std::unique_ptr<Method> make_method(const std::string& name, const ParamMap& params = {},
                                    const TrainShape& shape = {20, 8, 10});

// Loss and d loss / d student logits of one view.
struct LossAndGrad {
  double value;
  torch::Tensor grad;
};
LossAndGrad loss_and_grad(const Method& method, const torch::Tensor& student,
                          const torch::Tensor& teacher, const torch::Tensor& labels,
                          const StepContext& ctx);

// |actual - expected| <= rtol |expected| + atol, element by element, with a readable failure.
::testing::AssertionResult all_close(const torch::Tensor& actual, const torch::Tensor& expected,
                                     double rtol, double atol = 1e-12);
::testing::AssertionResult near_rel(double actual, double expected, double rtol,
                                    double atol = 1e-12);

}  // namespace kdbench::methods::testing
