#pragma once
// Lookup of published reference numbers (kdbench/reports/paper_numbers.h) for the tables.
#include <string>
#include <vector>

#include "kdbench/reports/paper_numbers.h"

namespace kdbench::reports {

// The built-in table (reports/paper_numbers.cpp).
const std::vector<PaperNumber>& paper_numbers();

// The published number of a (dataset, teacher, student, method) setup: `user`'s (a
// --paper-numbers file) before the built-in table's; nullptr if none. For takd, `assistants` must
// match the paper's TA path (space-separated models between T and S). An entry with a named
// teacher wins over an unnamed one (kUnnamedTeacher, which matches every teacher and TA path).
const PaperNumber* paper_entry(const std::vector<PaperNumber>& user, const std::string& dataset,
                               const std::string& teacher, const std::string& student,
                               const std::string& method, const std::string& assistants = "");

}  // namespace kdbench::reports
