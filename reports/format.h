#pragma once
// Number and list formatting shared by tables, CSV and figures (plain UTF-8 text).
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "kdbench/reports/aggregate.h"

namespace kdbench::reports {

// Fixed-point with `decimals` digits ("87.31"); NaN prints as "nan".
std::string fixed(double value, int decimals);
// With an explicit sign, a real minus sign (U+2212) for negatives: "+0.85", "−0.20", "0.00".
std::string signed_fixed(double value, int decimals);
// 1234567 -> "1,234,567"; "—" when unknown (<= 0).
std::string with_thousands(int64_t value);
// 78042 -> "78k", 1730714 -> "1.7M", 950 -> "950" (figure tick labels).
std::string short_count(int64_t value);
// "87.31 ± 0.42 (3)"; a single run has no spread: "87.31 (1)".
std::string stats_text(const Stats& s);
// "seeds 1, 2, 3" / "seed 1" / "no finished runs yet".
std::string seeds_text(const std::vector<int64_t>& seeds);
// " on cifar10" for captions and titles; "" when the dataset is unknown.
std::string on_dataset(const std::string& dataset);
// " GLUE numbers are the papers' dev-set scores ..." for a GLUE dataset's caption; "" otherwise.
std::string glue_paper_sentence(const std::string& dataset);
// " Published numbers from --paper-numbers: A; B." for a caption; "" when no source is given.
std::string user_paper_sentence(const std::set<std::string>& sources);
// A name usable in file names on every system: letters, digits and '-'; others become '_'.
std::string file_stem(const std::string& name);

}  // namespace kdbench::reports
