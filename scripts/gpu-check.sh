#!/usr/bin/env bash
# gpu-check.sh [--out DIR] [--deps DIR] [--build DIR] [--python PY] [--jobs N] [--dry-run]
#
# The GPU check of kdbench, for a Linux machine with an NVIDIA GPU and a pip-installed PyTorch
# with CUDA, without Debian's -dev packages. It
#   1. configures kdbench against that PyTorch's LibTorch (torch.utils.cmake_prefix_path, its
#      C++ ABI) and the libraries scripts/gpu-deps.sh extracted into DIR (default gpu-deps/;
#      MPI on when its mpirun starts, else -DKDBENCH_WITH_MPI=OFF; NCCL from the pip wheel),
#   2. builds everything (the kdbench binary, the tests, the benchmarks),
#   3. runs the gpu-labelled tests (ctest -L gpu),
#   4. trains a tiny grid end to end on CUDA (random CIFAR-10-shaped data, 1 rank, and 2 ranks
#      under mpirun when MPI is on) and checks every task is DONE,
#   5. benchmarks resnet20 and resnet110 fp32/bf16 training steps: kdbench_step_bench next to
#      bench/pytorch_step_bench.py on the same GPU (samples/s, peak GPU memory).
# Its log (gpu-check.log) and the results table (results.md) go to --out (default $OUT when set,
# else gpu-check-out/). Under 8 minutes on a 16-core machine with one H200.
#
# --dry-run: validates what it can (PyTorch with CUDA? a GPU visible? the deps present? the
# tools?) and prints every command it would run, without running them.
# Exit codes: 0 every step passed; 1 a step failed (see the log); 2 bad arguments; 3 this
# machine lacks what the check needs (the message names it: GPU, PyTorch, deps, tool); with
# --dry-run also 3 when something is missing, after printing every step.
# shellcheck disable=SC2317  # the step functions are called through run()
set -uo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$src/gpu-check-out}
deps=$src/gpu-deps
build=$src/build-gpu
python=${PYTHON:-python3}
jobs=$(nproc)
dry_run=0
usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; }
need_value() { [[ $2 -ge 2 ]] || { echo "gpu-check.sh: $1 needs a value" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) need_value "$1" $#; out=$2; shift 2 ;;
    --deps) need_value "$1" $#; deps=$2; shift 2 ;;
    --build) need_value "$1" $#; build=$2; shift 2 ;;
    --python) need_value "$1" $#; python=$2; shift 2 ;;
    --jobs) need_value "$1" $#; jobs=$2; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "gpu-check.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "gpu-check.sh: --jobs: '$jobs' is not a positive integer" >&2; exit 2; }

mkdir -p "$out" && out=$(cd "$out" && pwd)
log=$out/gpu-check.log
: > "$log"
say() { echo "gpu-check: $*" | tee -a "$log"; }
missing=()
lack() { missing+=("$1"); say "MISSING: $1"; }

# ---- preflight: what this machine has --------------------------------------------------------
say "$(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname), source $src"
torch_info=$("$python" - 2>&1 << 'EOF'
import torch, os
cuda = torch.version.cuda or ""
count = torch.cuda.device_count() if cuda else 0
name = torch.cuda.get_device_name(0) if count else ""
cap = "%d.%d" % torch.cuda.get_device_capability(0) if count else ""
nccl = ""
try:
    import nvidia.nccl
    nccl = list(nvidia.nccl.__path__)[0]
except Exception:
    pass
print(f"version={torch.__version__}")
print(f"cmake={torch.utils.cmake_prefix_path}")
print(f"abi={int(torch._C._GLIBCXX_USE_CXX11_ABI)}")
print(f"cuda={cuda}")
print(f"gpus={count}")
print(f"gpu_name={name}")
print(f"capability={cap}")
print(f"nccl={nccl}")
EOF
)
field() { sed -n "s/^$1=//p" <<< "$torch_info" | head -n 1; }
if [[ -z $(field version) ]]; then
  lack "PyTorch: '$python' cannot import torch ($(tail -n 1 <<< "$torch_info")); install a CUDA build of PyTorch or pass --python"
else
  say "PyTorch $(field version) ($python), LibTorch CMake config in $(field cmake), C++11 ABI $(field abi)"
  [[ -n $(field cuda) ]] || lack "PyTorch with CUDA: torch $(field version) is a CPU-only build"
fi
smi=$(nvidia-smi -L 2> /dev/null | head -n 8)
gpus=$(field gpus)
if [[ ${gpus:-0} -gt 0 ]]; then
  say "GPU: $gpus visible to PyTorch, GPU 0 is $(field gpu_name) (compute capability $(field capability))"
else
  lack "an NVIDIA GPU: none is visible (nvidia-smi: ${smi:-not found or no device}; torch.cuda.device_count() = ${gpus:-unknown})"
