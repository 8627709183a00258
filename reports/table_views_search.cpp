// The checkpoint-search and TA-path tables.
#include "format.h"
#include "kdbench/reports/table_views.h"

namespace kdbench::reports {
namespace {

TableCell teacher_cell(const Stats& s) { return text_cell(s.n == 0 ? "\u2014" : stats_text(s)); }

std::string epoch_text(const CheckpointRow& row) {
  if (row.checkpoint >= 0) return std::to_string(row.checkpoint);
  return row.epoch > 0 ? "final (" + std::to_string(row.epoch) + ")" : "final";
}

}  // namespace

std::vector<TableModel> checkpoint_search_views(const CheckpointSearchTable& table) {
  std::vector<TableModel> views;
  const ScoreNames score = score_names(table.task_metric);
  for (const auto& block : table.blocks) {
    TableModel view;
    view.label = "tab:checkpoint-search-" + file_stem(block.teacher);
    view.title =
        "Checkpoint search, teacher " + block.teacher +
        (block.teacher_params > 0 ? " (" + with_thousands(block.teacher_params) + " params)"
                                  : std::string()) +
        (table.dataset.empty() ? "" : " on " + table.dataset);
    view.caption =
        "Rows: teacher checkpoints (the teacher epoch distilled from and the teacher's own "
        "validation and test " +
        score.name + " (" + score.unit +
        ") there, over teacher seeds); final: the fully trained "
        "teacher. Columns: student and method. " +
        protocol_sentence(table.metric, table.task_metric, table.seeds, "Student") +
        " Bold: best checkpoint of each column. \u2014 pending, \u00d7 failed.";
    view.align = "lcc" + std::string(block.columns.size(), 'c');
    view.groups.push_back({"", 3});
    view.header = {"Epoch", "Teacher val", "Teacher test"};
    for (size_t c = 0; c < block.columns.size(); ++c) {
      const auto& column = block.columns[c];
      if (c > 0 && block.columns[c - 1].student == column.student) {
        ++view.groups.back().span;
      } else {
        view.groups.push_back({"Student " + column.student, 1});
      }
      view.header.push_back(column.method);
    }
    TableSection section;
    for (const auto& row : block.rows) {
      std::vector<TableCell> cells = {text_cell(epoch_text(row)), teacher_cell(row.teacher_val),
                                      teacher_cell(row.teacher_test)};
      for (const auto& cell : row.cells) cells.push_back(result_cell(cell));
      section.rows.push_back(std::move(cells));
    }
    view.sections.push_back(std::move(section));
    views.push_back(std::move(view));
  }
  return views;
}

TableModel takd_paths_view(const TakdPathsTable& table) {
  TableModel view;
  view.label = "tab:ta-paths";
  view.title = "Teacher-assistant paths" + (table.dataset.empty() ? "" : " on " + table.dataset);
  const ScoreNames score = score_names(table.task_metric);
  view.caption =
      (score.is_accuracy() ? std::string("Accuracy") : score.name) + " (" + score.unit +
      ") of every model along each TAKD chain: the teacher's own runs, each teacher "
      "assistant (TA, trained by KD along the chain), the student trained through the chain "
      "(TAKD), the same student distilled directly from the teacher (kd) and trained alone "
      "(nokd). " +
      protocol_sentence(table.metric, table.task_metric, table.seeds) +
      " Bold: best of the three students. " +
      significance_sentence(table.used_paired, table.used_welch) +
      " \u2014 pending, \u00d7 failed; blank: the chain has fewer TAs.";
  if (table.paper) {
    view.caption +=
        " In brackets: the published number of the same setup (best-epoch test "
        "accuracy)." +
        glue_paper_sentence(table.dataset);
  }
  view.caption += user_paper_sentence(table.user_paper_sources);
  const size_t tas = table.max_assistants;
  view.align = "l" + std::string(tas + 4, 'c');
  view.header = {"Path", "Teacher"};
  for (size_t i = 0; i < tas; ++i) {
    view.header.push_back(tas == 1 ? "TA" : "TA " + std::to_string(i + 1));
  }
  for (const char* h : {"Student (TAKD)", "Student kd", "Student nokd"}) view.header.push_back(h);
  TableSection section;
  for (const auto& path : table.paths) {
    std::vector<std::string> chain;
    for (const auto& link : path.links) chain.push_back(link.model);
    std::vector<TableCell> cells = {text_cell(chain_text(chain)),
                                    result_cell(path.links.front().cell)};
    const size_t path_tas = path.links.size() - 2;
    for (size_t i = 0; i < tas; ++i) {
      cells.push_back(i < path_tas ? result_cell(path.links[i + 1].cell) : text_cell(""));
    }
    cells.push_back(result_cell(path.links.back().cell));
    cells.push_back(result_cell(path.direct_kd));
    cells.push_back(result_cell(path.nokd));
    section.rows.push_back(std::move(cells));
  }
  view.sections.push_back(std::move(section));
  return view;
}

}  // namespace kdbench::reports
