#pragma once
// Small string helpers shared by the grid parser, the CLI and the readers. Numeric parsers throw
// ConfigError naming `what` (a key such as "train.lr") and the offending text.
#include <cstdint>
#include <string>
#include <vector>

namespace kdbench {

std::string trim(const std::string& s);
std::vector<std::string> split_ws(const std::string& s);  // split on spaces/tabs/commas
std::string join(const std::vector<std::string>& parts, const std::string& sep);
bool starts_with(const std::string& s, const std::string& prefix);

double parse_double(const std::string& text, const std::string& what);
int64_t parse_int(const std::string& text, const std::string& what);
bool parse_bool(const std::string& text, const std::string& what);

// Formats 1234567 as "1,234,567" (parameter counts in plans and tables).
std::string with_thousands(int64_t n);

}  // namespace kdbench
