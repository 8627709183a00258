#!/usr/bin/env bash
# Every grid kdbench ships plans: `kdbench plan --no-data-check` on each suite/grids/*.ini exits 0
# without its data or weights on this machine (staged on the cluster) and lists the grid's
# tasks. The paper replicas plan with their teachers, students and every method they list, and
# write nothing.
# Usage: plan_shipped_grids.sh KDBENCH SOURCE_DIR WORK_DIR
set -euo pipefail
kdbench=$1 source=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

count=0
for grid in "$source"/suite/grids/*.ini; do
  name=$(basename "$grid" .ini)
  "$kdbench" plan "$grid" --no-data-check >"$name.plan" 2>&1 || fail "$name does not plan: $(tail -3 "$name.plan")"
  grep -q "tasks" "$name.plan" || fail "$name: the plan names no tasks: $(head -5 "$name.plan")"
  # The models and methods of the grid's [grid] section all appear in its plan.
  for key in teachers students methods; do
    values=$(sed -n "/^\[grid\]/,/^\[/{s/;.*//;s/^$key *= *//p}" "$grid")
    for v in $values; do
      grep -qw -- "$v" "$name.plan" || fail "$name: $key value '$v' is not in its plan"
    done
  done
  count=$((count + 1))
done
[[ $count -ge 15 ]] || fail "only $count grids found in $source/suite/grids"
for paper in paper-annealing-glue paper-continuation-glue paper-prokd-glue paper-combined-glue; do
  [[ -s $paper.plan ]] || fail "the replica grid $paper.ini is missing"
done
[[ -z $(ls -d results artifacts 2>/dev/null) ]] || fail "plan wrote files"
echo "all $count shipped grids plan"
