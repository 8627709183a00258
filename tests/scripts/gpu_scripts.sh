#!/usr/bin/env bash
# scripts.gpu_check: the GPU scripts on a machine without a GPU.
#   gpu_scripts.sh SOURCE_DIR WORK_DIR
# 1. shellcheck passes on both scripts.
# 2. gpu-check.sh --dry-run prints every step (configure, build, gpu tests, the grid on CUDA, every
#    benchmark), names the missing GPU and exits 3; it builds nothing.
# 3. gpu-check.sh rejects a bad argument with exit 2.
# 4. gpu-deps.sh --dry-run (Debian 12 only) lists the packages, with and without MPI, and
#    downloads nothing.
set -euo pipefail
src=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

shellcheck "$src/scripts/gpu-deps.sh" "$src/scripts/gpu-check.sh"

set +e
"$src/scripts/gpu-check.sh" --dry-run --out "$work/out" --deps "$work/no-deps" \
  --build "$work/build-gpu" > "$work/dry.txt" 2>&1
code=$?
set -e
cat "$work/dry.txt"
[[ $code == 3 ]] || fail "gpu-check.sh --dry-run exited $code, expected 3 (this machine lacks a GPU)"
if ! nvidia-smi -L > /dev/null 2>&1; then
  grep -q '^gpu-check: MISSING: an NVIDIA GPU: none is visible' "$work/dry.txt" ||
    fail "the dry run does not name the missing GPU"
fi
grep -q "MISSING: deps: $work/no-deps/env.sh not found" "$work/dry.txt" ||
  fail "the dry run does not name the missing deps folder"
for step in configure build gpu-tests grid-1-rank bench-kdbench-resnet20-fp32 \
  bench-pytorch-resnet20-bf16 bench-kdbench-resnet110-bf16; do
  grep -q "^gpu-check: step $step: " "$work/dry.txt" || fail "the dry run does not show step $step"
done
grep -q -- '-D_GLIBCXX_USE_CXX11_ABI=' "$work/dry.txt" || fail "configure does not pass the C++ ABI"
grep -q -- '-DKDBENCH_WITH_MPI=OFF' "$work/dry.txt" || fail "without deps MPI must be off"
grep -q 'cannot run here (.* missing)' "$work/dry.txt" || fail "no summary of what is missing"
[[ ! -e $work/build-gpu ]] || fail "the dry run created the build folder"
[[ -s $work/out/gpu-check.log ]] || fail "the dry run wrote no log"

set +e
"$src/scripts/gpu-check.sh" --jobs 0 --out "$work/out" > "$work/bad.txt" 2>&1
code=$?
set -e
[[ $code == 2 ]] || fail "gpu-check.sh --jobs 0 exited $code, expected 2"
grep -q -- "--jobs: '0' is not a positive integer" "$work/bad.txt" || fail "bad --jobs message"

if grep -qs '^12' /etc/debian_version && command -v apt-cache > /dev/null; then
  "$src/scripts/gpu-deps.sh" --dry-run --prefix "$work/deps" > "$work/deps.txt"
  "$src/scripts/gpu-deps.sh" --dry-run --no-mpi --prefix "$work/deps" > "$work/deps-nompi.txt"
  grep -q '^  packages: .*libhdf5-103-1.* libopenmpi3 ' "$work/deps.txt" || fail "no HDF5/Open MPI package"
  grep -q '^  skipped (the GPU machine.s own): .*libc6 ' "$work/deps.txt" || fail "libc6 is not skipped"
  ! grep -q 'libopenmpi3' "$work/deps-nompi.txt" || fail "--no-mpi still downloads Open MPI"
  [[ ! -e $work/deps/root ]] || fail "gpu-deps.sh --dry-run extracted packages"
fi
echo "gpu scripts: OK"
