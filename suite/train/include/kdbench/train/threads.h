#pragma once
// Intra-op threading: Debian's LibTorch starts with one thread, so every process sets its own.
namespace kdbench {

// Threads for one rank: `requested` when > 0, else hardware cores / ranks sharing this node (≥ 1).
int choose_intra_op_threads(int requested, int ranks_on_node);

// Applies it to LibTorch (and through it OpenMP/OpenBLAS); returns the value in effect.
int apply_intra_op_threads(int threads);

// Keeps large tensor buffers in the heap instead of fresh mmap()s: glibc maps every block above
// its mmap threshold (at most 32 MiB) anew and unmaps it on free, so each forward pass of a large
// batch page-faults all its activations again. Measured here (cnn4, 1 thread, 4,000 images):
// eval at batch 1000 8.3 s -> 0.93 s, batch 256 3.2 s -> 0.59 s.
void keep_tensor_buffers_in_heap();

}  // namespace kdbench
