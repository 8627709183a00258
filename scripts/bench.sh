#!/usr/bin/env bash
# The CPU benchmarks of bench/README.md, kdbench next to PyTorch on the same LibTorch (Debian's
# python3-torch is the 1.13.1 library kdbench links), in one invocation:
#   steps  training-step samples/s, kdbench_step_bench vs bench/pytorch_step_bench.py: every model
#          and method at batch 128 and 32 (text: 32) on 1 thread and at the first batch size on 2
#          threads (both cores), the two programs alternating
#          process by process, --reps times, in the allocator environment kdbench sets for itself
#          (mmap and trim thresholds 1 GiB) and, for nokd at batch 128 / 1 thread, without it;
#          and kdbench's data path alone (its share of the step time);
#   roofline  this CPU's FMA peak and sgemm GFLOP/s (kdbench_roofline) against the achieved
#          GFLOP/s of every nokd step of `steps`, and a resnet110 CIFAR-shaped run's peak RSS;
#   grid   the quickstart grid's wall and CPU time: `mpirun -np 2 kdbench` vs bench/pytorch_grid.py
#          (the same tasks one after another in one PyTorch process with one thread per core:
#          the same cores; Debian's PyTorch alone would use one thread).
#   grid-all  (only with --only grid-all: it takes longer than the other parts together) the same
#          comparison for suite/grids/all-methods-fmnist.ini scaled to --grid-seeds seeds (default
#          1) and --grid-epochs epochs (default 10, the grid's): bench/pytorch_grid.py writes the
#          scaled copy kdbench runs and trains the same tasks; the table adds each method's
#          seconds and test accuracy on both sides. 1 seed, 10 epochs: about 25 min on the
#          2-core machine (bench/README.md, "Whole grid").
# Writes OUT/steps.log, OUT/steps.md, OUT/roofline.log, OUT/roofline.md, OUT/grid.log,
# OUT/grid.md (grid-all: OUT/grid-all.ini, .log, .h5, .md) and prints the tables.
#
# usage: scripts/bench.sh [--build DIR] [--out DIR] [--reps N]
#                         [--only steps|roofline|grid|grid-all] [--models a,b]
#                         [--grid-seeds N] [--grid-epochs E]
#   --models: only these models of the step table (default: all six)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$src/build
out=$src/bench-results
reps=5
only=""
models=""
grid_seeds=1
grid_epochs=10
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --grid-seeds) grid_seeds=$2; shift 2 ;;
    --grid-epochs) grid_epochs=$2; shift 2 ;;
    *) echo "bench.sh: unknown argument '$1' (--build DIR, --out DIR, --reps N," \
         "--only steps|grid|roofline|grid-all, --models a,b, --grid-seeds N, --grid-epochs E)" >&2
       exit 2 ;;
  esac
done
for n in reps grid_seeds grid_epochs; do
  [[ ${!n} =~ ^[1-9][0-9]*$ ]] ||
    { echo "bench.sh: --${n//_/-}: '${!n}' is not a positive integer" >&2; exit 2; }
done
[[ -z $only || $only == steps || $only == grid || $only == roofline || $only == grid-all ]] ||
  { echo "bench.sh: --only: '$only' is not steps, grid, roofline or grid-all" >&2; exit 2; }
step_bench=$build/bench/kdbench_step_bench
roofline=$build/bench/kdbench_roofline
for need in "$step_bench" "$roofline" "$build/kdbench"; do
  [[ -x $need ]] || { echo "bench.sh: $need is missing: build first (scripts/build.sh)" >&2; exit 2; }
done
python=/usr/bin/python3  # Debian's python3-torch belongs to this interpreter
"$python" -c "import torch" 2>/dev/null ||
  { echo "bench.sh: $python cannot import torch: install python3-torch" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)  # kdbench runs in a scratch directory
heap_env=(MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824)
start=$SECONDS

# model | student input | kd-live teacher | batch sizes (the first also runs at 2 threads)
step_models=(
  "cnn2 --input 1x28x28 cnn8 128,32"
  "cnn6 --input 1x28x28 cnn8 128,32"
  "resnet8 --input 3x32x32 resnet20 128,32"
  "resnet20 --input 3x32x32 resnet32 128,32"
  "bert-L2-H128 --seq 64 bert-L4-H256 32"
  "bert-L4-H256 --seq 64 bert-L6-H256 32"
)
common=(--windows 3 --window-ms 100 --warmup 1)

# One process of one side; its lines go to steps.log tagged with the allocator setting and rep.
run_side() {  # side alloc rep args...
  local side=$1 alloc=$2 rep=$3
  shift 3
  local env_args=()
  [[ $alloc == heap ]] && env_args=("${heap_env[@]}")
  local program=("$step_bench")
  [[ $side == pytorch ]] && program=("$python" "$src/bench/pytorch_step_bench.py")
  env "${env_args[@]}" "${program[@]}" "$@" "${common[@]}" | sed "s/^/alloc=$alloc rep=$rep /" \
    >>"$out/steps.log"
}

