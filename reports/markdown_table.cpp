#include <sstream>

#include "kdbench/reports/table_model.h"

namespace kdbench::reports {
namespace {

std::string cell_markdown(const TableCell& cell) {
  std::string out = markdown_escape(cell.text);
  if (cell.bold && !out.empty()) out = "**" + out + "**";
  out += markdown_escape(cell.marker);
  if (!cell.note.empty()) out += " " + markdown_escape(cell.note);
  return out;
}

std::string row_markdown(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const auto& c : cells) out += " " + c + " |";
  return out + "\n";
}

std::string alignment(char a) {
  if (a == 'r') return "---:";
  if (a == 'c') return ":---:";
  return ":---";
}

}  // namespace

std::string markdown_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|' || c == '*' || c == '_' || c == '`' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string render_markdown(const TableModel& table) {
  const size_t columns = table.header.size();
  std::vector<std::string> names;
  for (const auto& h : table.header) names.push_back(markdown_escape(h));
  // Fold group titles into the names below them.
  size_t column = 0;
  for (const auto& group : table.groups) {
    for (size_t i = 0; i < group.span && column < columns; ++i, ++column) {
      if (!group.title.empty()) names[column] = markdown_escape(group.title) + " " + names[column];
    }
  }
  std::ostringstream md;
  md << "### " << markdown_escape(table.title) << "\n\n"
     << markdown_escape(table.caption) << "\n\n"
     << row_markdown(names);
  std::vector<std::string> rule;
  for (size_t i = 0; i < columns; ++i) {
    rule.push_back(alignment(i < table.align.size() ? table.align[i] : 'l'));
  }
  md << row_markdown(rule);
  for (const auto& section : table.sections) {
    if (!section.title.empty()) {
      std::vector<std::string> title_row(columns);
      title_row[0] = "*" + markdown_escape(section.title) + "*";
      md << row_markdown(title_row);
    }
    for (const auto& row : section.rows) {
      std::vector<std::string> cells;
      for (const auto& cell : row) cells.push_back(cell_markdown(cell));
      md << row_markdown(cells);
    }
  }
  return md.str();
}

}  // namespace kdbench::reports
