#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/README.md) with clang into build-fuzz/ and runs each for
# SECONDS (default 60), two at a time, starting from the checked-in seeds in fuzz/corpus/<target>/.
# Prints per target: executions, coverage (cov: edges, ft: features), corpus size and findings.
# A crash, sanitizer report, leak, timeout (> 10 s per input), an allocation over 1 GiB or a
# process over 3 GiB is a finding: its input is kept in build-fuzz/findings/<target>/ and the
# script exits 1. Reproduce one with: build-fuzz/fuzz/fuzz_<target> <file>
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: idx cifar grid results safetensors text
#                                                 paper_numbers)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(idx cifar grid results safetensors text paper_numbers)
build=${KDBENCH_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${KDBENCH_BUILD_JOBS:-$(nproc)}
parallel=${KDBENCH_FUZZ_JOBS:-2}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] \
  || { echo "fuzz: SECONDS must be a positive number of seconds, found '$seconds'" >&2; exit 2; }
command -v clang++ >/dev/null \
  || { echo "fuzz: clang++ not found (install it with scripts/setup.sh --with-fuzz)" >&2; exit 2; }

# Longest input per target: a few records/images is all a reader's logic needs; longer inputs
# only slow every execution down.
declare -A max_len=([idx]=4096 [cifar]=8192 [grid]=4096 [results]=4096 [safetensors]=4096 [text]=4096
                   [paper_numbers]=2048)
for t in "${targets[@]}"; do
  [[ -n ${max_len[$t]:-} ]] || { echo "fuzz: unknown target '$t' (allowed: idx cifar grid results safetensors text paper_numbers)" >&2; exit 2; }
done

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DKDBENCH_BUILD_FUZZERS=ON -DKDBENCH_BUILD_TESTS=OFF \
  -DKDBENCH_WITH_NCCL=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
run_one() {
  local t=$1 work=$build/fuzz-corpus/$1 findings=$build/findings/$1 log=$build/fuzz-$1.log
  rm -rf "$findings"  # each run reports its own findings
  mkdir -p "$work" "$findings"
  # New inputs go to the work corpus; the checked-in seeds stay as they are.
  local rc=0
  "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 \
    -rss_limit_mb=3072 -malloc_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$work" "$root/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  echo "$rc" >"$build/fuzz-$t.rc"
}
pids=()
for t in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
  run_one "$t" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done

status=0
printf '%-8s %12s %8s %8s %8s  %s\n' target executions cov ft corpus findings
for t in "${targets[@]}"; do
  log=$build/fuzz-$t.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.*corp: \([0-9]*\).*/\1/p' <<<"$last")
  found=$(find "$build/findings/$t" -type f | wc -l)
  rc=$(cat "$build/fuzz-$t.rc")
  if ((found > 0 || rc != 0)) || grep -qE '^==[0-9]+==ERROR|runtime error:|^SUMMARY: ' "$log" || [[ -z $execs ]]; then
    status=1
    printf '%-8s %12s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
      "FOUND: see $log, inputs in $build/findings/$t/"
  else
    printf '%-8s %12s %8s %8s %8s  %s\n' "$t" "$execs" "$cov" "$ft" "$corp" none
  fi
done
exit $status
