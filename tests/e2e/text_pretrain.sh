#!/usr/bin/env bash
# [pretrain] end to end under `mpirun -np 2` on the tiny CoLA-layout task of make_text_data.py:
# the teacher model is masked-LM-pretrained once (a `pretrain` run in results.h5 with its MLM
# curve, its encoder saved as a Hugging Face directory), the teacher and the kd student depend on
# it, the teacher starts from that encoder exactly as `init = DIR` does (a grid with `[teacher]
# init = <the saved encoder>` trains a bitwise-equal teacher), a rerun pretrains nothing, and the
# report names the pretraining. Then the bad [pretrain] inputs: exit 2, one line. Last, a gang
# of 2 pretrains ([gang_size] bert-L2-H64 = 2): its record names the gang, the teacher starts
# from its encoder.
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
/usr/bin/python3 "$src/tests/e2e/make_text_data.py" .
cat > grid.ini <<INI
[grid]
name      = text-pretrain
dataset   = glue-cola
data_dir  = $work/cola
vocab     = $work/vocab.txt
max_seq_length = 24
teachers  = bert-L2-H64
students  = bert-L1-H64
methods   = nokd kd
seeds     = 1
results   = results.h5
artifacts = artifacts
[train]
epochs       = 2
batch_size   = 16
optimizer    = adamw
lr           = 2e-3
lr_schedule  = linear
warmup_ratio = 0.1
val_fraction = 0.2
threads      = 1
[pretrain]
models     = bert-L2-H64
steps      = 30
eval_every = 10
batch_size = 16
lr         = 2e-3
INI
"$kdbench" plan grid.ini > plan.log
grep -q "^pretrain bert-L2-H64: masked-LM, 30 steps of 16 sequences on grid" plan.log || { cat plan.log; exit 1; }
pkey=$(awk '$2 == "pretrain" {print $1}' plan.log)
tkey=$(awk '$2 == "teacher" {print $1}' plan.log)
[[ -n $pkey && -n $tkey ]] || { cat plan.log; exit 1; }
awk -v p="$pkey" '$2 == "teacher" && $NF != p {exit 1}' plan.log || { echo "teacher does not depend on $pkey"; cat plan.log; exit 1; }

mpirun -np 2 --oversubscribe "$kdbench" run grid.ini > run.log 2>&1 || { tail -20 run.log; exit 1; }
/usr/bin/python3 "$src/tests/e2e/h5check.py" done results.h5 4
[[ $(grep -c "pretrain bert-L2-H64 seed 0: val MLM loss" run.log) -eq 1 ]] || { echo "pretrained not once"; exit 1; }
enc=artifacts/$pkey/encoder
[[ -f $enc/config.json && -f $enc/model.safetensors ]] || { echo "no encoder in $enc"; exit 1; }
[[ -z $(ls -d artifacts/"$pkey"/encoder.tmp-* 2>/dev/null) ]] || { echo "temporary encoder left"; exit 1; }
[[ ! -e artifacts/$pkey/pretrain-state.pt ]] || { echo "the finished pretraining left its state"; exit 1; }
/usr/bin/python3 - results.h5 "$pkey" "$work/$enc" <<'PY'
import json, sys
import h5py
import numpy as np
f = h5py.File(sys.argv[1], "r")
pkey, enc = sys.argv[2], sys.argv[3]
text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
runs = {k: g for k, g in f["runs"].items()}
pre = [k for k, g in runs.items() if text(g.attrs["kind"]) == "pretrain"]
assert pre == [pkey], pre
g = runs[pkey]
a = g.attrs
assert text(a["model"]) == "bert-L2-H64" and text(a["status"]) == "DONE"
steps = g["epoch"][()]
assert list(steps) == [10, 20, 30], steps              # a point every eval_every steps
acc, loss = g["val_acc"][()], g["train_loss"][()]
assert np.all((acc >= 0) & (acc <= 1)) and np.all(np.isfinite(loss)), (acc, loss)
assert np.all(np.isnan(g["test_acc"][()]))               # no test split in pretraining
p = json.loads(a["config"])["pretrain"]
assert p["steps"] == 30 and p["corpus"] == ["grid"] and p["corpus_datasets"] == ["glue-cola"], p
assert p["val_mlm_accuracy"] == acc[-1] == a["best_val_acc"], (p, acc)
assert p["val_mlm_loss"] > 0 and p["seconds"] > 0 and p["sequences_per_second"] > 0, p
assert p["train_sequences"] == 192 and p["encoder"] == pkey + "/encoder", p
ev = json.loads(a["evaluations"])
assert [e["step"] for e in ev] == [10, 20, 30] and ev[-1]["val_loss"] == p["val_mlm_loss"], ev
# Every task of the pretrained model depends on it and started from its encoder.
for k, g in runs.items():
    kind, model = text(g.attrs["kind"]), text(g.attrs["model"])
    c = json.loads(g.attrs["config"])
    if kind == "pretrain":
        continue
    if model == "bert-L2-H64":
        assert c["pretrain"] == {"key": pkey, "encoder": pkey + "/encoder"}, c
        assert c["init"]["dir"].endswith(pkey + "/encoder"), c["init"]
        assert c["init"]["initialised"] == ["classifier.weight", "classifier.bias"], c["init"]
    else:
        assert "pretrain" not in c and "init" not in c, c
