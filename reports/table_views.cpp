// Shared cell and caption text, the capacity-gap table and the method summary.
#include "kdbench/reports/table_views.h"

#include <algorithm>

#include "format.h"
#include "kdbench/core/strings.h"

namespace kdbench::reports {
namespace {

std::string capitalized(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
  return text;
}

// "1/3": of how many teachers.
std::string count_of(int count, int of) { return std::to_string(count) + "/" + std::to_string(of); }

}  // namespace

TableCell result_cell(const ResultCell& cell) {
  TableCell out;
  switch (cell_state(cell.runs)) {
    case CellState::HasData:
      out.text = stats_text(cell.stats);
      out.bold = cell.best;
      if (cell.vs_nokd.significant(kSignificanceLevel)) {
        out.marker = cell.vs_nokd.kind == TestKind::PairedT ? kPairedMarker : kWelchMarker;
      }
      break;
    case CellState::Pending:
      out.text = "\u2014";
      break;
    case CellState::Failed:
      out.text = "\u00d7";
      break;
  }
  if (cell.paper) out.note = "[" + fixed(*cell.paper, 2) + "]";
  return out;
}

std::string protocol_sentence(Metric metric, const std::string& task_metric,
                              const std::vector<int64_t>& seeds, const std::string& subject) {
  const std::string caption = metric_caption(metric, task_metric);
  const std::string what = subject.empty() ? capitalized(caption) : subject + " " + caption;
  return what + ", mean \u00b1 sample standard deviation over " + seeds_text(seeds) +
         " (finished runs in parentheses).";
}

std::string significance_sentence(bool used_paired, bool used_welch) {
  const std::string level = "two-sided p < 0.05";
  if (used_paired && used_welch) {
    return std::string(kPairedMarker) + " (paired t-test over seeds) and " + kWelchMarker +
           " (Welch's t-test, where the seeds differ): the mean differs from nokd, " + level + ".";
  }
  if (used_paired) {
    return std::string(kPairedMarker) + ": differs from nokd, paired t-test over seeds, " + level +
           ".";
  }
  if (used_welch) {
    return std::string(kWelchMarker) + ": differs from nokd, Welch's t-test (the seeds differ), " +
           level + ".";
  }
  return "No t-test against nokd yet (it needs two finished seeds on each side).";
}

TableModel capacity_gap_view(const CapacityGapTable& table) {
  TableModel view;
  view.label = "tab:capacity-gap";
  view.title = "Capacity gap" + on_dataset(table.dataset);
  const bool has_nokd =
      std::find(table.methods.begin(), table.methods.end(), "nokd") != table.methods.end();
  const ScoreNames score = score_names(table.task_metric);
  view.caption = protocol_sentence(table.metric, table.task_metric, table.seeds, "Student") +
                 " Teacher " + score.name +
                 " over the teacher seeds. Students learn from the final "
                 "teacher checkpoint" +
                 (has_nokd ? "; nokd has no teacher, so its cell repeats in every row. " : ". ") +
                 "Bold: best of the row. " +
                 (has_nokd ? significance_sentence(table.used_paired, table.used_welch) + " "
                           : std::string()) +
                 "\u2014 pending, \u00d7 failed.";
  if (table.pooled_chains) {
    view.caption +=
        " Some cells pool runs of different TAKD paths; the TA-path table keeps "
        "them apart.";
  }
  if (table.paper) {
    view.caption +=
        " In brackets: the published number of the same setup (best-epoch test "
        "accuracy)." +
        glue_paper_sentence(table.dataset);
  }
  if (table.paper_unnamed_teacher) {
    view.caption +=
        " The published numbers of " +
        join({table.paper_unnamed_sources.begin(), table.paper_unnamed_sources.end()}, "; ") +
        " come from a paper that does not name its teacher; they stand beside every teacher.";
  }
  view.caption += user_paper_sentence(table.user_paper_sources);
  view.align = "lrc" + std::string(table.methods.size(), 'c');
  view.header = {"Teacher", "Params", "Teacher " + score.short_name};
  for (const auto& m : table.methods) view.header.push_back(m);
  for (const auto& block : table.blocks) {
    TableSection section;
    section.title =
        "Student " + block.student + " (" + with_thousands(block.student_params) + " params)";
    for (const auto& row : block.rows) {
      ResultCell teacher;
      teacher.runs = row.teacher_runs;
      teacher.stats = row.teacher_acc;
      teacher.paper = row.paper_teacher;
      std::vector<TableCell> cells = {text_cell(row.teacher),
                                      text_cell(with_thousands(row.teacher_params)),
                                      result_cell(teacher)};
      for (const auto& cell : row.cells) cells.push_back(result_cell(cell));
      section.rows.push_back(std::move(cells));
    }
    view.sections.push_back(std::move(section));
  }
  return view;
}

TableModel method_summary_view(const MethodSummaryTable& table) {
  TableModel view;
  view.label = "tab:method-summary";
  view.title = "Method summary" + on_dataset(table.dataset);
  const ScoreNames score = score_names(table.task_metric);
  view.caption =
      "Per student, across the teachers of the capacity-gap table: the mean rank of each method "
      "among all methods (1 = best; over the teachers where every method has finished runs, "
      "their number in parentheses), the mean gain over nokd in " +
      (score.is_accuracy() ? std::string("percentage points")
                           : "points of " + score.name + " \u00d7100") +
      " (over the teachers where both have finished runs), the teachers where the method has "
      "the best mean, and those where it differs from nokd (two-sided p < 0.05, tests as in the "
      "capacity-gap table). " +
      protocol_sentence(table.metric, table.task_metric, table.seeds) +
      " Bold: best rank and best gain.";
  view.align = "lcccc";
  view.header = {"Method", "Mean rank", "Gain over nokd", "Best in", "p < 0.05 vs nokd"};
  for (const auto& block : table.blocks) {
    TableSection section;
    section.title = "Student " + block.student + " (" + std::to_string(block.teachers) +
                    (block.teachers == 1 ? " teacher)" : " teachers)");
    for (const auto& row : block.rows) {
      TableCell rank = text_cell("\u2014"), gain = text_cell("\u2014");
      if (row.ranked_teachers > 0) {
        rank = {fixed(row.mean_rank, 2) + " (" + std::to_string(row.ranked_teachers) + ")",
                row.best_rank, "", ""};
      }
      if (row.method == "nokd") {
        gain = text_cell("baseline");
      } else if (row.gain_teachers > 0) {
        gain = {signed_fixed(row.mean_gain, 2) + " (" + std::to_string(row.gain_teachers) + ")",
                row.best_gain, "", ""};
      }
      const bool is_baseline = row.method == "nokd" || !table.has_nokd;
      section.rows.push_back(
          {text_cell(row.method), rank, gain, text_cell(count_of(row.wins, block.teachers)),
           text_cell(is_baseline ? "\u2014" : count_of(row.significant, block.teachers))});
    }
    view.sections.push_back(std::move(section));
  }
  return view;
}

std::string latex_of(const std::vector<TableModel>& tables) {
  std::string out;
  for (const auto& t : tables) out += render_latex(t);
  return out;
}

std::string markdown_of(const std::vector<TableModel>& tables) {
  std::string out;
  for (size_t i = 0; i < tables.size(); ++i) out += (i ? "\n" : "") + render_markdown(tables[i]);
  return out;
}

}  // namespace kdbench::reports
