#pragma once
// A table as data, before it becomes LaTeX or Markdown: every table of the report is built once
// as a TableModel (table_views.h) and rendered by the same two functions, so the .tex and .md of
// a table always hold the same cells. Text is plain UTF-8 (±, →, —, ×, †, ‡ included); each
// renderer escapes and translates it.
#include <cstddef>
#include <string>
#include <vector>

namespace kdbench::reports {

struct TableCell {
  std::string text;
  bool bold = false;
  std::string marker;  // printed as a superscript after the text (significance)
  std::string note;    // printed small after the text (published number)
};

// A plain cell: not bold, no marker, no note.
inline TableCell text_cell(const std::string& text) { return TableCell{text, false, "", ""}; }

// Rows under an optional italic title row (one block of teacher rows per student, ...).
struct TableSection {
  std::string title;
  std::vector<std::vector<TableCell>> rows;
};

// A header cell spanning `span` columns above the column names ("cnn2" over its methods).
struct ColumnGroup {
  std::string title;  // "" = no group over these columns
  size_t span = 1;
};

struct TableModel {
  std::string label;                // LaTeX \label (tab:...)
  std::string title;                // starts the caption; the Markdown heading
  std::string caption;              // the rest of the caption (protocol, seeds, markers)
  std::string align;                // one of l / r / c per column
  std::vector<ColumnGroup> groups;  // empty, or spans summing to the number of columns
  std::vector<std::string> header;
  std::vector<TableSection> sections;
};

// A booktabs `table` float that compiles in any document loading booktabs (wide tables switch to
// a smaller font, so they fit a landscape page).
std::string render_latex(const TableModel& table);
// A GitHub-flavoured Markdown table under a "### title" heading and the caption; group titles are
// folded into the column names ("cnn2 kd") and section titles become italic rows.
std::string render_markdown(const TableModel& table);

// LaTeX text-mode escaping of ASCII specials (& % $ # _ { } ~ ^ \ < > | and the -- ligature) and
// translation of the UTF-8 symbols tables use (± → × — – † ‡ ≥ ≤ ·) into commands, under any
// font encoding.
std::string latex_escape(const std::string& text);
// Markdown escaping of | * _ ` and backslash, so names print as they are inside table cells.
std::string markdown_escape(const std::string& text);

}  // namespace kdbench::reports