print("pretrain: one run, MLM curve at steps 10 20 30, val MLM acc %.3f; the teacher started "
      "from its encoder" % p["val_mlm_accuracy"])
PY

# A rerun pretrains nothing and trains nothing.
mpirun -np 2 --oversubscribe "$kdbench" run grid.ini > rerun.log 2>&1 || { tail -20 rerun.log; exit 1; }
if grep -q "pretrain bert-L2-H64 seed 0: start" rerun.log; then echo "the rerun pretrained again"; exit 1; fi
/usr/bin/python3 "$src/tests/e2e/h5check.py" attempts results.h5 1

# The same start as `init = DIR`: a grid whose teacher starts from the saved encoder directory
# trains a teacher bitwise equal to the pretrained grid's.
sed -e '/^\[pretrain\]/,$d' -e 's|^results   = .*|results   = init.h5|' \
    -e 's|^artifacts = .*|artifacts = init-artifacts|' -e 's|^methods   = .*|methods   = nokd|' grid.ini > init.ini
printf '[teacher]\ninit = %s\n' "$work/$enc" >> init.ini
mpirun -np 2 --oversubscribe "$kdbench" run init.ini > init.log 2>&1 || { tail -20 init.log; exit 1; }
/usr/bin/python3 - results.h5 init.h5 <<'PY'
import sys
import h5py
import numpy as np
def teacher(path):
    for k, g in h5py.File(path, "r")["runs"].items():
        if g.attrs["kind"] in (b"teacher", "teacher"):
            return {d: g[d][()] for d in ("train_loss", "val_acc", "test_acc")}
a, b = teacher(sys.argv[1]), teacher(sys.argv[2])
for d in a:
    assert np.array_equal(a[d], b[d]), (d, a[d], b[d])
print("pretrain: the teacher equals one started with init = the saved encoder, bit for bit")
PY

"$kdbench" status results.h5 | grep -q "pretrain.*bert-L2-H64.*DONE" || { "$kdbench" status results.h5; exit 1; }
"$kdbench" report results.h5 --out report > report.log 2>&1 || { cat report.log; exit 1; }
grep -q "bert-L2-H64: MLM-pretrained on glue-cola (its training split) for 30 steps, val" \
  report/tables/pretraining.tex || { echo "pretraining.tex lacks the provenance"; exit 1; }
grep -q "Masked-LM pretraining" report/report.tex || { echo "report.tex lacks the section"; exit 1; }
[[ -f report/figures/pretraining_mlm.tex ]] || { echo "no MLM curve figure"; exit 1; }
if command -v pdflatex > /dev/null; then [[ -f report/report.pdf ]] || { echo "no report.pdf"; exit 1; }; fi

# Bad [pretrain] input: exit 2, one line, nothing written.
expect_exit2() {  # NAME PATTERN SED
  sed -e "$3" -e 's|^results   = .*|results   = bad.h5|' -e 's|^artifacts = .*|artifacts = bad-artifacts|' \
    grid.ini > bad.ini
  set +e
  "$kdbench" run bad.ini > bad.out 2> bad.err
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || { echo "$1: exit $rc, want 2"; cat bad.err; exit 1; }
  [[ $(wc -l < bad.err) -eq 1 ]] || { echo "$1: not one line:"; cat bad.err; exit 1; }
  grep -q -- "$2" bad.err || { echo "$1: no '$2' in:"; cat bad.err; exit 1; }
  [[ ! -e bad.h5 && ! -e bad-artifacts ]] || { echo "$1: something written"; exit 1; }
}
expect_exit2 unknown-model "'bert-L4-H256' is not a model of this grid" 's/^models     = .*/models = bert-L4-H256/'
expect_exit2 zero-steps "\[pretrain\] steps: 0 is out of range" 's/^steps      = .*/steps = 0/'
expect_exit2 missing-corpus "\[pretrain\] corpus: $work/none/spam/train.tsv is missing" \
  "s|^steps      = .*|corpus = $work/none/spam|"
expect_exit2 init-conflict "choose one" "s|^\[pretrain\]|[teacher]\ninit = $work/$enc\n[pretrain]|"
echo "pretrain: bad inputs refused with exit 2 and one line"

