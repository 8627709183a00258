// The t distribution and the t-tests against independently computed values. Reference numbers
// were computed with mpmath 1.2.1 at 40 significant digits (scipy is not installed here):
//   I_x(a,b) = mpmath.betainc(a, b, 0, x, regularized=True)
//   t CDF    = 1 - I_{df/(df+t^2)}(df/2, 1/2) / 2 for t > 0 (the other tail for t < 0)
// and cross-checked with closed forms (df = 1 Cauchy, df = 2, integer a and b binomial sums)
// and the classic critical value t_{0.975, 10} = 2.228138851986274.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kdbench/reports/stats.h"

using namespace kdbench::reports;

TEST(Stats, IncompleteBetaMatchesMpmath) {
  struct Case {
    double a, b, x, expected;
  };
  const Case cases[] = {
      {0.5, 0.5, 0.3, 0.36901011956554538},  {2, 3, 0.4, 0.5248},
      {5, 0.5, 0.9, 0.31664291502001231},    {10, 20, 0.25, 0.16630494959787945},
      {0.1, 7.5, 0.01, 0.80163573394836377}, {50, 60, 0.45, 0.46423529143060363},
      {1.5, 0.5, 0.999, 0.9597433418849682},
  };
  for (const auto& c : cases) {
    EXPECT_NEAR(regularized_incomplete_beta(c.a, c.b, c.x), c.expected, 1e-13)
        << "a=" << c.a << " b=" << c.b << " x=" << c.x;
  }
}

TEST(Stats, IncompleteBetaClosedForms) {
  // I_x(a, 1) = x^a; I_x(1, b) = 1 - (1-x)^b; I_x(a, b) = 1 - I_{1-x}(b, a).
  for (double x : {0.01, 0.2, 0.5, 0.77, 0.99}) {
    EXPECT_NEAR(regularized_incomplete_beta(3.5, 1, x), std::pow(x, 3.5), 1e-14);
    EXPECT_NEAR(regularized_incomplete_beta(1, 4.25, x), 1 - std::pow(1 - x, 4.25), 1e-14);
    EXPECT_NEAR(regularized_incomplete_beta(2.5, 7, x),
                1 - regularized_incomplete_beta(7, 2.5, 1 - x), 1e-14);
    // Integer a = 2, b = 3: sum_{j=2}^{4} C(4, j) x^j (1-x)^(4-j).
    const double binomial = 6 * x * x * (1 - x) * (1 - x) + 4 * x * x * x * (1 - x) + x * x * x * x;
    EXPECT_NEAR(regularized_incomplete_beta(2, 3, x), binomial, 1e-14);
  }
  EXPECT_EQ(regularized_incomplete_beta(2, 3, 0), 0);
  EXPECT_EQ(regularized_incomplete_beta(2, 3, 1), 1);
  EXPECT_TRUE(std::isnan(regularized_incomplete_beta(-1, 3, 0.5)));
  EXPECT_TRUE(std::isnan(regularized_incomplete_beta(2, 3, 1.5)));
}

TEST(Stats, StudentTCdfMatchesMpmathAndClosedForms) {
  struct Case {
    double t, df, expected;
  };
  const Case cases[] = {
      {0.5, 1, 0.64758361765043327},    {2.0, 3, 0.93033701572057841},
      {-1.3, 4.5, 0.12809804397201703}, {2.228138851986274, 10, 0.975},
      {3.0, 30, 0.99730501796717403},   {-0.25, 2, 0.41296117202215108},
      {10, 7, 0.99998930289855461},     {1.96, 1000, 0.97486340752212564},
  };
  for (const auto& c : cases) {
    EXPECT_NEAR(student_t_cdf(c.t, c.df), c.expected, 1e-13) << "t=" << c.t << " df=" << c.df;
  }
  const double pi = std::acos(-1.0);
  for (double t : {-40.0, -3.0, -0.1, 0.0, 0.7, 12.0}) {
    EXPECT_NEAR(student_t_cdf(t, 1), 0.5 + std::atan(t) / pi, 1e-14);               // Cauchy
    EXPECT_NEAR(student_t_cdf(t, 2), 0.5 + t / (2 * std::sqrt(t * t + 2)), 1e-14);  // df = 2
    EXPECT_NEAR(student_t_cdf(t, 6.5) + student_t_cdf(-t, 6.5), 1, 1e-14);          // symmetry
  }
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(student_t_cdf(inf, 3), 1);
  EXPECT_EQ(student_t_cdf(-inf, 3), 0);
  EXPECT_TRUE(std::isnan(student_t_cdf(1, 0)));
  EXPECT_NEAR(two_sided_p(2.228138851986274, 10), 0.05, 1e-13);
  EXPECT_NEAR(two_sided_p(-2.228138851986274, 10), 0.05, 1e-13);
  EXPECT_EQ(two_sided_p(0, 4), 1);
}

