#!/usr/bin/env bash
# Every KD method end to end under `mpirun -np 2` on a Fashion-MNIST subset: every run DONE with a
# finite loss curve; the TAKD assistant is a task of its own; the checkpoint axis gives kd a run per
# teacher checkpoint.
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
grid=$src/tests/e2e/all-methods-tiny.ini
"$kdbench" plan "$grid" | tee plan.txt
for m in nokd kd takd annealing prokd continuation combined dkd dist; do
  grep -q "^method $m " plan.txt || { echo "plan does not list method $m"; exit 1; }
done
# 1 teacher + nokd + prokd (walks the trajectory itself: no checkpoint axis)
# + 2 checkpoints x (kd takd annealing continuation combined dkd dist) + 2 assistants (one per
# teacher checkpoint: the axis applies to the chain's first link)
expected=19
mpirun -np 2 --oversubscribe "$kdbench" run "$grid" --results all.h5 2>&1 | tail -5
/usr/bin/python3 "$src/tests/e2e/h5check.py" done all.h5 $expected
/usr/bin/python3 - all.h5 <<'PY'
import json, sys
import h5py
f = h5py.File(sys.argv[1], "r")
runs = {k: {a: (v.decode() if isinstance(v, bytes) else v) for a, v in g.attrs.items()} for k, g in f["runs"].items()}
methods = {r["method"] for r in runs.values() if r["kind"] == "student"}
assert methods == {"nokd", "kd", "takd", "annealing", "prokd", "continuation", "combined", "dkd", "dist"}, methods
assistants = [r for r in runs.values() if r["kind"] == "assistant"]
assert len(assistants) == 2 and all(a["model"] == "cnn4" for a in assistants), assistants
takd = [r for r in runs.values() if r["method"] == "takd" and r["kind"] == "student"]
assert all(json.loads(r["chain"]) == ["cnn8", "cnn4", "cnn2"] for r in takd), [r["chain"] for r in takd]
kd_ckpts = sorted(int(r["teacher_checkpoint"]) for r in runs.values() if r["method"] == "kd")
assert kd_ckpts == [-1, 1], kd_ckpts
annealing = [k for k, r in runs.items() if r["method"] == "annealing"]
assert all(len(f["runs"][k]["epoch"]) == 4 for k in annealing), "annealing: 2 + 2 epochs"
for r in runs.values():
    assert json.loads(r["method_params"]) is not None
print("all_methods: every method DONE;", len(runs), "runs")
PY
