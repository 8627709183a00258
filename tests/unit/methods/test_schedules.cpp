// Schedules epoch by epoch: Annealing-KD's Phi, Continuation-KD's T / phi / psi (with the T >= 1
// clamp), DKD's warm-up and Pro-KD's teacher checkpoints and temperatures. Reference sequences
// are simulated step by step in tests/data/make_golden_losses.py; spot checks are by hand.
#include <gtest/gtest.h>

#include <sstream>

#include "kdbench/core/errors.h"
#include "kdbench/methods/annealing.h"
#include "kdbench/methods/continuation.h"
#include "kdbench/methods/dkd.h"
#include "kdbench/methods/prokd.h"
#include "method_test_support.h"

namespace kdbench::methods::testing {
namespace {

TEST(AnnealingSchedule, PhiMatchesSimulatedScheduleEveryEpoch) {
  for (const auto& s : golden().at("schedules").at("annealing_phi")) {
    const int e1 = s.at("e1"), tau_max = s.at("tau_max");
    const auto& phi = s.at("phi");
    ASSERT_EQ(phi.size(), static_cast<size_t>(e1));
    for (int e = 1; e <= e1; ++e)
      EXPECT_DOUBLE_EQ(annealing_phi(e, e1, tau_max), phi[e - 1].get<double>())
          << "E1 " << e1 << " tau_max " << tau_max << " epoch " << e;
  }
}

TEST(AnnealingSchedule, HandCheckedValues) {
  // CIFAR default: E1 = 200, tau_max = 10 -> k = 20: Phi steps 0.1, 0.2, ... on epochs 1, 21, ...
  EXPECT_DOUBLE_EQ(annealing_phi(1, 200, 10), 0.1);
  EXPECT_DOUBLE_EQ(annealing_phi(20, 200, 10), 0.1);
  EXPECT_DOUBLE_EQ(annealing_phi(21, 200, 10), 0.2);
  EXPECT_DOUBLE_EQ(annealing_phi(181, 200, 10), 1.0);
  EXPECT_DOUBLE_EQ(annealing_phi(180, 200, 10), 0.9);
  // E1 = 25, tau_max = 10 -> k = 2: t reaches 10 at epoch 19 and Phi stays clamped at 1.
  EXPECT_DOUBLE_EQ(annealing_phi(18, 25, 10), 0.9);
  EXPECT_DOUBLE_EQ(annealing_phi(19, 25, 10), 1.0);
  EXPECT_DOUBLE_EQ(annealing_phi(25, 25, 10), 1.0);
  EXPECT_THROW(annealing_phi(1, 9, 10), ConfigError);
}

TEST(AnnealingSchedule, PhasesAreStageOneWithTeacherThenFreshStageTwo) {
  for (const std::string name : {"annealing", "combined"}) {
    const auto m = make_method(name, {{"stage2_epochs", "7"}}, {30, 8, 10});
    const auto phases = m->phases(30);
    ASSERT_EQ(phases.size(), 2u) << name;
    EXPECT_EQ(phases[0].name, "stage1");
    EXPECT_EQ(phases[0].epochs, 30);  // defaults to the grid's epochs
    EXPECT_TRUE(phases[0].uses_teacher);
    EXPECT_FALSE(phases[0].start_from_best_of_previous);
    EXPECT_FALSE(phases[0].fresh_optimizer);
    EXPECT_EQ(phases[1].name, "stage2");
    EXPECT_EQ(phases[1].epochs, 7);
    EXPECT_FALSE(phases[1].uses_teacher);
    EXPECT_TRUE(phases[1].start_from_best_of_previous);
    EXPECT_TRUE(phases[1].fresh_optimizer);
  }
}

TEST(ContinuationSchedule, TemperaturePhiPsiMatchSimulatedScheduleEveryEpoch) {
  for (const auto& s : golden().at("schedules").at("continuation")) {
    const int n = s.at("anneal_epochs"), t_max = s.at("t_max"), psi_epochs = s.at("psi_epochs");
    const int saturate_after = s.at("psi_saturate_after");
    const auto kind =
        s.at("psi").get<std::string>() == "step" ? PsiSchedule::Step : PsiSchedule::Linear;
    const auto& temps = s.at("T");
    for (size_t i = 0; i < temps.size(); ++i) {
      const int epoch = static_cast<int>(i) + 1;
      const int t = continuation_temperature(epoch, n, t_max);
      EXPECT_EQ(t, temps[i].get<int>()) << "n " << n << " epoch " << epoch;
      EXPECT_DOUBLE_EQ(continuation_phi(t, t_max), s.at("phi")[i].get<double>());
      EXPECT_DOUBLE_EQ(continuation_psi(epoch, kind, psi_epochs, saturate_after),
                       s.at("psi_values")[i].get<double>());
    }
  }
}

TEST(ContinuationSchedule, ClampKeepsTemperatureAtOneAndPsiStartsAtZero) {
  // n = 10, T_max = 10 -> k = 1: T = 10, 9, ..., 1 on epochs 1..10, then clamped (the unclamped
  // schedule would reach 0 and negative T, phi > 1).
  EXPECT_EQ(continuation_temperature(1, 10, 10), 10);
  EXPECT_EQ(continuation_temperature(10, 10, 10), 1);
  EXPECT_EQ(continuation_temperature(11, 10, 10), 1);
  EXPECT_EQ(continuation_temperature(40, 10, 10), 1);
  EXPECT_DOUBLE_EQ(continuation_phi(1, 10), 1.0);
  EXPECT_DOUBLE_EQ(continuation_phi(10, 10), 0.1);
  // CIFAR: n = 200, T_max = 20 -> k = 10.
  EXPECT_EQ(continuation_temperature(10, 200, 20), 20);
  EXPECT_EQ(continuation_temperature(11, 200, 20), 19);
  EXPECT_EQ(continuation_temperature(200, 200, 20), 1);
  EXPECT_DOUBLE_EQ(continuation_psi(1, PsiSchedule::Linear, 150), 0.0);
  EXPECT_DOUBLE_EQ(continuation_psi(76, PsiSchedule::Linear, 150), 0.5);
  EXPECT_DOUBLE_EQ(continuation_psi(151, PsiSchedule::Linear, 150), 1.0);
  EXPECT_DOUBLE_EQ(continuation_psi(200, PsiSchedule::Linear, 150), 1.0);
  EXPECT_DOUBLE_EQ(continuation_psi(1, PsiSchedule::Step, 20), 0.0);
  EXPECT_DOUBLE_EQ(continuation_psi(20, PsiSchedule::Step, 20), 0.0);
  EXPECT_DOUBLE_EQ(continuation_psi(21, PsiSchedule::Step, 20), 1.0);
  // GLUE: psi_epochs = 40, saturating after epoch 21 (20 when counted from 0).
  EXPECT_DOUBLE_EQ(continuation_psi(21, PsiSchedule::Linear, 40, 21), 0.5);
  EXPECT_DOUBLE_EQ(continuation_psi(22, PsiSchedule::Linear, 40, 21), 1.0);
}

TEST(DkdSchedule, WarmupIsOneIndexedAndSaturates) {
  for (const auto& s : golden().at("schedules").at("dkd_warmup")) {
    const int warmup = s.at("warmup");
    const auto& factor = s.at("factor");
    for (size_t i = 0; i < factor.size(); ++i)
      EXPECT_DOUBLE_EQ(dkd_warmup_factor(static_cast<int>(i) + 1, warmup), factor[i].get<double>());
  }
  EXPECT_DOUBLE_EQ(dkd_warmup_factor(1, 20), 0.05);  // epoch 1 already distills a little
  EXPECT_DOUBLE_EQ(dkd_warmup_factor(20, 20), 1.0);
  EXPECT_DOUBLE_EQ(dkd_warmup_factor(200, 20), 1.0);
}

TEST(ProkdSchedule, CheckpointsAndTemperaturesMatchEveryEpoch) {
  for (const auto& s : golden().at("schedules").at("prokd")) {
    const int e_t = s.at("teacher_epochs"), e_s = s.at("student_epochs"), every = s.at("every");
    const double tau_max = s.at("tau_max");
    std::ostringstream tau_text;
    tau_text << tau_max;
    const auto m = make_method("prokd", {{"teacher_checkpoint_every", std::to_string(every)},
                                         {"tau_max", tau_text.str()}});
    for (int e = 1; e <= e_s; ++e) {
      EpochContext ctx;
      ctx.epoch = ctx.phase_epoch = e;
      ctx.total_epochs = ctx.phase_epochs = e_s;
      EXPECT_EQ(m->teacher_checkpoint(ctx, e_t), s.at("checkpoint")[e - 1].get<int>())
          << "E_T " << e_t << " E_S " << e_s << " every " << every << " epoch " << e;
      EXPECT_DOUBLE_EQ(prokd_temperature(e, e_s, tau_max), s.at("tau")[e - 1].get<double>());
    }
    EXPECT_EQ(m->required_teacher_checkpoints(e_t, e_s), s.at("required").get<std::vector<int>>());
  }
}

TEST(ProkdSchedule, HandCheckedValues) {
  // E_T = 30, E_S = 20: epoch 1 -> ceil(1.5) = 2, epoch 3 -> ceil(4.5) = 5; last -> final.
  EXPECT_EQ(prokd_teacher_epoch(1, 20, 30, 1), 2);
  EXPECT_EQ(prokd_teacher_epoch(3, 20, 30, 1), 5);
  EXPECT_EQ(prokd_teacher_epoch(20, 20, 30, 1), 30);
  // Saved every 4 epochs: 5 rounds up to 8; 29 would round to 32 and is capped at E_T = 30.
  EXPECT_EQ(prokd_teacher_epoch(3, 20, 30, 4), 8);
  EXPECT_EQ(prokd_teacher_epoch(19, 20, 30, 4), 30);
  EXPECT_DOUBLE_EQ(prokd_temperature(1, 20, 4.0), 4.0);
  EXPECT_DOUBLE_EQ(prokd_temperature(20, 20, 4.0), 1.0);
  EXPECT_DOUBLE_EQ(prokd_temperature(3, 5, 5.0), 3.0);
  EXPECT_EQ(make_method("prokd")->variant(), "trajectory-stretch");
}

}  // namespace
}  // namespace kdbench::methods::testing
