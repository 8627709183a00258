#include "kdbench/text/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

#include "kdbench/core/errors.h"

namespace kdbench::text {
namespace {

template <typename T>
void check_sizes(const char* metric, const std::vector<T>& a, const std::vector<T>& b) {
  if (a.empty()) throw DataError(std::string(metric) + ": no examples (an empty split?)");
  if (a.size() != b.size()) {
    throw DataError(std::string(metric) + ": " + std::to_string(a.size()) + " predictions for " +
                    std::to_string(b.size()) + " labels");
  }
}

// Average ranks, 1-based: tied values share the mean of the ranks they span.
std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i + 1;
    while (j < order.size() && values[order[j]] == values[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + j + 1);  // mean of i+1 .. j
    for (std::size_t k = i; k < j; ++k) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}

}  // namespace

double accuracy(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels) {
  check_sizes("accuracy", predictions, labels);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) correct += predictions[i] == labels[i];
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

double matthews_correlation(const std::vector<int64_t>& predictions,
                            const std::vector<int64_t>& labels) {
  check_sizes("Matthews correlation", predictions, labels);
  // sklearn's multi-class form: (c*s - sum_k p_k t_k) / sqrt((s^2 - sum p_k^2)(s^2 - sum t_k^2))
  // with c correct, s samples, p_k predicted and t_k true counts of class k.
  std::map<int64_t, double> predicted, truth;
  double correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    predicted[predictions[i]] += 1;
    truth[labels[i]] += 1;
    correct += predictions[i] == labels[i];
  }
  const double s = static_cast<double>(labels.size());
  double pt = 0, pp = 0, tt = 0;
  for (const auto& [k, p] : predicted) {
    pp += p * p;
    const auto it = truth.find(k);
    if (it != truth.end()) pt += p * it->second;
  }
  for (const auto& [k, t] : truth) tt += t * t;
  const double denominator = (s * s - pp) * (s * s - tt);
  if (denominator == 0) return 0.0;
  return (correct * s - pt) / std::sqrt(denominator);
}

double binary_f1(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels) {
  check_sizes("F1", predictions, labels);
  double tp = 0, fp = 0, fn = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    for (int64_t v : {predictions[i], labels[i]}) {
      if (v != 0 && v != 1) {
        throw DataError("F1: class " + std::to_string(v) + " at example " + std::to_string(i) +
                        " (binary F1 takes classes 0 and 1)");
      }
    }
    tp += predictions[i] == 1 && labels[i] == 1;
    fp += predictions[i] == 1 && labels[i] == 0;
    fn += predictions[i] == 0 && labels[i] == 1;
  }
  if (tp == 0) return 0.0;
  return 2 * tp / (2 * tp + fp + fn);
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  check_sizes("Pearson correlation", x, y);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
      throw DataError("Pearson correlation: non-finite value at example " + std::to_string(i));
    }
  }
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return 0.0;
  // Rounding can push |r| a hair past 1 for perfectly correlated inputs.
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  check_sizes("Spearman correlation", x, y);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
      throw DataError("Spearman correlation: non-finite value at example " + std::to_string(i));
    }
  }
  return pearson(average_ranks(x), average_ranks(y));
}

}  // namespace kdbench::text