TEST(Stats, PairedTTestByHand) {
  // Differences 1.0, 1.1, 0.9: mean 1, sample std 0.1, t = 1 / (0.1 / sqrt 3) = 17.3205, df 2,
  // p = 1 - t / sqrt(t^2 + 2) (df = 2 closed form) = 0.0033167587223569856 (mpmath).
  const TTest r = paired_t_test({89.0, 89.6, 88.8}, {88.0, 88.5, 87.9});
  EXPECT_EQ(r.kind, TestKind::PairedT);
  EXPECT_NEAR(r.t, 10 * std::sqrt(3.0), 1e-9);
  EXPECT_EQ(r.df, 2);
  EXPECT_NEAR(r.p, 0.0033167587223569856, 1e-12);
  EXPECT_NEAR(r.mean_difference, 1.0, 1e-12);
  EXPECT_TRUE(r.significant());
  EXPECT_FALSE(r.significant(0.001));
  // Undefined: one pair, or identical differences (no variance).
  EXPECT_EQ(paired_t_test({1}, {0}).kind, TestKind::None);
  EXPECT_EQ(paired_t_test({2, 3, 4}, {1, 2, 3}).kind, TestKind::None);
  EXPECT_FALSE(paired_t_test({2, 3, 4}, {1, 2, 3}).significant());
}

TEST(Stats, WelchTTestByHand) {
  // a = 88.2, 89.0: mean 88.6, var 0.32; b = 88.0, 88.5, 87.9: mean 88.1333, var 0.103333.
  // se^2 = 0.32/2 + 0.103333/3 = 0.194444; t = 0.466667 / 0.440959 = 1.0583005;
  // df = se^4 / ((0.16)^2 / 1 + (0.034444)^2 / 2) = 1.4434520; p = 0.43516249 (mpmath).
  const TTest r = welch_t_test({88.2, 89.0}, {88.0, 88.5, 87.9});
  EXPECT_EQ(r.kind, TestKind::WelchT);
  EXPECT_NEAR(r.t, 1.0583005244258448, 1e-9);
  EXPECT_NEAR(r.df, 1.4434520302594653, 1e-9);
  EXPECT_NEAR(r.p, 0.43516248808814856, 1e-9);
  EXPECT_FALSE(r.significant());
  EXPECT_EQ(welch_t_test({1}, {1, 2}).kind, TestKind::None);
  EXPECT_EQ(welch_t_test({1, 1}, {2, 2}).kind, TestKind::None);  // no variance at all
}

TEST(Stats, BaselineComparisonPairsOnlyMatchingSeeds) {
  const std::vector<std::pair<int64_t, double>> nokd = {{2, 88.5}, {1, 88.0}, {3, 87.9}};
  // Same seeds in another order: paired, seed by seed.
  const TTest paired = compare_with_baseline({{1, 89.0}, {3, 88.8}, {2, 89.6}}, nokd);
  EXPECT_EQ(paired.kind, TestKind::PairedT);
  EXPECT_NEAR(paired.t, 10 * std::sqrt(3.0), 1e-9);
  // A seed missing on one side: Welch.
  const TTest welch = compare_with_baseline({{1, 88.2}, {2, 89.0}}, nokd);
  EXPECT_EQ(welch.kind, TestKind::WelchT);
  EXPECT_NEAR(welch.p, 0.43516248808814856, 1e-9);
  // A seed twice (two records of one seed) cannot be paired either.
  EXPECT_EQ(compare_with_baseline({{1, 89.0}, {1, 89.1}, {3, 88.8}}, nokd).kind, TestKind::WelchT);
  EXPECT_EQ(test_name(TestKind::PairedT), "paired t-test");
  EXPECT_EQ(test_name(TestKind::WelchT), "Welch's t-test");
}
