// Methods fail with kdbench's typed errors: a schedule given impossible arguments is a
// ConfigError (its values come from the grid); inputs a method cannot use at train time (no
// teacher logits, teacher logits of other classes) are a MethodError naming the method. Without
// the shape check a 100-class teacher and a 10-class student fail inside LibTorch (c10::Error).
#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/methods/annealing.h"
#include "kdbench/methods/continuation.h"
#include "kdbench/methods/prokd.h"
#include "kdbench/methods/registry.h"
#include "method_test_support.h"

namespace kdbench::methods::testing {
namespace {

template <typename F>
std::string method_error_of(F&& f) {
  try {
    f();
  } catch (const MethodError& e) {
    return e.what();
  }
  return "(no MethodError)";
}

// The loss of stage I / epoch 1, where every teacher-using method reads teacher logits.
torch::Tensor stage_one_loss(const Method& m, const torch::Tensor& student,
                             const torch::Tensor& teacher, const torch::Tensor& labels) {
  const StepContext ctx = step_at(1, 20, 0, 1, 20);
  if (m.perturbs_inputs()) {
    return m.loss_on_views({student, student}, {teacher, teacher}, labels, ctx);
  }
  return m.loss(student, teacher, labels, ctx);
}

TEST(MethodErrors, SchedulesRejectImpossibleArgumentsAsConfigError) {
  EXPECT_THROW(annealing_phi(0, 10, 5), ConfigError);
  EXPECT_THROW(annealing_phi(1, 10, 0), ConfigError);
  EXPECT_THROW(prokd_teacher_epoch(0, 10, 10, 1), ConfigError);
  EXPECT_THROW(prokd_teacher_epoch(1, 10, 10, 0), ConfigError);
  EXPECT_THROW(prokd_teacher_epoch(1, 0, 10, 1), ConfigError);
  EXPECT_THROW(prokd_temperature(0, 10, 4.0), ConfigError);
  EXPECT_THROW(prokd_temperature(1, 0, 4.0), ConfigError);
  EXPECT_THROW(continuation_temperature(0, 20, 5), ConfigError);
  EXPECT_THROW(continuation_temperature(1, 4, 5), ConfigError);
  try {
    annealing_phi(1, 9, 10);
    FAIL() << "E1 < tau_max accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "annealing_phi: needs phase_epoch >= 1 and e1 >= tau_max >= 1, got "
                 "phase_epoch 1, e1 9, tau_max 10");
  }
}

TEST(MethodErrors, EveryTeacherMethodNamesMissingTeacherLogits) {
  const auto z = torch::randn({4, 10}, torch::kFloat64);
  const auto y = torch::tensor({0, 1, 2, 3});
  int checked = 0;
  for (const auto& name : builtin().names()) {
    const auto m = make_method(name);
    if (!m->uses_teacher()) continue;
    SCOPED_TRACE(name);
    const std::string what = method_error_of([&] { stage_one_loss(*m, z, torch::Tensor(), y); });
    EXPECT_EQ(what, name + ": this phase needs teacher logits but the trainer passed none");
    ++checked;
  }
  EXPECT_EQ(checked, 8);  // every built-in method but nokd
}

TEST(MethodErrors, EveryTeacherMethodRefusesTeacherLogitsOfOtherClasses) {
  const auto student = torch::randn({4, 10}, torch::kFloat64);
  const auto teacher = torch::randn({4, 100}, torch::kFloat64);
  const auto y = torch::tensor({0, 1, 2, 3});
  for (const auto& name : builtin().names()) {
    const auto m = make_method(name);
    if (!m->uses_teacher()) continue;
    SCOPED_TRACE(name);
    EXPECT_EQ(method_error_of([&] { stage_one_loss(*m, student, teacher, y); }),
              name +
                  ": teacher logits have shape [4, 100] but student logits [4, 10] (teacher "
                  "and student must predict the same classes)");
  }
}

TEST(MethodErrors, CombinedRefusesAMismatchedTeacherWhilePerturbing) {
  const auto m = make_method("combined");
  const auto x = torch::randn({2, 3}, torch::kFloat64);
  // Logits that depend on the input (the attack differentiates them), of 10 and 100 classes.
  const ForwardFn student = [](const torch::Tensor& in) {
    return in.sum(1, true) * torch::ones({1, 10}, torch::kFloat64);
  };
  const ForwardFn teacher = [](const torch::Tensor& in) {
    return in.sum(1, true) * torch::ones({1, 100}, torch::kFloat64);
  };
  const std::string what =
      method_error_of([&] { m->input_views(x, student, teacher, step_at(1, 20, 0, 1, 20)); });
  EXPECT_EQ(
      what.rfind("combined: teacher logits have shape [2, 100] but student logits [2, 10]", 0), 0u)
      << what;
}

TEST(MethodErrors, ViewsWithoutStudentLogitsAreAMethodError) {
  const auto y = torch::tensor({0, 1});
  for (const std::string name : {"kd", "combined"}) {
    const auto m = make_method(name);
    EXPECT_THROW(m->loss_on_views({}, {}, y, step_at(1, 20)), MethodError) << name;
  }
}

}  // namespace
}  // namespace kdbench::methods::testing
