#!/usr/bin/env bash
# Clean-build time of the quickstart build (Release, tests off: what scripts/quickstart.sh builds)
# for one or more git revisions, one after the other on this machine. Each revision is checked out
# into a temporary worktree and built from an empty build directory with -j$(nproc).
#   bench/build_time.sh REV [REV ...]          e.g. bench/build_time.sh 8fe43f0 HEAD
# Prints one line per revision: wall seconds, user+sys CPU seconds, objects compiled.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${KDBENCH_BUILD_JOBS:-$(nproc)}
tmp=$(mktemp -d)
trap 'git -C "$root" worktree prune; rm -rf "$tmp"' EXIT
printf '%-14s %8s %8s %8s %s\n' revision wall_s cpu_s objects machine
for rev in "$@"; do
  src=$tmp/src-$rev
  git -C "$root" worktree add -q --detach "$src" "$rev"
  cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DKDBENCH_BUILD_TESTS=OFF >/dev/null
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$tmp/cpu" cmake --build "$src/build" -j "$jobs" >"$tmp/build-$rev.log" 2>&1 \
    || { echo "build of $rev failed: $tmp/build-$rev.log" >&2; tail -20 "$tmp/build-$rev.log" >&2; exit 1; }
  wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  cpu=$(awk '{print $1 + $2}' "$tmp/cpu")
  objects=$(find "$src/build" -name '*.o' | wc -l)
  printf '%-14s %8.0f %8.0f %8d %s\n' "$rev" "$wall" "$cpu" "$objects" "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  git -C "$root" worktree remove --force "$src"
done
