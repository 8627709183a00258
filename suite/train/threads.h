#pragma once
// Intra-op threading: Debian's LibTorch starts with one thread, so every process sets its own.
namespace kdbench {

// Threads for one rank: `requested` when > 0, else hardware cores / ranks sharing this node (≥ 1).
int choose_intra_op_threads(int requested, int ranks_on_node);

// Applies it to LibTorch (and through it OpenMP/OpenBLAS); returns the value in effect.
int apply_intra_op_threads(int threads);

}  // namespace kdbench
