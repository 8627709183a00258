#pragma once
// The small teacher → KD student grid of the device and GPU trainer tests (cnn4 → cnn2, 2 epochs,
// batch 16, augmentation on); `train_extra` appends keys to its [train] section.
#include <string>

#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

namespace kdbench::train::testing {

inline grid::TaskGraph tiny_kd_graph(const std::string& train_extra) {
  const std::string ini = R"([grid]
data_dir = /unused
teachers = cnn4
students = cnn2
methods = kd
seeds = 3
[train]
epochs = 2
batch_size = 16
eval_batch_size = 32
lr = 0.05
augment = true
augment_padding = 2
)" + train_extra;
  return grid::expand(grid::parse_grid_text(ini, "tiny-kd.ini", grid::ParseOptions{false}));
}

}  // namespace kdbench::train::testing
