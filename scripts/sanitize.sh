#!/usr/bin/env bash
# Builds the libraries and the unit and mpi tests with AddressSanitizer + UndefinedBehaviorSanitizer
# into build-asan/ and runs them (ctest -L 'unit|mpi'); the e2e, slurm and install tests are left
# to scripts/test.sh: they run the same library code through the CLI, only slower.
# Any finding stops the test that hit it (halt_on_error=1), so a finding fails the run.
# LibTorch, Open MPI and HDF5 are not instrumented; their known reports are suppressed in
# scripts/sanitizers/*.supp (third-party code only, each entry explained there).
# The reports and slurm tests are left out as well: they check LaTeX/Markdown output and sbatch
# scripts, not memory handling, and their 8 test files (of 62) lengthen the sanitizer build (CI has
# 2 cores); the library code they cover still runs sanitized through the CLI in the mpi tests.
# Usage: scripts/sanitize.sh [extra ctest arguments]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KDBENCH_ASAN_BUILD_DIR:-$root/build-asan}
jobs=${KDBENCH_BUILD_JOBS:-$(nproc)}
supp=$root/scripts/sanitizers
excluded="e2e|slurm|install|gpu"  # labels a test may carry beside unit or mpi
# Test names (see above). mpi.graceful_stop trains a grid through the CLI twice per signal (over
# 4 minutes sanitized); the resume code it drives runs sanitized in test_train's resume tests.
# mpi.ranks_agree trains one grid on 1, 2 and 3 ranks through the CLI (88 s sanitized, the
# longest entry); the coordinator and worker code it drives runs sanitized in test_mpi.
skipped="^(test_(reports|slurm)|mpi\.(graceful_stop|ranks_agree))"
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKDBENCH_BUILD_TESTS=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
# Only the test binaries ctest -L 'unit|mpi' runs (and what they link), not the CLI or benches.
mapfile -t targets < <(ctest --test-dir "$build" -N -L 'unit|mpi' -LE "$excluded" -E "$skipped" \
  --show-only=json-v1 | python3 -c '
import json, os, sys
seen = []
for t in json.load(sys.stdin)["tests"]:
    # A test named after its binary runs it directly; the others name it in their command.
    for name in [t["name"]] + [os.path.basename(a) for a in t.get("command", [])]:
        if name.startswith(("test_", "kdbench")) and "." not in name and name not in seen:
            seen.append(name)
print("\n".join(seen))')
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

asan="halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_init_order=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
cd "$build"
status=0
# The unit tests: ASan's fast stack unwinding (frame pointers).
ASAN_OPTIONS=$asan ctest --output-on-failure --no-tests=error --timeout 900 -L unit \
  -LE "mpi|$excluded" -E "$skipped" "$@" || status=1
# The mpi tests: MPI_Init and Open MPI's progress thread leave allocations that Open MPI never
# frees. Their stacks pass through libraries built without frame pointers, so only full unwinding
# (fast_unwind_on_malloc=0, about 2x slower) reaches the Open MPI frame that lsan.supp names; and
# Open MPI keeps its plugins loaded (disable_dlclose) so their frames have a module name.
ASAN_OPTIONS="$asan:fast_unwind_on_malloc=0" OMPI_MCA_mca_base_component_disable_dlclose=1 \
  ctest --output-on-failure --no-tests=error --timeout 900 -L mpi -LE "$excluded" -E "$skipped" \
  "$@" || status=1
exit $status
