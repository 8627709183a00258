#include "kdbench/reports/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace kdbench::reports {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The continued fraction of I_x(a, b) (Numerical Recipes §6.4, evaluated with the modified Lentz
// method); converges fast for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-15;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1;
  double d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    // Even step.
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kEps) break;
  }
  return h;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double sample_variance(const std::vector<double>& v, double mean) {
  double squares = 0;
  for (double x : v) squares += (x - mean) * (x - mean);
  return squares / static_cast<double>(v.size() - 1);
}

}  // namespace

double regularized_incomplete_beta(double a, double b, double x) {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1)) return kNaN;
  if (x == 0 || x == 1) return x;
  // log of x^a (1-x)^b / B(a, b), the factor in front of the continued fraction.
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  // Symmetry I_x(a, b) = 1 - I_{1-x}(b, a) keeps the continued fraction in its fast region.
  return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

double student_t_cdf(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  if (std::isinf(t)) return t > 0 ? 1 : 0;
  // P(|T| >= |t|) = I_{df/(df+t^2)}(df/2, 1/2); each tail holds half of it.
  const double tail = 0.5 * regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t));
  return t > 0 ? 1 - tail : tail;
}

double two_sided_p(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  if (std::isinf(t)) return 0;
  return regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

std::string test_name(TestKind kind) {
  switch (kind) {
    case TestKind::PairedT:
      return "paired t-test";
    case TestKind::WelchT:
      return "Welch's t-test";
    case TestKind::None:
      return "";
  }
  return "";
}

TTest paired_t_test(const std::vector<double>& a, const std::vector<double>& b) {
  TTest result;
  if (a.size() != b.size() || a.size() < 2) return result;
  std::vector<double> diff(a.size());
  for (size_t i = 0; i < a.size(); ++i) diff[i] = a[i] - b[i];
  const double mean = mean_of(diff);
  const double var = sample_variance(diff, mean);
  result.mean_difference = mean;
  if (!(var > 0)) return result;  // identical differences: t is undefined (or infinite)
  result.kind = TestKind::PairedT;
  result.df = static_cast<double>(diff.size() - 1);
  result.t = mean / std::sqrt(var / static_cast<double>(diff.size()));
  result.p = two_sided_p(result.t, result.df);
  return result;
}

TTest welch_t_test(const std::vector<double>& a, const std::vector<double>& b) {
  TTest result;
  if (a.size() < 2 || b.size() < 2) return result;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double ma = mean_of(a), mb = mean_of(b);
  const double qa = sample_variance(a, ma) / na, qb = sample_variance(b, mb) / nb;
  result.mean_difference = ma - mb;
  if (!(qa + qb > 0)) return result;
  result.kind = TestKind::WelchT;
  result.t = (ma - mb) / std::sqrt(qa + qb);
  result.df = (qa + qb) * (qa + qb) / (qa * qa / (na - 1) + qb * qb / (nb - 1));
  result.p = two_sided_p(result.t, result.df);
  return result;
}

TTest compare_with_baseline(const std::vector<std::pair<int64_t, double>>& method,
                            const std::vector<std::pair<int64_t, double>>& baseline) {
  auto sorted = [](std::vector<std::pair<int64_t, double>> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  const auto m = sorted(method), b = sorted(baseline);
  std::set<int64_t> method_seeds, baseline_seeds;
  for (const auto& [seed, value] : m) method_seeds.insert(seed);
  for (const auto& [seed, value] : b) baseline_seeds.insert(seed);
  const bool unique = method_seeds.size() == m.size() && baseline_seeds.size() == b.size();
  std::vector<double> mv, bv;
  for (const auto& [seed, value] : m) mv.push_back(value);
  for (const auto& [seed, value] : b) bv.push_back(value);
  if (unique && method_seeds == baseline_seeds) return paired_t_test(mv, bv);
  return welch_t_test(mv, bv);
}

}  // namespace kdbench::reports
