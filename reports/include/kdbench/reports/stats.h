#pragma once
// Significance tests of a method against the nokd baseline over seeds (issue 4). Implemented here
// rather than taken from a library: the only special function needed is the regularized
// incomplete beta function, and reports must not add dependencies.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kdbench::reports {

// I_x(a, b) for a, b > 0 and x in [0, 1] (continued fraction, modified Lentz; relative accuracy
// ~1e-14). NaN for arguments outside that domain (no exception: callers test for it).
double regularized_incomplete_beta(double a, double b, double x);

// P(T <= t) for Student's t distribution with df > 0 degrees of freedom (df may be fractional,
// as Welch's test produces). +-infinity give 1 and 0.
double student_t_cdf(double t, double df);

// P(|T| >= |t|): the two-sided p-value of a t statistic.
double two_sided_p(double t, double df);

enum class TestKind { None, PairedT, WelchT };
// "paired t-test" | "Welch's t-test" | "" (plain text, for captions and CSV).
std::string test_name(TestKind kind);

// The outcome of comparing a sample `a` with a baseline `b`. kind None when the test is not
// defined (fewer than two values on a side, or zero variance): no p-value, never significant.
struct TTest {
  TestKind kind = TestKind::None;
  double t = 0;
  double df = 0;
  double p = 1;
  double mean_difference = 0;  // mean(a) - mean(b)
  bool significant(double alpha = 0.05) const { return kind != TestKind::None && p < alpha; }
};

// a[i] and b[i] are the same seed. Needs n >= 2 and differences that are not all equal.
TTest paired_t_test(const std::vector<double>& a, const std::vector<double>& b);
// Unequal variances, Welch–Satterthwaite degrees of freedom. Needs n >= 2 on both sides and a
// non-zero standard error.
TTest welch_t_test(const std::vector<double>& a, const std::vector<double>& b);

// (seed, value) samples of a method and of its baseline. Paired by seed when both hold the same
// seeds, each once; Welch's test otherwise (e.g. a seed still running on one side).
TTest compare_with_baseline(const std::vector<std::pair<int64_t, double>>& method,
                            const std::vector<std::pair<int64_t, double>>& baseline);

}  // namespace kdbench::reports
