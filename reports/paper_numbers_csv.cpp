// `kdbench report --paper-numbers FILE`: published numbers a user brings, as CSV.
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/reports/paper_numbers.h"

namespace kdbench::reports {
namespace {

constexpr size_t kPaperFields = 7;

// One RFC 4180 record of a single line (a quoted field may hold commas and "" for a quote, not a
// line break: a published number needs none). Empty optional on an unterminated quote.
std::optional<std::vector<std::string>> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) return std::nullopt;
  for (auto& f : fields) f = trim(f);
  return fields;
}

}  // namespace

std::vector<PaperNumber> read_paper_numbers(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read the --paper-numbers file");
  std::vector<PaperNumber> numbers;
  // The setup of each number, to refuse one given twice (which of the two would be shown?).
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, int> seen;
  std::string line;
  int line_no = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // files written on Windows
    const std::string at = path + ":" + std::to_string(line_no) + ": ";
    if (trim(line).empty() || starts_with(trim(line), "#")) continue;
    if (!header) {
      if (trim(line) != kPaperNumbersHeader) {
        throw ConfigError(at + "the first line must be the header '" + kPaperNumbersHeader +
                          "', not '" + trim(line) + "'");
      }
      header = true;
      continue;
    }
    const auto fields = csv_fields(line);
    if (!fields) throw ConfigError(at + "a quoted field is not closed");
    if (fields->size() != kPaperFields) {
      throw ConfigError(at + std::to_string(fields->size()) + " fields, expected " +
                        std::to_string(kPaperFields) + " (" + kPaperNumbersHeader + ")");
    }
    PaperNumber n;
    n.dataset = (*fields)[0], n.teacher = (*fields)[1], n.student = (*fields)[2];
    n.method = (*fields)[3], n.assistants = (*fields)[4], n.source = (*fields)[6];
    n.origin = path + ":" + std::to_string(line_no);
    const std::vector<std::pair<const char*, const std::string*>> required = {
        {"dataset", &n.dataset},
        {"teacher", &n.teacher},
        {"student", &n.student},
        {"method", &n.method},
        {"source", &n.source}};
    for (const auto& [name, value] : required) {
      if (value->empty()) {
        throw ConfigError(at + "field '" + name + "' is empty (teacher: a model or '" +
                          kUnnamedTeacher + "' for a paper that names none)");
      }
    }
    if (!n.assistants.empty() && n.method != "takd") {
      throw ConfigError(at + "field 'assistants' is '" + n.assistants + "' but method is '" +
                        n.method + "': only takd has a TA path");
    }
    const std::string& acc = (*fields)[5];
    try {
      n.accuracy = parse_double(acc, "accuracy");
    } catch (const ConfigError&) {
      n.accuracy = NAN;
    }
    if (!(n.accuracy >= 0 && n.accuracy <= 100)) {
      throw ConfigError(at + "field 'accuracy' is '" + acc +
                        "': a percentage in [0, 100] is allowed");
    }
    const auto setup = std::make_tuple(n.dataset, n.teacher, n.student, n.method, n.assistants);
    if (const auto [it, fresh] = seen.emplace(setup, line_no); !fresh) {
      throw ConfigError(at + "the setup (" + n.dataset + ", " + n.teacher + " -> " + n.student +
                        ", " + n.method + ") is already given on line " +
                        std::to_string(it->second));
    }
    numbers.push_back(std::move(n));
  }
  if (!header) {
    throw ConfigError(path + ": empty; the first line must be the header '" + kPaperNumbersHeader +
                      "'");
  }
  return numbers;
}

}  // namespace kdbench::reports
