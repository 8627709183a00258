// The capacity-gap and checkpoint-search figures.
#include <algorithm>
#include <map>
#include <sstream>

#include "figures.h"
#include "format.h"
#include "kdbench/reports/table_model.h"

namespace kdbench::reports {
namespace {

std::string coord(double v) { return fixed(v, 4); }

std::string point(double x, const Stats& s) {
  return "(" + coord(x) + "," + coord(s.mean) + ") +- (0," + coord(s.std) + ")";
}

// A horizontal dashed nokd line from x0 to x1 with a light ±std band behind it.
std::string nokd_line(const Stats& nokd, double x0, double x1) {
  std::ostringstream tex;
  if (nokd.n > 1 && nokd.std > 0) {
    tex << "\\addplot[draw=none, fill=black, fill opacity=0.08, forget plot] coordinates {("
        << coord(x0) << "," << coord(nokd.mean - nokd.std) << ") (" << coord(x1) << ","
        << coord(nokd.mean - nokd.std) << ") (" << coord(x1) << "," << coord(nokd.mean + nokd.std)
        << ") (" << coord(x0) << "," << coord(nokd.mean + nokd.std) << ")} \\closedcycle;\n";
  }
  tex << "\\addplot[black, dashed, mark=none] coordinates {(" << coord(x0) << ","
      << coord(nokd.mean) << ") (" << coord(x1) << "," << coord(nokd.mean) << ")};\n"
      << "\\addlegendentry{nokd}\n";
  return tex.str();
}

const char* kErrorBars = "error bars/.cd, y dir=both, y explicit";

}  // namespace

std::vector<Figure> capacity_gap_figures(const CapacityGapTable& table) {
  std::vector<Figure> figures;
  const auto nokd_it = std::find(table.methods.begin(), table.methods.end(), "nokd");
  for (const auto& block : table.blocks) {
    // Teacher sizes on the x axis: rows with a known parameter count, ascending.
    std::map<int64_t, std::string> ticks;
    for (const auto& row : block.rows) {
      if (row.teacher_params > 0) ticks.emplace(row.teacher_params, row.teacher);
    }
    std::ostringstream plots;
    bool any = false;
    for (size_t m = 0; m < table.methods.size(); ++m) {
      if (table.methods[m] == "nokd") continue;
      std::string coords;
      for (const auto& row : block.rows) {
        if (row.teacher_params > 0 && row.cells[m].stats.n > 0) {
          coords += " " + point(static_cast<double>(row.teacher_params), row.cells[m].stats);
        }
      }
      if (coords.empty()) continue;
      any = true;
      plots << "\\addplot+[" << series_style(table.methods[m], table.methods) << ", " << kErrorBars
            << "] coordinates {" << coords << "};\n"
            << "\\addlegendentry{" << latex_escape(table.methods[m]) << "}\n";
    }
    if (!any) continue;
    const double x0 = static_cast<double>(ticks.begin()->first) / 1.6;
    const double x1 = static_cast<double>(ticks.rbegin()->first) * 1.6;
    if (nokd_it != table.methods.end() && !block.rows.empty()) {
      const Stats& nokd = block.rows.front().cells[nokd_it - table.methods.begin()].stats;
      if (nokd.n > 0) plots << nokd_line(nokd, x0, x1);
    }
    std::string xtick, labels;
    for (const auto& [params, name] : ticks) {
      xtick += (xtick.empty() ? "" : ",") + std::to_string(params);
      labels += (labels.empty() ? "" : ",") + std::string("{") + latex_escape(name) + "\\\\" +
                short_count(params) + "}";
    }
    std::ostringstream tex;
    tex << standalone_preamble() << "\\begin{axis}[kdbench, xmode=log, xmin=" << coord(x0)
        << ", xmax=" << coord(x1) << ",\n  xtick={" << xtick << "}, xticklabels={" << labels
        << "},\n  xticklabel style={align=center, font=\\footnotesize}, xminorgrids=false,\n"
        << "  xlabel={Teacher (parameters, log scale)}, ylabel={Student "
        << metric_axis_label(table.metric, table.task_metric) << "},\n  title={Student "
        << latex_escape(block.student) << latex_escape(on_dataset(table.dataset))
        << "},\n  legend style={at={(1.03,1)}, anchor=north west}]\n"
        << plots.str() << "\\end{axis}\n"
        << standalone_end();
    figures.push_back(
        {"capacity_gap_" + file_stem(block.student),
         "Capacity gap for student " + block.student + on_dataset(table.dataset) + ": student " +
             metric_caption(table.metric, table.task_metric) +
             " against the teacher's size (parameters, log "
             "scale), one line per method; error bars: ± one sample standard deviation over " +
             seeds_text(table.seeds) +
             ". Dashed: nokd (no teacher), its band ± one standard "
             "deviation.",
         tex.str()});
  }
  return figures;
}

std::vector<Figure> checkpoint_search_figures(const CheckpointSearchTable& table,
                                              const std::vector<std::string>& methods) {
  const ScoreNames score = score_names(table.task_metric);
  std::vector<Figure> figures;
  for (const auto& block : table.blocks) {
    std::vector<std::string> students;
    for (const auto& c : block.columns) {
      if (std::find(students.begin(), students.end(), c.student) == students.end()) {
        students.push_back(c.student);
      }
    }
    // x of each row: its checkpoint epoch; the final teacher at its last epoch when known.
    std::vector<std::pair<double, const CheckpointRow*>> xs;
    int last_checkpoint = 0;
    for (const auto& row : block.rows) {
      if (row.checkpoint >= 0) {
        xs.push_back({row.checkpoint, &row});
        last_checkpoint = std::max(last_checkpoint, row.checkpoint);
      } else if (row.epoch > last_checkpoint) {
        xs.push_back({row.epoch, &row});
      }
    }
    if (xs.empty()) continue;
    // A margin on both sides so the first and last points (and their error bars) stand free.
    const double pad = std::max(1.0, 0.06 * (xs.back().first - xs.front().first));
    const double x0 = xs.front().first - pad, x1 = xs.back().first + pad;
    std::string xtick, labels, teacher_coords;
    for (const auto& [x, row] : xs) {
      xtick += (xtick.empty() ? "" : ",") + coord(x);
      labels += std::string(labels.empty() ? "" : ",") +
                (row->checkpoint < 0 ? "final (" + std::to_string(row->epoch) + ")"
                                     : std::to_string(row->checkpoint));
      if (row->teacher_test.n > 0)
        teacher_coords += " (" + coord(x) + "," + coord(row->teacher_test.mean) + ")";
    }
    for (const auto& student : students) {
      std::ostringstream plots;
      bool any = false;
      for (size_t c = 0; c < block.columns.size(); ++c) {
        if (block.columns[c].student != student) continue;
        std::string coords;
        for (size_t i = 0; i < xs.size(); ++i) {
          const size_t r = static_cast<size_t>(xs[i].second - block.rows.data());
          if (block.rows[r].cells[c].stats.n > 0)
            coords += " " + point(xs[i].first, block.rows[r].cells[c].stats);
        }
        if (coords.empty()) continue;
        any = true;
        plots << "\\addplot+[" << series_style(block.columns[c].method, methods) << ", "
              << kErrorBars << "] coordinates {" << coords << "};\n"
              << "\\addlegendentry{" << latex_escape(block.columns[c].method) << "}\n";
      }
      if (!any) continue;
      auto nokd = table.nokd.find(student);
      if (nokd != table.nokd.end() && nokd->second.n > 0) plots << nokd_line(nokd->second, x0, x1);
      const std::string teacher_style = "gray, densely dotted, mark=o, mark options={solid}";
      if (!teacher_coords.empty()) {
        plots << "\\addlegendimage{" << teacher_style
              << "}\n\\addlegendentry{teacher (right axis)}\n";
      }
      const std::string x_axis = "xmin=" + coord(x0) + ", xmax=" + coord(x1) + ", xtick={" + xtick +
                                 "}, xticklabels={" + labels + "}";
      std::ostringstream tex;
      tex << standalone_preamble() << "\\begin{axis}[kdbench, " << x_axis
          << ",\n  axis y line*=left, xlabel={Teacher checkpoint (epoch)}, ylabel={Student "
          << metric_axis_label(table.metric, table.task_metric) << "},\n  title={Student "
          << latex_escape(student) << " from " << latex_escape(block.teacher) << " checkpoints"
          << latex_escape(on_dataset(table.dataset))
          << "},\n  legend style={at={(0.5,-0.28)}, anchor=north, legend columns=4,\n"
          << "  /tikz/every even column/.append style={column sep=0.4cm}}]\n"
          << plots.str() << "\\end{axis}\n";
      if (!teacher_coords.empty()) {
        tex << "\\begin{axis}[kdbench, " << x_axis << ", grid=none, axis y line*=right, "
            << "axis x line=none,\n  ylabel={Teacher test " << axis_score(score) << axis_unit(score)
            << "}, ylabel style={gray}, "
            << "yticklabel style={gray}]\n"
            << "\\addplot[" << teacher_style << "] coordinates {" << teacher_coords << "};\n"
            << "\\end{axis}\n";
      }
      tex << standalone_end();
      figures.push_back({"checkpoint_search_" + file_stem(block.teacher) + "_" + file_stem(student),
                         "Checkpoint search: student " + student +
                             " distilled from checkpoints of teacher " + block.teacher +
                             on_dataset(table.dataset) + ". Student " +
                             metric_caption(table.metric, table.task_metric) +
                             " per method (error bars: ± one sample standard "
                             "deviation over " +
                             seeds_text(table.seeds) +
                             "); dotted, right axis: the "
                             "teacher's own test " +
                             score.name + " at that checkpoint; dashed: nokd.",
                         tex.str()});
    }
  }
  return figures;
}

}  // namespace kdbench::reports
