#include "method_test_support.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kdbench/methods/registry.h"

namespace kdbench::methods::testing {

const nlohmann::json& golden() {
  static const nlohmann::json data = [] {
    const std::string path = std::string(KDBENCH_SOURCE_DIR) + "/tests/data/golden_losses.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return nlohmann::json::parse(in);
  }();
  return data;
}

namespace {

void flatten(const nlohmann::json& node, std::vector<double>& values, std::vector<int64_t>& shape,
             size_t depth) {
  if (!node.is_array()) {
    values.push_back(node.get<double>());
    return;
  }
  if (shape.size() == depth) shape.push_back(static_cast<int64_t>(node.size()));
  for (const auto& child : node) flatten(child, values, shape, depth + 1);
}

}  // namespace

torch::Tensor tensor_from_json(const nlohmann::json& rows) {
  std::vector<double> values;
  std::vector<int64_t> shape;
  flatten(rows, values, shape, 0);
  return torch::tensor(values, torch::kFloat64).reshape(shape);
}

torch::Tensor labels_from_json(const nlohmann::json& values) {
  return torch::tensor(values.get<std::vector<int64_t>>(), torch::kInt64);
}

ParamMap params_from_json(const nlohmann::json& object) {
  ParamMap out;
  for (const auto& [k, v] : object.items()) out[k] = v.get<std::string>();
  return out;
}

TrainShape shape_from_json(const nlohmann::json& object) {
  TrainShape s;
  s.epochs = object.at("epochs").get<int>();
  s.batch_size = object.at("batch_size").get<int>();
  s.num_classes = object.at("num_classes").get<int>();
  return s;
}

StepContext step_from_json(const nlohmann::json& o) {
  return step_at(o.at("epoch").get<int>(), o.at("total_epochs").get<int>(),
                 o.at("phase_index").get<int>(), o.at("phase_epoch").get<int>(),
                 o.at("phase_epochs").get<int>());
}

StepContext step_at(int epoch, int total_epochs, int phase_index, int phase_epoch,
                    int phase_epochs) {
  StepContext s;
  s.epoch.epoch = epoch;
  s.epoch.total_epochs = total_epochs;
  s.epoch.phase_index = phase_index;
  s.epoch.phase_epoch = phase_epoch < 0 ? epoch : phase_epoch;
  s.epoch.phase_epochs = phase_epochs < 0 ? total_epochs : phase_epochs;
  return s;
}

std::unique_ptr<Method> make_method(const std::string& name, const ParamMap& params,
                                    const TrainShape& shape) {
  return builtin().make(name, params, shape);
}

LossAndGrad loss_and_grad(const Method& method, const torch::Tensor& student,
                          const torch::Tensor& teacher, const torch::Tensor& labels,
                          const StepContext& ctx) {
  auto zs = student.detach().clone().requires_grad_(true);
  auto loss = method.loss(zs, teacher, labels, ctx);
  loss.backward();
  return {loss.item<double>(), zs.grad()};
}

::testing::AssertionResult all_close(const torch::Tensor& actual, const torch::Tensor& expected,
                                     double rtol, double atol) {
  if (!actual.defined() || actual.sizes() != expected.sizes())
    return ::testing::AssertionFailure() << "shape mismatch";
  const auto a = actual.to(torch::kFloat64).flatten();
  const auto e = expected.to(torch::kFloat64).flatten();
  for (int64_t i = 0; i < a.size(0); ++i) {
    const double x = a[i].item<double>(), y = e[i].item<double>();
    if (!(std::abs(x - y) <= rtol * std::abs(y) + atol))
      return ::testing::AssertionFailure()
             << "element " << i << ": " << x << " vs expected " << y << " (rtol " << rtol << ")";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult near_rel(double actual, double expected, double rtol, double atol) {
  if (std::abs(actual - expected) <= rtol * std::abs(expected) + atol)
    return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(17);
  os << actual << " vs expected " << expected << " (rtol " << rtol << ")";
  return ::testing::AssertionFailure() << os.str();
}

}  // namespace kdbench::methods::testing
