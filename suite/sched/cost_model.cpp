#include "kdbench/sched/cost_model.h"

#include <algorithm>
#include <cmath>

#include "kdbench/core/errors.h"

namespace kdbench::sched {

std::string device_kind_of(const std::string& device) { return device.substr(0, device.find(':')); }

double nominal_macs_per_second(const std::string& kind) {
  if (kind == "cpu") return kCpuMacsPerSecond;
  if (kind == "cuda") return kCudaMacsPerSecond;
  throw ConfigError("device kind '" + kind + "' has no throughput estimate (allowed: cpu, cuda)");
}

double CostModel::Ratios::scale() const { return count == 0 ? 1.0 : std::exp(log_sum / count); }

CostModel::CostModel(std::string device_kind) : device_kind_(std::move(device_kind)) {
  nominal_macs_per_second(device_kind_);  // reject an unknown kind here, not at first use
}

void CostModel::set_device_kind(const std::string& kind) {
  nominal_macs_per_second(kind);
  device_kind_ = kind;
}

double CostModel::prior_seconds(const grid::Task& t, const std::string& kind, int ranks) const {
  return t.cost / (std::max(1, ranks) * nominal_macs_per_second(kind));
}

double CostModel::scale(const std::string& model, const std::string& kind) const {
  const auto m = by_model_.find({model, kind});
  if (m != by_model_.end()) return m->second.scale();
  const auto k = by_kind_.find(kind);
  return k == by_kind_.end() ? 1.0 : k->second.scale();
}

double CostModel::seconds(const grid::Task& t, const std::string& kind, int ranks) const {
  return prior_seconds(t, kind, ranks) * scale(t.model, kind);
}

void CostModel::observe_epoch(const grid::Task& t, const std::string& kind, double seconds,
                              int ranks) {
  if ((kind != "cpu" && kind != "cuda") || !(seconds > 0) || !std::isfinite(seconds) ||
      t.total_epochs < 1 || !(t.cost > 0))
    return;
  const double predicted = prior_seconds(t, kind, ranks) / t.total_epochs;
  const double log_ratio = std::log(seconds / predicted);
  for (Ratios* r : {&by_model_[{t.model, kind}], &by_kind_[kind]}) {
    r->log_sum += log_ratio;
    ++r->count;
  }
  ++version_;
}

int CostModel::observe_record(const grid::Task& t, const results::RunRecord& rec) {
  const std::string kind = device_kind_of(rec.device);
  if (kind.empty()) return 0;
  int ranks = 1;
  if (rec.gang.is_object() && rec.gang.contains("size")) ranks = rec.gang["size"].get<int>();
  int used = 0;
  for (double s : rec.curves.seconds) {
    const uint64_t before = version_;
    observe_epoch(t, kind, s, ranks);
    used += version_ != before;
  }
  return used;
}

std::map<std::string, double> CostModel::scales() const {
  std::map<std::string, double> out;
  for (const auto& [mk, r] : by_model_) out[mk.first + "@" + mk.second] = r.scale();
  for (const auto& [k, r] : by_kind_) out["*@" + k] = r.scale();
  return out;
}

}  // namespace kdbench::sched
