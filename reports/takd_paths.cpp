#include "kdbench/reports/takd_paths.h"

#include <algorithm>
#include <set>

#include "paper_numbers.h"

namespace kdbench::reports {
namespace {

using results::RunRecord;
using results::Status;

std::vector<std::string> prefix(const std::vector<std::string>& chain, size_t length) {
  return {chain.begin(), chain.begin() + static_cast<std::ptrdiff_t>(length)};
}

// The runs that trained the model at `position` of `chain`: the teacher's own runs, the assistant
// trained along exactly this prefix, or the TAKD student of the full chain.
bool trains_link(const RunRecord& r, const std::vector<std::string>& chain, size_t position) {
  if (position == 0) return r.kind == "teacher" && r.model == chain.front();
  if (position + 1 < chain.size()) {
    return r.kind == "assistant" && r.chain == prefix(chain, position + 1);
  }
  return r.kind == "student" && r.method == "takd" && r.chain == chain && r.teacher_checkpoint < 0;
}

ResultCell student_cell(const StudyResults& study, const std::string& student,
                        const std::string& teacher, const std::string& method, Metric metric) {
  ResultCell cell;
  for (const auto& r : study.runs) {
    if (r.kind != "student" || r.model != student || r.method != method ||
        r.teacher_checkpoint >= 0) {
      continue;
    }
    if (method != "nokd" && root_teacher(r) != teacher) continue;
    cell.runs.add(r, metric);
  }
  cell.stats = cell.runs.stats();
  return cell;
}

}  // namespace

std::string chain_text(const std::vector<std::string>& chain) {
  std::string out;
  for (const auto& model : chain) out += (out.empty() ? "" : " \u2192 ") + model;
  return out;
}

TakdPathsTable takd_paths(const StudyResults& study, const TableOptions& options) {
  const StudyOrder order = study_order(study, options.selection);
  TakdPathsTable table;
  table.metric = options.metric;
  table.task_metric = task_metric(study);
  table.paper = options.paper;
  table.dataset = study_dataset(study);
  // The published number of a setup; notes a user's source for the caption.
  auto paper = [&](const std::string& teacher, const std::string& student,
                   const std::string& method, const std::string& assistants = "") {
    const PaperNumber* n = paper_entry(options.user_paper_numbers, table.dataset, teacher, student,
                                       method, assistants);
    if (n == nullptr) return std::optional<double>();
    if (!n->origin.empty()) table.user_paper_sources.insert(n->source);
    return std::optional<double>(n->accuracy);
  };

  std::vector<std::vector<std::string>> chains;
  for (const auto& teacher : order.teachers) {
    for (const auto& student : order.students) {
      for (const auto& r : study.runs) {
        const bool takd_student = r.kind == "student" && r.method == "takd" &&
                                  r.chain.size() >= 2 && r.teacher_checkpoint < 0;
        if (takd_student && r.chain.front() == teacher && r.chain.back() == student &&
            std::find(chains.begin(), chains.end(), r.chain) == chains.end()) {
          chains.push_back(r.chain);
        }
      }
    }
  }
  if (std::find(order.methods.begin(), order.methods.end(), "takd") == order.methods.end()) {
    chains.clear();  // the user's --methods left TAKD out
  }

  std::set<int64_t> seeds;
  for (const auto& chain : chains) {
    TakdPath path;
    std::string assistants;
    for (size_t i = 1; i + 1 < chain.size(); ++i) {
      assistants += (assistants.empty() ? "" : " ") + chain[i];
    }
    for (size_t i = 0; i < chain.size(); ++i) {
      TakdLink link;
      link.model = chain[i];
      link.kind = i == 0 ? "teacher" : i + 1 < chain.size() ? "assistant" : "student";
      for (const auto& r : study.runs) {
        if (!trains_link(r, chain, i)) continue;
        link.cell.runs.add(r, options.metric);
      }
      link.cell.stats = link.cell.runs.stats();
      if (options.paper) {
        // A teacher's own accuracy and each TA as a KD student of the teacher (the papers'
        // "TA (KD)" row); the TAKD student with the paper's TA path.
        const std::string& t = chain.front();
        if (i == 0) {
          link.cell.paper = paper(t, chain.back(), "teacher");
        } else if (i + 1 < chain.size()) {
          link.cell.paper = paper(t, chain[i], "kd");
        } else {
          link.cell.paper = paper(t, chain[i], "takd", assistants);
        }
      }
      path.links.push_back(std::move(link));
    }
    path.direct_kd = student_cell(study, chain.back(), chain.front(), "kd", options.metric);
    path.nokd = student_cell(study, chain.back(), chain.front(), "nokd", options.metric);
    if (options.paper) {
      path.direct_kd.paper = paper(chain.front(), chain.back(), "kd");
      path.nokd.paper = paper(chain.front(), chain.back(), "nokd");
    }
    // The student three ways: through the TAs, directly, alone; tested against alone.
    ResultCell& takd = path.links.back().cell;
    takd.vs_nokd = compare_with_baseline(takd.runs.values, path.nokd.runs.values);
    path.direct_kd.vs_nokd =
        compare_with_baseline(path.direct_kd.runs.values, path.nokd.runs.values);
    mark_best({&takd, &path.direct_kd, &path.nokd});
    for (const ResultCell* c : {&takd, &path.direct_kd, &path.nokd}) {
      for (const auto& [seed, value] : c->runs.values) seeds.insert(seed);
    }
    for (const ResultCell* c : {&takd, &path.direct_kd}) {
      table.used_paired |= c->vs_nokd.kind == TestKind::PairedT;
      table.used_welch |= c->vs_nokd.kind == TestKind::WelchT;
    }
    table.max_assistants = std::max(table.max_assistants, chain.size() - 2);
    table.paths.push_back(std::move(path));
  }
  table.seeds.assign(seeds.begin(), seeds.end());
  return table;
}

}  // namespace kdbench::reports
