#!/usr/bin/env bash
# Configures and builds kdbench (CMake, Release) into build/. Extra arguments go to cmake's
# configure step, e.g. scripts/build.sh -DKDBENCH_BUILD_TESTS=OFF.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${KDBENCH_BUILD_JOBS:-$(nproc)}
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$root/build" -j "$jobs"