fi
for tool in cmake c++; do
  command -v "$tool" > /dev/null || lack "tool: $tool is not on PATH"
done
command -v nvcc > /dev/null || [[ -x /usr/local/cuda/bin/nvcc ]] ||
  lack "tool: nvcc (the CUDA toolkit; LibTorch's CMake config looks for it) is neither on PATH nor in /usr/local/cuda/bin"
# LibTorch's CMake config would otherwise probe the GPU for the CUDA architectures to build for.
arch=$(field capability)
[[ -z $arch ]] || export TORCH_CUDA_ARCH_LIST=$arch
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)

# The deps' libraries are for kdbench's programs and mpirun only (deps_env), never for cmake, the
# compiler or Python: the GPU machine's own builds of libcurl, libssl etc. must stay theirs.
# The linker finds the deps' indirect libraries through -rpath-link instead.
with_mpi=OFF
deps_env=(env)
if [[ ! -r $deps/env.sh ]]; then
  lack "deps: $deps/env.sh not found; run scripts/gpu-deps.sh on a Debian 12 machine and copy its folder here (or pass --deps DIR)"
else
  saved_ld=${LD_LIBRARY_PATH-}
  # shellcheck source=/dev/null
  source "$deps/env.sh"
  deps_env=(env "LD_LIBRARY_PATH=$LD_LIBRARY_PATH")
  if [[ -n $saved_ld ]]; then export LD_LIBRARY_PATH=$saved_ld; else unset LD_LIBRARY_PATH; fi
  if [[ ${KDBENCH_DEPS_MPI:-0} == 1 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    # One node: shared memory between ranks, no network transports to probe.
    export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
    if "${deps_env[@]}" timeout 30 mpirun --oversubscribe -np 2 true >> "$log" 2>&1; then
      with_mpi=ON
    else
      say "mpirun from $deps does not start (see the log); building with -DKDBENCH_WITH_MPI=OFF"
    fi
  fi
  say "deps: $deps (MPI $with_mpi)"
fi

nccl_args=()
nccl=$(field nccl)
if [[ -n $nccl && -r $nccl/include/nccl.h ]]; then
  # The wheel ships only libnccl.so.2 (no unversioned link for find_library to find).
  nccl_args=(-DNCCL_INCLUDE_DIR="$nccl/include" -DNCCL_LIBRARY="$(find "$nccl/lib" -name 'libnccl.so*' | sort | head -n 1)")
fi

libs=${KDBENCH_DEPS_ROOT:-$deps/root}/usr/lib/x86_64-linux-gnu
mpi_args=()
if [[ $with_mpi == ON ]]; then
  # Open MPI's mpicxx wrapper would need the deps on LD_LIBRARY_PATH: name the library instead.
  mpi_args=(-DMPI_SKIP_COMPILER_WRAPPER=ON -DMPI_CXX_SKIP_MPICXX=ON -DMPI_CXX_LIB_NAMES=mpi
    -DMPI_mpi_LIBRARY="$libs/openmpi/lib/libmpi.so" -DMPI_CXX_HEADER_DIR="$libs/openmpi/include")
fi
configure=(cmake -S "$src" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release
  -DKDBENCH_BUILD_TESTS=ON -DKDBENCH_WITH_MPI="$with_mpi" -DKDBENCH_WITH_NCCL=AUTO
  -DCMAKE_PREFIX_PATH="$(field cmake);${CMAKE_PREFIX_PATH:-}"
  -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$(field abi)"
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$libs:$libs/hdf5/serial:$libs/openmpi/lib:$libs/pmix2/lib"
  "${mpi_args[@]}" "${nccl_args[@]}")
data=$out/cifar10-random
grid=$out/tiny-cuda.ini
bench_models=(resnet20 resnet110)
bench_precisions=(fp32 bf16)

# Every step: a name and the command; run() logs it, runs it unless --dry-run, records the result.
results=()
failed=0
run() {
  local name=$1; shift
  say "step $name: $(printf '%q ' "$@")"
  [[ $dry_run == 1 ]] && return 0
  local start=$SECONDS
  if "$@" >> "$log" 2>&1; then
    results+=("| $name | ok | $((SECONDS - start)) s |")
  else
    local rc=$?
    results+=("| $name | FAILED (exit $rc) | $((SECONDS - start)) s |")
    failed=1
    say "step $name FAILED (exit $rc); the log: $log"
    return 1
  fi
}

if [[ ${#missing[@]} -gt 0 && $dry_run == 0 ]]; then
  say "cannot run here (${#missing[@]} missing; --dry-run lists every step):"
  printf '  - %s\n' "${missing[@]}" | tee -a "$log"
  exit 3
fi

# Random CIFAR-10-shaped data (label byte + 3x32x32 bytes per image): the machine needs no
# dataset, and the check is about devices, not accuracy.
make_data() {
  mkdir -p "$data" && "$python" - "$data" << 'EOF'
import os, random, sys
rng = random.Random(0)
def write(name, count):
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        for _ in range(count):
            f.write(bytes([rng.randrange(10)]) + rng.randbytes(3072))
for i in range(1, 6):
    write(f"data_batch_{i}.bin", 200)
write("test_batch.bin", 200)
EOF
}
make_grid() {
  cat > "$grid" << EOF
; gpu-check.sh: a tiny grid on random CIFAR-10-shaped data, trained on CUDA.
[grid]
name     = tiny-cuda
dataset  = cifar10
data_dir = $data
teachers = resnet8
students = cnn2
methods  = nokd kd
seeds    = 1
results  = $out/tiny-cuda.h5
artifacts = $out/tiny-cuda-artifacts
[train]
epochs = 2
batch_size = 64
val_fraction = 0.1
test_subset = 200
precision = bf16
EOF
}
grid_done() {  # grid_done RESULTS: kdbench status ends with "N runs: N DONE", N > 0
  local status
  status=$("${deps_env[@]}" "$build/kdbench" status "$1") || return 1
  echo "$status"
  tail -n 1 <<< "$status" | grep -Eq '^([1-9][0-9]*) runs: \1 DONE$'
}

run configure "${configure[@]}" || { say "configure failed"; exit 1; }
run build cmake --build "$build" -j "$jobs" || { say "build failed"; exit 1; }
run gpu-tests "${deps_env[@]}" ctest --test-dir "$build" -L gpu --no-tests=error --output-on-failure --timeout 300
run grid-data make_data
run grid-file make_grid
run grid-1-rank "${deps_env[@]}" "$build/kdbench" run "$grid" --device cuda --results "$out/tiny-cuda-1rank.h5"
run grid-1-rank-done grid_done "$out/tiny-cuda-1rank.h5"
if [[ $with_mpi == ON ]]; then
  run grid-2-ranks "${deps_env[@]}" mpirun --oversubscribe -np 2 "$build/kdbench" run "$grid" --device cuda \
    --results "$out/tiny-cuda-2ranks.h5"
  run grid-2-ranks-done grid_done "$out/tiny-cuda-2ranks.h5"
fi

# Benchmarks: one line per run, "samples/s ... peak_mem_mib ...", collected into the table.
bench_rows=()
bench() {  # bench IMPL MODEL PRECISION COMMAND...
  local impl=$1 model=$2 precision=$3; shift 3
  local file=$out/bench-$impl-$model-$precision.txt
  # shellcheck disable=SC2016  # expanded by the inner bash: $0 is the file, $@ the command
  run "bench-$impl-$model-$precision" bash -c '"$@" > "$0"' "$file" "$@" || return 0
  [[ $dry_run == 1 ]] && return 0
  local rate mem
  rate=$(sed -n 's/.*samples_per_s=\([0-9.]*\).*/\1/p' "$file" | tail -n 1)
  mem=$(sed -n 's/.*peak_mem_mib=\([0-9.]*\).*/\1/p' "$file" | tail -n 1)
  bench_rows+=("| $model | $precision | $impl | ${rate:-?} | ${mem:-?} |")
}
for model in "${bench_models[@]}"; do
  for precision in "${bench_precisions[@]}"; do
    bench kdbench "$model" "$precision" "${deps_env[@]}" "$build/bench/kdbench_step_bench" --model "$model" \
      --device cuda --precision "$precision" --batch 128 --steps 60 --windows 5
    bench pytorch "$model" "$precision" "$python" \
      "$src/bench/pytorch_step_bench.py" --model "$model" --device cuda --precision "$precision" \
      --batch 128 --steps 60 --windows 5
  done
done

if [[ $dry_run == 1 ]]; then
  if [[ ${#missing[@]} -gt 0 ]]; then
    say "dry run: every step above; cannot run here (${#missing[@]} missing):"
    printf '  - %s\n' "${missing[@]}" | tee -a "$log"
    exit 3
  fi
  say "dry run: every step above; this machine has what the check needs"
  exit 0
fi

{
  echo "# kdbench GPU check"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(hostname), GPU 0: $(field gpu_name) ($gpus visible)," \
    "PyTorch $(field version), CUDA $(field cuda), MPI $with_mpi, git $(git -C "$src" rev-parse --short=12 HEAD 2> /dev/null || echo '?')."
  echo
  echo "| step | result | time |"
  echo "|---|---|---|"
  printf '%s\n' "${results[@]}"
  echo
  echo "Training step, batch 128, random CIFAR-shaped data (median of 5 windows after warm-up):"
  echo
  echo "| model | precision | implementation | samples/s | peak GPU memory (MiB) |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${bench_rows[@]}"
} > "$out/results.md"
tee -a "$log" < "$out/results.md"
say "log: $log; table: $out/results.md; total $SECONDS s"
exit "$failed"
