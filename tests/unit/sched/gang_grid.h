#pragma once
// A grid of the sched tests with gangs: the coordinator's gang cases and the simulator's.
namespace kdbench::sched_test {

// Teachers are gangs of 2, students run on one rank: 2 teachers, 3 nokd and 6 kd students.
inline constexpr const char* kTeacherGangs = R"([grid]
name     = gangs
dataset  = fashion-mnist
data_dir = /not-read
teachers = cnn8 cnn4
students = cnn2
methods  = nokd kd
seeds    = 1 2 3
teacher_seeds = 1
[train]
epochs = 2
[teacher]
epochs = 3
gang_size = 3
[gang_size]
cnn8 = 2
cnn4 = 2
)";

}  // namespace kdbench::sched_test
