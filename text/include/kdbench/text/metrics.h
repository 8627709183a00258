#pragma once
// The GLUE metrics of the text tasks (docs/text.md): accuracy (SST-2, MNLI, QNLI, RTE), Matthews
// correlation (CoLA), binary F1 (MRPC, QQP), Pearson and Spearman correlation (STS-B). Each throws
// DataError on empty input or inputs of different lengths.
#include <cstdint>
#include <vector>

namespace kdbench::text {

double accuracy(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels);

// Multi-class Matthews correlation (sklearn's matthews_corrcoef). 0 when undefined: when the
// predictions or the labels are all one class (sklearn returns 0 there too).
double matthews_correlation(const std::vector<int64_t>& predictions,
                            const std::vector<int64_t>& labels);

// F1 of the positive class 1; labels and predictions must be 0 or 1. 0 when there is no true or
// predicted positive (sklearn's zero_division default).
double binary_f1(const std::vector<int64_t>& predictions, const std::vector<int64_t>& labels);

// Pearson correlation. 0 when undefined (either input constant), where scipy returns NaN: a
// constant regressor scores like an uncorrelated one. Throws DataError on non-finite values.
double pearson(const std::vector<double>& x, const std::vector<double>& y);

// Spearman correlation: Pearson of the ranks, ties getting their average rank (scipy's
// spearmanr). 0 when undefined, like pearson().
double spearman(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace kdbench::text
