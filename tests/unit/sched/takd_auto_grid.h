#pragma once
// The TAKD `assistants = auto` grid of the sched tests: teacher cnn10; students cnn2 cnn4 cnn6.
// For cnn2 the candidates are cnn6 and cnn4 (a choice); cnn4 learns along the fixed chain
// cnn10 -> cnn6 -> cnn4; cnn6 directly from cnn10.
namespace kdbench::sched_test {

inline constexpr const char* kTakdAutoGrid = R"([grid]
name     = auto
dataset  = fashion-mnist
data_dir = /not-read
teachers = cnn10
students = cnn2 cnn4 cnn6
methods  = nokd takd
seeds    = 1
[train]
epochs = 3
[teacher]
epochs = 4
checkpoints = 2
[method.takd]
assistants = auto
)";

}  // namespace kdbench::sched_test
