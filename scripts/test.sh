#!/usr/bin/env bash
# Installs what is missing, builds kdbench with its tests, and runs the whole test suite (ctest).
# Extra arguments go to ctest, e.g. scripts/test.sh -L unit   or   scripts/test.sh -R Grid
#
# It shares build/ with scripts/quickstart.sh, which configures KDBENCH_BUILD_TESTS=OFF; CMake
# keeps cached values, so the tests are switched on explicitly here, and ctest fails when it finds
# no tests instead of reporting an empty run as a pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" --with-slurm
"$root/scripts/build.sh" -DKDBENCH_BUILD_TESTS=ON
# Open MPI refuses to run as root unless told; CI runs as root.
if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
cd "$root/build"
ctest --output-on-failure --no-tests=error --timeout 900 "$@"
