#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with ctest.
# Extra arguments go to ctest, e.g. scripts/test.sh -L unit   or   scripts/test.sh -R Grid
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" --with-slurm
"$root/scripts/build.sh"
# Open MPI refuses to run as root unless told; CI runs as root.
if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
cd "$root/build"
ctest --output-on-failure --timeout 900 "$@"
