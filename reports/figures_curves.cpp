// Training curves: validation score (accuracy, MCC, ...) per epoch, mean over seeds with the seed
// spread as a band.
#include <algorithm>
#include <sstream>

#include "figures.h"
#include "format.h"
#include "kdbench/reports/table_model.h"

namespace kdbench::reports {
namespace {

using results::RunRecord;

std::string curve_coord(double v) { return fixed(v, 3); }

// Per epoch index: the validation scores (×100) of the runs that reached it.
struct MeanCurve {
  std::vector<int> epoch;
  std::vector<Stats> val;
  int runs = 0;
};

MeanCurve mean_curve(const std::vector<const RunRecord*>& runs) {
  MeanCurve out;
  out.runs = static_cast<int>(runs.size());
  size_t longest = 0;
  for (const RunRecord* r : runs) longest = std::max(longest, r->curves.size());
  for (size_t i = 0; i < longest; ++i) {
    std::vector<double> values;
    int epoch = static_cast<int>(i + 1);
    for (const RunRecord* r : runs) {
      if (i < r->curves.size()) {
        values.push_back(100.0 * val_scores(*r)[i]);
        epoch = r->curves.epoch[i];
      }
    }
    out.epoch.push_back(epoch);
    out.val.push_back(summarize(values));
  }
  return out;
}

// The band ±std as one closed polygon (upper edge forward, lower edge back), drawn under the line.
std::string band(const MeanCurve& c, const std::string& colour) {
  bool spread = false;
  for (const auto& s : c.val) spread |= s.n > 1;
  if (!spread) return "";
  std::string coords;
  for (size_t i = 0; i < c.epoch.size(); ++i) {
    coords +=
        " (" + std::to_string(c.epoch[i]) + "," + curve_coord(c.val[i].mean + c.val[i].std) + ")";
  }
  for (size_t i = c.epoch.size(); i-- > 0;) {
    coords +=
        " (" + std::to_string(c.epoch[i]) + "," + curve_coord(c.val[i].mean - c.val[i].std) + ")";
  }
  return "\\addplot[draw=none, fill=" + colour + ", fill opacity=0.18, forget plot] coordinates {" +
         coords + "} \\closedcycle;\n";
}

std::string line(const MeanCurve& c) {
  std::string coords;
  for (size_t i = 0; i < c.epoch.size(); ++i) {
    coords += " (" + std::to_string(c.epoch[i]) + "," + curve_coord(c.val[i].mean) + ")";
  }
  return coords;
}

}  // namespace

std::vector<Figure> training_curve_figures(const StudyResults& study, const TableOptions& options) {
  const StudyOrder order = study_order(study, options.selection);
  std::vector<Figure> figures;
  auto runs_of = [&](const std::string& student, const std::string& teacher,
                     const std::string& method) {
    std::vector<const RunRecord*> runs;
    for (const auto& r : study.runs) {
      if (r.kind == "student" && r.status == results::Status::Done && r.model == student &&
          r.method == method && r.teacher_checkpoint < 0 && r.curves.size() > 0 &&
          (method == "nokd" || root_teacher(r) == teacher)) {
        runs.push_back(&r);
      }
    }
    return runs;
  };
  const std::string dataset = study_dataset(study);
  const ScoreNames score = score_names(task_metric(study));
  const std::string y_label =
      score.is_accuracy() ? "accuracy (\\%)" : score.name + " " + axis_unit(score);
  for (const auto& student : order.students) {
    for (const auto& teacher : order.teachers) {
      std::ostringstream plots;
      bool any_kd = false;
      int first_epoch = 1, last_epoch = 1;
      for (const auto& method : order.methods) {
        const auto runs = runs_of(student, teacher, method);
        if (runs.empty()) continue;
        any_kd |= method != "nokd";
        const MeanCurve curve = mean_curve(runs);
        first_epoch = std::min(first_epoch, curve.epoch.front());
        last_epoch = std::max(last_epoch, curve.epoch.back());
        const std::string style = series_style(method, order.methods);
        const std::string colour = style.substr(0, style.find(','));
        plots << band(curve, colour) << "\\addplot[" << style << ", mark=none] coordinates {"
              << line(curve) << "};\n"
              << "\\addlegendentry{" << latex_escape(method) << " (" << curve.runs << ")}\n";
      }
      if (!any_kd) continue;
      // Whole epochs only, at most ~8 ticks: 1, 2, 5, 10, 20, 50, ... apart.
      int step = 1;
      for (int base = 1; last_epoch / step > 8; base *= 10) {
        for (int m : {1, 2, 5}) {
          step = m * base;
          if (last_epoch / step <= 8) break;
        }
      }
      std::ostringstream tex;
      tex << standalone_preamble() << "\\begin{axis}[kdbench, xlabel={Epoch}, "
          << "ylabel={Validation " << y_label << "}, xmin=" << first_epoch
          << ", xmax=" << std::max(last_epoch, first_epoch + 1) << ", xtick distance=" << step
          << ",\n  title={Student " << latex_escape(student) << " from " << latex_escape(teacher)
          << (dataset.empty() ? "" : " on " + latex_escape(dataset))
          << "},\n  legend style={at={(1.03,1)}, anchor=north west}]\n"
          << plots.str() << "\\end{axis}\n"
          << standalone_end();
      figures.push_back(
          {"curves_" + file_stem(student) + "_" + file_stem(teacher),
           "Training curves of student " + student + " with teacher " + teacher +
               (dataset.empty() ? "" : " on " + dataset) + ": validation " + score.name + " (" +
               score.unit +
               ") per epoch, mean over the finished seeds (their number "
               "in the legend), band ± one sample standard deviation (the seed spread); nokd "
               "has no teacher.",
           tex.str()});
    }
  }
  return figures;
}

}  // namespace kdbench::reports
