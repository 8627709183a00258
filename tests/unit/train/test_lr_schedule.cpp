#include <gtest/gtest.h>

#include <cmath>

#include "kdbench/train/lr_schedule.h"

using kdbench::grid::LrSchedule;
using kdbench::train::lr_at;

TEST(LrSchedule, StepDecaysAfterEachMilestoneEpoch) {
  LrSchedule s;  // step at 50% and 75%, gamma 0.1
  // 10 epochs: milestones after epoch 5 and after epoch 8 (round(7.5) = 8).
  const double expected[] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001};
  for (int e = 1; e <= 10; ++e) EXPECT_NEAR(lr_at(s, 0.1, e, 10), expected[e - 1], 1e-15) << "epoch " << e;
}

TEST(LrSchedule, CosineAndConstant) {
  LrSchedule s;
  s.kind = "cosine";
  EXPECT_DOUBLE_EQ(lr_at(s, 0.2, 1, 4), 0.2);
  EXPECT_NEAR(lr_at(s, 0.2, 3, 4), 0.1, 1e-15);  // cos(pi/2) = 0
  EXPECT_NEAR(lr_at(s, 0.2, 4, 4), 0.2 * 0.5 * (1 + std::cos(M_PI * 0.75)), 1e-15);
  s.kind = "constant";
  EXPECT_DOUBLE_EQ(lr_at(s, 0.3, 7, 9), 0.3);
}
