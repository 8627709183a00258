#pragma once
// CSV rendering (RFC 4180): tidy tables, one observation per line, for pandas/R users.
#include <string>
#include <vector>

#include "reports/capacity_gap.h"

namespace kdbench::reports {

// Quotes a field when it holds a comma, a quote or a line break (quotes doubled).
std::string csv_field(const std::string& text);
std::string csv_line(const std::vector<std::string>& fields);  // ends with "\n"

// Columns: student, teacher, teacher_params, teacher_acc_mean, teacher_acc_std, teacher_acc_n,
// method, mean, std, n. One line per (student, teacher, method), missing cells included with
// n = 0 and empty mean/std. Accuracies in percent with 4 decimals; teacher_params empty when
// unknown.
std::string capacity_gap_csv(const CapacityGapTable& table);

}  // namespace kdbench::reports
