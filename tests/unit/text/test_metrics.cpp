// Expected values computed by hand (the arithmetic is in the comments); the sklearn value of its
// matthews_corrcoef docstring example; scipy is not installed here to cross-check.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kdbench/core/errors.h"
#include "kdbench/text/metrics.h"

using namespace kdbench;
using namespace kdbench::text;

namespace {
using Ints = std::vector<int64_t>;
using Reals = std::vector<double>;
// TP 3 (0, 1, 6), FP 1 (2), TN 3 (3, 4, 7), FN 1 (5).
const Ints kPredicted = {1, 1, 1, 0, 0, 0, 1, 0};
const Ints kTrue = {1, 1, 0, 0, 0, 1, 1, 0};
}  // namespace

TEST(Metrics, Accuracy) {
  EXPECT_DOUBLE_EQ(accuracy({1, 0, 1, 1}, {1, 1, 1, 0}), 0.5);
  EXPECT_DOUBLE_EQ(accuracy(kPredicted, kTrue), 0.75);
  EXPECT_DOUBLE_EQ(accuracy({2}, {2}), 1.0);
}

TEST(Metrics, MatthewsCorrelation) {
  // (TP*TN - FP*FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (9 - 1) / sqrt(4^4) = 0.5
  EXPECT_DOUBLE_EQ(matthews_correlation(kPredicted, kTrue), 0.5);
  // sklearn's docstring: y_true [+1, +1, +1, -1], y_pred [+1, -1, +1, +1] → -0.33...
  EXPECT_NEAR(matthews_correlation({1, -1, 1, 1}, {1, 1, 1, -1}), -1.0 / 3.0, 1e-15);
  // Multi-class: 4 of 6 correct, every class count 2: (4*6 - 12) / sqrt((36-12)(36-12)) = 0.5
  EXPECT_DOUBLE_EQ(matthews_correlation({0, 2, 1, 0, 1, 2}, {0, 1, 2, 0, 1, 2}), 0.5);
  EXPECT_DOUBLE_EQ(matthews_correlation({1, 0, 1}, {1, 0, 1}), 1.0);
  EXPECT_DOUBLE_EQ(matthews_correlation({0, 1, 0}, {1, 0, 1}), -1.0);
  // Undefined (a constant side): 0, as sklearn.
  EXPECT_DOUBLE_EQ(matthews_correlation({1, 1, 1, 1}, {1, 0, 1, 0}), 0.0);
  EXPECT_DOUBLE_EQ(matthews_correlation({1, 0, 1, 0}, {0, 0, 0, 0}), 0.0);
}

TEST(Metrics, BinaryF1) {
  // 2TP / (2TP + FP + FN) = 6 / 8
  EXPECT_DOUBLE_EQ(binary_f1(kPredicted, kTrue), 0.75);
  EXPECT_DOUBLE_EQ(binary_f1({1, 1}, {1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(binary_f1({0, 0}, {0, 0}), 0.0);  // no positive at all: sklearn's 0
  EXPECT_DOUBLE_EQ(binary_f1({1, 0}, {0, 1}), 0.0);
  EXPECT_THROW(binary_f1({0, 2}, {0, 1}), DataError);
  try {
    binary_f1({0, 1}, {0, -1});
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "F1: class -1 at example 1 (binary F1 takes classes 0 and 1)");
  }
}

TEST(Metrics, Pearson) {
  // dx = -2 -1 0 1 2, dy = -2 0 1 0 1: 6 / sqrt(10 * 6)
  EXPECT_NEAR(pearson({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5}), 6.0 / std::sqrt(60.0), 1e-15);
  EXPECT_DOUBLE_EQ(pearson({1, 2, 3}, {2, 4, 6}), 1.0);
  EXPECT_DOUBLE_EQ(pearson({1, 2, 3}, {3, 2, 1}), -1.0);
  EXPECT_DOUBLE_EQ(pearson({1, 2, 3}, {5, 5, 5}), 0.0);  // undefined: 0
  EXPECT_DOUBLE_EQ(pearson({7}, {1}), 0.0);
}

TEST(Metrics, SpearmanAveragesTiedRanks) {
  // ranks y = 1 2.5 4.5 2.5 4.5: dy = -2 -.5 1.5 -.5 1.5, sxy = 7, syy = 9, sxx = 10
  EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5}), 7.0 / std::sqrt(90.0), 1e-15);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3}, {1, 8, 27}), 1.0);  // monotone, not linear
  EXPECT_DOUBLE_EQ(spearman({3, 1, 2}, {-1, 10, 0}), -1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 1, 1}, {1, 2, 3}), 0.0);
}

TEST(Metrics, BadInputIsADataError) {
  EXPECT_THROW(accuracy({}, {}), DataError);
  EXPECT_THROW(matthews_correlation({}, {}), DataError);
  EXPECT_THROW(binary_f1({}, {}), DataError);
  EXPECT_THROW(pearson({}, {}), DataError);
  EXPECT_THROW(spearman({}, {}), DataError);
  EXPECT_THROW(accuracy({1, 0}, {1}), DataError);
  EXPECT_THROW(pearson({1, std::nan("")}, {1, 2}), DataError);
  EXPECT_THROW(spearman({1, 2}, {std::numeric_limits<double>::infinity(), 2}), DataError);
  try {
    accuracy({1, 0}, {1});
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "accuracy: 2 predictions for 1 labels");
  }
}
