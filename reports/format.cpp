#include "format.h"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace kdbench::reports {

std::string fixed(double value, int decimals) {
  if (std::isnan(value)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string out = buf;
  // "-0.00" reads as a loss where there is none.
  if (out.find_first_not_of("-0.") == std::string::npos && out[0] == '-') out.erase(0, 1);
  return out;
}

std::string signed_fixed(double value, int decimals) {
  const std::string magnitude = fixed(std::fabs(value), decimals);
  if (magnitude.find_first_not_of("0.") == std::string::npos) return magnitude;
  return (value < 0 ? "\u2212" : "+") + magnitude;
}

std::string with_thousands(int64_t value) {
  if (value <= 0) return "\u2014";
  const std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string short_count(int64_t value) {
  if (value >= 1000000) {
    const double m = static_cast<double>(value) / 1e6;
    return fixed(m, m < 10 ? 1 : 0) + "M";
  }
  if (value >= 1000) return fixed(static_cast<double>(value) / 1e3, 0) + "k";
  return std::to_string(value);
}

std::string stats_text(const Stats& s) {
  if (s.n == 1) return fixed(s.mean, 2) + " (1)";
  return fixed(s.mean, 2) + " \u00b1 " + fixed(s.std, 2) + " (" + std::to_string(s.n) + ")";
}

std::string seeds_text(const std::vector<int64_t>& seeds) {
  if (seeds.empty()) return "no finished runs yet";
  std::string out = seeds.size() == 1 ? "seed " : "seeds ";
  for (size_t i = 0; i < seeds.size(); ++i) out += (i ? ", " : "") + std::to_string(seeds[i]);
  return out;
}

std::string glue_paper_sentence(const std::string& dataset) {
  if (dataset.rfind("glue-", 0) != 0) return "";
  return " The GLUE papers report the dev set, which kdbench tests on, in the task's metric (the "
         "one of this table).";
}

std::string user_paper_sentence(const std::set<std::string>& sources) {
  if (sources.empty()) return "";
  std::string out = " Published numbers from --paper-numbers: ";
  for (const auto& s : sources) out += (s == *sources.begin() ? "" : "; ") + s;
  return out + ".";
}

std::string file_stem(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    out += std::isalnum(c) || c == '-' ? static_cast<char>(c) : '_';
  }
  return out.empty() ? "_" : out;
}

std::string on_dataset(const std::string& dataset) {
  return dataset.empty() ? "" : " on " + dataset;
}

}  // namespace kdbench::reports
