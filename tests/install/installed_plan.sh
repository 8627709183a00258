#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then the installed kdbench plans an installed grid
# from a directory outside the source and build trees: nothing may assume the source checkout.
# Usage: installed_plan.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 source=$2 work=$3
rm -rf "$work" && mkdir -p "$work/elsewhere"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
fail() { echo "FAIL: $*" >&2; exit 1; }

for f in bin/kdbench share/kdbench/grids/quickstart.ini share/kdbench/grids/all-methods.ini \
         share/kdbench/slurm/kdbench-mpi.sbatch share/doc/kdbench/README.md \
         share/doc/kdbench/design.md share/doc/kdbench/methods.md share/man/man1/kdbench.1; do
  [[ -e $prefix/$f ]] || fail "not installed: $f"
done
groff -man -Tutf8 -ww -z "$prefix/share/man/man1/kdbench.1" 2>"$work/groff.log" || fail "man page: $(cat "$work/groff.log")"
[[ ! -s $work/groff.log ]] || fail "man page warnings: $(cat "$work/groff.log")"

cd "$work/elsewhere"
# The source tree is hidden from the installed binary's view of the world: run with a different
# working directory and check that no path in the installed text files names the checkout.
if grep -rl -- "$source" "$prefix/share" >/dev/null; then
  fail "installed files name the source tree: $(grep -rl -- "$source" "$prefix/share")"
fi
"$prefix/bin/kdbench" --version | grep -q '^kdbench ' || fail "--version"
"$prefix/bin/kdbench" plan "$prefix/share/kdbench/grids/quickstart.ini" >plan.txt 2>&1 \
  || fail "installed plan failed: $(cat plan.txt)"
grep -q "cnn2" plan.txt && grep -q "method kd" plan.txt || fail "plan lacks the grid's tasks: $(cat plan.txt)"
[[ ! -e results && ! -e artifacts ]] || fail "plan wrote files"
echo "installed kdbench planned the installed quickstart grid from $PWD"