# A stopped pretraining resumes from its last curve point: SIGTERM while the run pauses right after
# saving the state of step 10 -> exit 3, the task INTERRUPTED, the state on disk; the rerun
# continues at step 10, removes the state and saves an encoder bitwise equal to the
# uninterrupted one's.
sed -e 's|^results   = .*|results   = stop.h5|' -e 's|^artifacts = .*|artifacts = stop-artifacts|' \
    -e 's|^methods   = .*|methods   = nokd|' grid.ini > stop.ini
KDBENCH_TEST_PAUSE_AT=pretrain-state KDBENCH_TEST_PAUSE_SECONDS=5 "$kdbench" run stop.ini > stop1.log 2>&1 &
stop_pid=$!
for _ in $(seq 600); do grep -q "kdbench test pause: pretrain-state" stop1.log && break; sleep 0.05; done
grep -q "kdbench test pause: pretrain-state" stop1.log || { cat stop1.log; echo "no pause"; exit 1; }
kill -TERM "$stop_pid"
set +e; wait "$stop_pid"; rc=$?; set -e
[[ $rc -eq 3 ]] || { tail -20 stop1.log; echo "stopped pretraining: exit $rc, want 3"; exit 1; }
grep -q "masked-LM pretraining stopped at step 10 of 30 (.*resumes from step 10" stop1.log ||
  { cat stop1.log; echo "not stopped at step 10"; exit 1; }
[[ -f stop-artifacts/$pkey/pretrain-state.pt ]] || { echo "no pretraining state after the stop"; exit 1; }
"$kdbench" run stop.ini > stop2.log 2>&1 || { tail -20 stop2.log; exit 1; }
grep -q "resuming masked-LM pretraining at step 10 of 30" stop2.log || { cat stop2.log; echo "no resume"; exit 1; }
[[ ! -e stop-artifacts/$pkey/pretrain-state.pt ]] || { echo "the resumed run left its state"; exit 1; }
cmp stop-artifacts/"$pkey"/encoder/model.safetensors artifacts/"$pkey"/encoder/model.safetensors ||
  { echo "the resumed pretraining's encoder differs from the uninterrupted one"; exit 1; }
echo "pretrain: stopped at step 10, resumed there, the encoder equals the uninterrupted one bit for bit"

# A gang pretrains ([gang_size] MODEL = 2, under mpirun -np 2): the pretrain run is DONE with its
# full curve and names its gang of 2 ranks; the encoder is saved once (by the root), whole; the
# teacher, also a gang, starts from it.
sed -e 's|^results   = .*|results   = gang.h5|' -e 's|^artifacts = .*|artifacts = gang-artifacts|' \
    -e 's|^methods   = .*|methods   = nokd|' grid.ini > gang.ini
printf '[gang_size]\nbert-L2-H64 = 2\n' >> gang.ini
"$kdbench" plan gang.ini | grep -q "gangs (.*): pretrain bert-L2-H64=2 teacher bert-L2-H64=2" || { "$kdbench" plan gang.ini; exit 1; }
mpirun -np 2 --oversubscribe "$kdbench" run gang.ini > gang.log 2>&1 || { tail -20 gang.log; exit 1; }
grep -q "pretrain bert-L2-H64 seed 0: start (.*gang of 2)" gang.log || { cat gang.log; echo "no gang start"; exit 1; }
[[ -f gang-artifacts/$pkey/encoder/model.safetensors ]] || { echo "the gang saved no encoder"; exit 1; }
[[ -z $(ls -d gang-artifacts/"$pkey"/encoder.tmp-* 2>/dev/null) ]] || { echo "temporary encoder left"; exit 1; }
[[ ! -e gang-artifacts/$pkey/pretrain-state.pt ]] || { echo "the gang left its pretraining state"; exit 1; }
/usr/bin/python3 - gang.h5 "$pkey" <<'PY'
import json, sys
import h5py
import numpy as np
text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
runs = dict(h5py.File(sys.argv[1], "r")["runs"].items())
g = runs[sys.argv[2]]
a = g.attrs
assert text(a["kind"]) == "pretrain" and text(a["status"]) == "DONE", dict(a)
gang = json.loads(a["gang"])
assert gang["size"] == 2 and sorted(gang["ranks"]) == [0, 1] and len(gang["hosts"]) == 2, gang
assert list(g["epoch"][()]) == [10, 20, 30] and np.all(np.isfinite(g["train_loss"][()]))
loss = g["train_loss"][()]
assert loss[-1] < loss[0], loss  # the gang's steps learn
for k, r in runs.items():
    assert text(r.attrs["status"]) == "DONE", (k, text(r.attrs["error"]))
    if text(r.attrs["model"]) == "bert-L2-H64" and text(r.attrs["kind"]) != "pretrain":
        assert json.loads(r.attrs["config"])["init"]["dir"].endswith(sys.argv[2] + "/encoder")
print("pretrain: a gang of 2 pretrained (gang %s), MLM train loss %.3f -> %.3f; the teacher "
      "started from its encoder" % (gang["ranks"], loss[0], loss[-1]))
PY
