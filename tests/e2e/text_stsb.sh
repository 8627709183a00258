#!/usr/bin/env bash
# STS-B regression end to end under `mpirun -np 2`, on a task in STS-B's released layout that
# make_text_data.py writes: one real-valued output, MSE to the scores for the teacher and nokd, the
# methods' regression forms (kd, annealing, continuation), Pearson selecting the best epoch and
# stored per run with the accuracy fields NaN (h5py), `kdbench report` labelling its columns
# Pearson. Then the methods that need class labels (dkd, dist): exit 2 and one line each.
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
/usr/bin/python3 "$src/tests/e2e/make_text_data.py" .
cat > grid.ini <<INI
[grid]
name      = text-stsb
dataset   = glue-stsb
data_dir  = $work/stsb
vocab     = $work/vocab.txt
max_seq_length = 32
teachers  = bert-L2-H64
students  = bert-L1-H64
methods   = nokd kd annealing continuation
seeds     = 1
results   = results.h5
artifacts = artifacts
[train]
epochs       = 6
batch_size   = 16
optimizer    = adamw
lr           = 2e-3
weight_decay = 0.01
lr_schedule  = linear
warmup_ratio = 0.1
max_grad_norm = 1.0
val_fraction = 0.2
threads      = 1
[method.annealing]
tau_max = 3
stage1_epochs = 3
stage2_epochs = 3
[method.continuation]
t_max = 3
INI
mpirun -np 2 --oversubscribe "$kdbench" run grid.ini > run.log 2>&1 || { tail -20 run.log; exit 1; }
/usr/bin/python3 "$src/tests/e2e/h5check.py" done results.h5 5
/usr/bin/python3 - results.h5 <<'PY'
import sys
import h5py
import numpy as np
f = h5py.File(sys.argv[1], "r")
text = lambda v: v.decode() if isinstance(v, bytes) else v
for key, g in f["runs"].items():
    a = g.attrs
    assert text(a["metric"]) == "pearson", (key, a["metric"])
    val, test = g["val_metric"][()], g["test_metric"][()]
    assert np.all(np.abs(val) <= 1) and np.all(np.abs(test) <= 1), (key, val, test)
    best = int(a["best_epoch"])
    assert val[best - 1] == val.max() and a["best_val_metric"] == val.max(), (key, val, best)
    assert a["test_metric_at_best_val"] == test[best - 1], key
    # No class, no accuracy: NaN, never a misleading 0.
    for name in ("best_val_acc", "test_acc_at_best_val", "final_test_acc", "best_test_acc"):
        assert np.isnan(a[name]), (key, name, a[name])
    for name in ("train_acc", "val_acc", "test_acc"):
        assert np.all(np.isnan(g[name][()])), (key, name)
    loss = g["train_loss"][()]
    assert np.all(np.isfinite(loss)), (key, loss)
    if text(a["method"]) in ("", "nokd"):  # MSE to the scores alone: it falls
        assert loss[-1] < loss[0] / 2, (key, loss)
    # The score counts the "yes" tokens: 6 epochs learn it well beyond chance (Pearson 0).
    assert a["best_val_metric"] > 0.5, (key, val)
print("stsb: 5 runs, metric pearson, accuracies NaN, every run learned the scores")
PY
"$kdbench" report results.h5 --out report > report.log 2>&1 || { cat report.log; exit 1; }
grep -q "Pearson" report/tables/capacity_gap.tex || { echo "capacity_gap.tex has no Pearson column"; exit 1; }
# The CSV leaves the accuracy cells empty and carries the metric's.
/usr/bin/python3 - report/summary.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 5, len(rows)
for r in rows:
    assert r["best_val_acc"] == "" and r["metric"] == "pearson" and float(r["best_val_metric"]) > 50, r
print("stsb: summary.csv has empty accuracy cells and the Pearson columns")
PY

# [grid] metric = spearman: the same training with Spearman selecting: other keys, the metric
# stored, and the very same loss curves (only the selection differs).
sed -e "s/^methods .*/methods = nokd/" -e "s/^results .*/results = spearman.h5/" \
    -e "s/^seeds .*/seeds = 1\nmetric = spearman/" grid.ini > spearman.ini
mpirun -np 2 --oversubscribe "$kdbench" run spearman.ini > spearman.log 2>&1 || { tail -20 spearman.log; exit 1; }
/usr/bin/python3 - results.h5 spearman.h5 <<'PY'
import sys
import h5py
import numpy as np
text = lambda v: v.decode() if isinstance(v, bytes) else v
pearson, spearman = h5py.File(sys.argv[1], "r")["runs"], h5py.File(sys.argv[2], "r")["runs"]
assert len(spearman) == 2 and not set(spearman) & set(pearson), list(spearman)
for key, g in spearman.items():
    a = g.attrs
    assert text(a["metric"]) == "spearman", (key, a["metric"])
    twin = [p for p in pearson.values() if text(p.attrs["method"]) == text(a["method"])
            and text(p.attrs["kind"]) == text(a["kind"])][0]
    assert np.array_equal(g["train_loss"][()], twin["train_loss"][()]), key
    assert not np.array_equal(g["val_metric"][()], twin["val_metric"][()]), key
    assert a["best_val_metric"] == g["val_metric"][()].max(), key
print("stsb: metric = spearman selects by Spearman on the same training")
PY

for m in dkd dist; do
  sed "s/^methods .*/methods = kd $m/" grid.ini > bad.ini
  set +e
  "$kdbench" run bad.ini > bad.out 2> bad.err
  rc=$?
  set -e
  [[ $rc -eq 2 ]] || { echo "$m on stsb: exit $rc, want 2"; cat bad.err; exit 1; }
  [[ $(wc -l < bad.err) -eq 1 ]] || { echo "$m: not one line:"; cat bad.err; exit 1; }
  grep -q "method.$m.*regression task" bad.err || { echo "$m: unexpected:"; cat bad.err; exit 1; }
done
echo "stsb: dkd and dist refused with exit 2 and one line"
