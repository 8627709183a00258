#include "reports/csv.h"

#include <cstdio>

namespace kdbench::reports {
namespace {

std::string fixed4(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

// mean, std, n, with mean and std empty when there is no data.
std::vector<std::string> stats_fields(const Stats& s) {
  if (s.n == 0) return {"", "", "0"};
  return {fixed4(s.mean), fixed4(s.std), std::to_string(s.n)};
}

}  // namespace

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
  return out + "\n";
}

std::string capacity_gap_csv(const CapacityGapTable& table) {
  std::string csv = csv_line({"student", "teacher", "teacher_params", "teacher_acc_mean",
                              "teacher_acc_std", "teacher_acc_n", "method", "mean", "std", "n"});
  for (const auto& block : table.blocks) {
    for (const auto& row : block.rows) {
      const auto teacher = stats_fields(row.teacher_acc);
      for (size_t m = 0; m < table.methods.size(); ++m) {
        const auto cell = stats_fields(row.cells[m]);
        csv += csv_line({block.student, row.teacher,
                         row.teacher_params > 0 ? std::to_string(row.teacher_params) : "",
                         teacher[0], teacher[1], teacher[2], table.methods[m], cell[0], cell[1],
                         cell[2]});
      }
    }
  }
  return csv;
}

}  // namespace kdbench::reports