if [[ -z $only || $only == steps ]]; then
  : >"$out/steps.log"
  for ((rep = 1; rep <= reps; ++rep)); do
    # Alternate which side goes first, so a slow drift of the machine favours neither.
    sides=(kdbench pytorch)
    ((rep % 2 == 0)) && sides=(pytorch kdbench)
    for entry in "${step_models[@]}"; do
      read -r model flag shape teacher batches <<<"$entry"
      [[ -z $models || ,$models, == *,$model,* ]] || continue
      for side in "${sides[@]}"; do
        run_side "$side" heap "$rep" --model "$model" "$flag" "$shape" --teacher "$teacher" \
          --methods nokd,kd-cached,kd-live --batch "$batches" --threads 1
        run_side "$side" heap "$rep" --model "$model" "$flag" "$shape" --teacher "$teacher" \
          --methods nokd,kd-cached,kd-live --batch "${batches%%,*}" --threads 2
        run_side "$side" default "$rep" --model "$model" "$flag" "$shape" --methods nokd \
          --batch "${batches%%,*}" --threads 1
      done
      # kdbench's data path alone (batch gathering, crop and flip), against its step time.
      run_side kdbench heap "$rep" --model "$model" "$flag" "$shape" --methods data \
        --batch "$batches" --threads 1
    done
    echo "steps: rep $rep of $reps done ($((SECONDS - start)) s)"
  done
  "$python" "$src/bench/bench_tables.py" steps "$out/steps.log" | tee "$out/steps.md"
fi

if [[ -z $only || $only == roofline ]]; then
  # The ceilings (FMA peak, sgemm) and a resnet110 CIFAR-shaped run's peak RSS, each repetition;
  # the table joins them with steps.log's nokd rows (run --only steps first for those).
  : >"$out/roofline.log"
  for ((rep = 1; rep <= reps; ++rep)); do
    "$roofline" --threads 1,2 --sizes 256,1024 --windows 3 >>"$out/roofline.log"
    env "${heap_env[@]}" "$step_bench" --model resnet110 --input 3x32x32 --methods nokd \
      --batch 128 --threads 1 "${common[@]}" | sed "s/^/alloc=heap rep=$rep /" >>"$out/roofline.log"
  done
  [[ -f $out/steps.log ]] || : >"$out/steps.log"
  "$python" "$src/bench/bench_tables.py" roofline "$out/steps.log" "$out/roofline.log" |
    tee "$out/roofline.md"
fi

if [[ -z $only || $only == grid ]]; then
  : >"$out/grid.log"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  for side in kdbench pytorch; do
    if [[ $side == kdbench ]]; then
      (cd "$work" && env "${heap_env[@]}" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
        /usr/bin/time -f "kdbench total: wall %e s, cpu %U+%S s, peak rss per rank %M KiB" \
        mpirun -np 2 --oversubscribe "$build/kdbench" run "$src/suite/grids/quickstart.ini" \
        --threads 1 --log-level warn) >>"$out/grid.log" 2>&1
    else
      env "${heap_env[@]}" /usr/bin/time -f "pytorch total: wall %e s, cpu %U+%S s, peak rss %M KiB" \
        "$python" "$src/bench/pytorch_grid.py" --threads "$(nproc)" >>"$out/grid.log" 2>&1
    fi
  done
  "$python" "$src/bench/bench_tables.py" grid "$out/grid.log" | tee "$out/grid.md"
fi

if [[ $only == grid-all ]]; then
  # kdbench runs the driver's scaled copy of the grid, so both sides train the same tasks.
  scale=(--grid all-methods-fmnist --seeds "$grid_seeds" --epochs "$grid_epochs")
  "$python" "$src/bench/pytorch_grid.py" "${scale[@]}" --write-ini "$out/grid-all.ini"
  : >"$out/grid-all.log"
  rm -f "$out/grid-all.h5"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && env "${heap_env[@]}" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    /usr/bin/time -f "kdbench total: wall %e s, cpu %U+%S s, peak rss per rank %M KiB" \
    mpirun -np 2 --oversubscribe "$build/kdbench" run "$out/grid-all.ini" --results "$work/grid-all.h5" \
    --threads 1 --log-level warn) >>"$out/grid-all.log" 2>&1
  cp "$work/grid-all.h5" "$out/grid-all.h5"
  echo "grid-all: kdbench done ($((SECONDS - start)) s)"
  env "${heap_env[@]}" /usr/bin/time -f "pytorch total: wall %e s, cpu %U+%S s, peak rss %M KiB" \
    "$python" "$src/bench/pytorch_grid.py" "${scale[@]}" --threads "$(nproc)" >>"$out/grid-all.log" 2>&1
  "$python" "$src/bench/bench_tables.py" grid-all "$out/grid-all.log" "$out/grid-all.h5" |
    tee "$out/grid-all.md"
fi
echo "bench.sh: done in $((SECONDS - start)) s; results in $out"
