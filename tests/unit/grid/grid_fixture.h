#pragma once
#include <string>

// A valid grid used as the base of the parser and DAG tests; tests append or replace lines.
inline std::string base_grid() {
  return R"([grid]
name     = t
dataset  = fashion-mnist
data_dir = /nonexistent-is-fine-without-file-checks
teachers = cnn4 cnn8
students = cnn2
methods  = nokd kd
seeds    = 1 2
[train]
epochs = 3
batch_size = 64
lr = 0.1
[teacher]
epochs = 4
checkpoints = 2 final
)";
}
