#pragma once
// How long a task takes (docs/design.md §3.6, "Cost model"): its work in multiply-accumulates,
// grid::Task::cost (3 forward passes' worth per training image — forward, backward for
// activations and weights — plus the live teacher's forward pass for a student that reads its
// teacher online, plus one forward pass per evaluated image, over every epoch of every phase),
// divided by a throughput per device kind, refined from measured epoch times.
//
// Prior: nominal MAC/s per rank of a device kind (kCpuMacsPerSecond, measured; kCudaMacsPerSecond,
// a documented nominal). Refinement: every measured epoch gives a ratio measured / prior; the
// scale of a (model, device kind) is the geometric mean of its ratios, and a model never measured
// on that kind takes the geometric mean over every model measured there (a new model benefits
// from the others' measurements). Deterministic: the same observations give the same estimates.
// A gang of k ranks is assumed k times faster than one rank.
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "kdbench/grid/task_graph.h"
#include "kdbench/results/run_record.h"

namespace kdbench::sched {

// One CPU rank (one training thread, its own core) on the suite's small CNNs: measured with a
// real run on the development machine (bench/README.md, "Cost model prior"): cnn8 ≈ 23, cnn4
// ≈ 18, cnn2 ≈ 5.5 GMAC/s per core, rounded down from their geometric mean (13); per-model
// refinement corrects the spread.
constexpr double kCpuMacsPerSecond = 1e10;
// One GPU rank: an order of magnitude for A100/H100-class GPUs on the suite's small CNNs
// (resnet20, CIFAR, batch 128: ≈ 6 s per 50,000-image epoch), not measured here.
constexpr double kCudaMacsPerSecond = 1e12;

// "cuda:1" -> "cuda", "cpu" -> "cpu", "" -> "" (unknown).
std::string device_kind_of(const std::string& device);
// Nominal MAC/s of one rank; ConfigError naming the allowed kinds (cpu, cuda) otherwise.
double nominal_macs_per_second(const std::string& device_kind);

class CostModel {
 public:
  // `device_kind`: the kind estimates are for unless another is named.
  explicit CostModel(std::string device_kind = "cpu");

  const std::string& device_kind() const { return device_kind_; }
  void set_device_kind(const std::string& kind);

  // Seconds of the whole task on `ranks` ranks, before and after refinement.
  double prior_seconds(const grid::Task& t, const std::string& kind, int ranks = 1) const;
  double seconds(const grid::Task& t, const std::string& kind, int ranks = 1) const;
  double seconds(const grid::Task& t, int ranks = 1) const {
    return seconds(t, device_kind_, ranks);
  }
  // measured / prior: the (model, kind) scale, else the kind's scale over all models, else 1.
  double scale(const std::string& model, const std::string& kind) const;

  // One finished epoch of `t` that took `seconds` on `ranks` ranks of `device_kind`. Ignored
  // when the kind is not cpu or cuda or the time is not positive (nothing was measured).
  void observe_epoch(const grid::Task& t, const std::string& device_kind, double seconds,
                     int ranks = 1);
  // Every epoch time of a record (its `seconds` curve, its device and gang); returns how many.
  int observe_record(const grid::Task& t, const results::RunRecord& rec);

  // Increases with every accepted observation (callers cache derived numbers by it).
  uint64_t version() const { return version_; }
  // Every scale in use, by "model@kind" and "*@kind" (the kind's fallback).
  std::map<std::string, double> scales() const;

 private:
  struct Ratios {
    double log_sum = 0;
    int count = 0;
    double scale() const;
  };
  std::string device_kind_;
  std::map<std::pair<std::string, std::string>, Ratios> by_model_;  // (model, kind)
  std::map<std::string, Ratios> by_kind_;
  uint64_t version_ = 0;
};

}  // namespace kdbench::sched
