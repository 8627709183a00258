#!/usr/bin/env bash
# A text grid end to end under `mpirun -np 2`, on a task in GLUE's CoLA layout that this script
# writes (no corpus download needed): a BERT teacher and student, nokd/kd/dkd and Combined-KD
# with its MATE-KD generator (short cycles, stage I of 2 epochs), the task's metric
# (Matthews correlation) selecting the best epoch and stored per run (read back with h5py), and
# `kdbench report` labelling its columns MCC. Then the bad text inputs: exit 2 and one line each.
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work/cola" && cd "$work"
/usr/bin/python3 "$src/tests/e2e/make_text_data.py" .
cat > grid.ini <<INI
[grid]
name      = text-tiny
dataset   = glue-cola
data_dir  = $work/cola
vocab     = $work/vocab.txt
max_seq_length = 24
teachers  = bert-L2-H64
students  = bert-L1-H64
methods   = nokd kd dkd combined
seeds     = 1
results   = results.h5
artifacts = artifacts
[train]
epochs       = 3
batch_size   = 16
optimizer    = adamw
lr           = 2e-3
weight_decay = 0.01
lr_schedule  = linear
warmup_ratio = 0.1
max_grad_norm = 1.0
val_fraction = 0.2
threads      = 1
[teacher]
length_buckets = true
[method.combined]
tau_max = 1
stage1_epochs = 2
stage2_epochs = 1
generator = bert-L1-H32-A2
generator_lr = 1e-3
generator_steps = 2
student_steps = 4
INI
mpirun -np 2 --oversubscribe "$kdbench" run grid.ini > run.log 2>&1 || { tail -20 run.log; exit 1; }
/usr/bin/python3 "$src/tests/e2e/h5check.py" done results.h5 5
/usr/bin/python3 - results.h5 <<'PY'
import json
import sys
import h5py
import numpy as np
f = h5py.File(sys.argv[1], "r")
for key, g in f["runs"].items():
    a = g.attrs
    metric = a["metric"].decode() if isinstance(a["metric"], bytes) else a["metric"]
    assert metric == "matthews", (key, metric)
    val, test = g["val_metric"][()], g["test_metric"][()]
    assert len(val) == 3 and np.all(np.abs(val) <= 1) and np.all(np.abs(test) <= 1), (key, val, test)
    best = int(a["best_epoch"])
    # The metric selects the epoch: the best validation MCC, its test MCC recorded with it.
    assert val[best - 1] == val.max() and a["best_val_metric"] == val.max(), (key, val, best)
    assert a["test_metric_at_best_val"] == test[best - 1], key
    assert 0 <= a["best_val_acc"] <= 1, key
    # "yes"/"no" decides the label: AdamW with warm-up learns it within 3 epochs.
    assert a["best_val_metric"] > 0.5, (key, val)
    text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
    if text(a["method"]) == "combined":  # the text variant: the paper's, with its generator
        assert text(a["method_variant"]) == "standard", key
        params = json.loads(text(a["method_params"]))
        assert params["generator"] == "bert-L1-H32-A2" and params["generator_steps"] == 2, params
        assert json.loads(text(a["config"]))["generator"]["model"] == "bert-L1-H32-A2", key
print("text: 5 runs, metric matthews, best epoch chosen by validation MCC, every run learned")
PY
"$kdbench" report results.h5 --out report > report.log 2>&1 || { cat report.log; exit 1; }
grep -q "MCC" report/tables/capacity_gap.tex || { echo "capacity_gap.tex has no MCC column"; exit 1; }

# tokenizer = sentencepiece: the grid's own vocabulary, trained once at start into the artifacts
# directory (content-keyed) and read by every rank; a rerun trains nothing.
mkdir sp
sed -e "s|^vocab     = .*|tokenizer = sentencepiece\nvocab_size = 32|" -e "s|^methods   = .*|methods   = kd|" \
    -e "s|^results   = .*|results   = sp/results.h5|" -e "s|^artifacts = .*|artifacts = sp/artifacts|" \
    grid.ini > sp/grid.ini
mpirun -np 2 --oversubscribe "$kdbench" run sp/grid.ini > sp/run.log 2>&1 || { tail -20 sp/run.log; exit 1; }
/usr/bin/python3 "$src/tests/e2e/h5check.py" done sp/results.h5 2
model=$(ls sp/artifacts/tokenizers/sentencepiece-*.model)
grep -q "SentencePiece vocabulary of 32 pieces trained" sp/run.log
mpirun -np 2 --oversubscribe "$kdbench" run sp/grid.ini > sp/rerun.log 2>&1
if grep -q "SentencePiece vocabulary of" sp/rerun.log; then echo "the rerun trained the model again"; exit 1; fi
[[ $(ls sp/artifacts/tokenizers) == "$(basename "$model")" ]]
echo "text: sentencepiece vocabulary trained once ($model)"

# Bad text inputs: exit 2, one line, naming the file or key.
expect_exit2() {  # NAME PATTERN GRID
  local name=$1 pattern=$2
  rm -rf bad && mkdir bad && cp -r cola bad/ && cp vocab.txt bad/
  (cd bad && eval "$3")
  set +e
  (cd bad && "$kdbench" run grid.ini > out.log 2> err.log)
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || { echo "$name: exit $rc, want 2"; cat bad/err.log; exit 1; }
  [[ $(wc -l < bad/err.log) -eq 1 ]] || { echo "$name: not one line:"; cat bad/err.log; exit 1; }
  grep -q -- "$pattern" bad/err.log || { echo "$name: no '$pattern' in:"; cat bad/err.log; exit 1; }
  [[ ! -e bad/results.h5 ]] || { echo "$name: results.h5 written"; exit 1; }
}
sed "s|$work/|$work/bad/|" grid.ini > base.ini
expect_exit2 malformed-row "train.tsv:3" "cp ../base.ini grid.ini; sed -i '3s/\t/ /g' cola/train.tsv"
expect_exit2 label-out-of-range "label '7'" "cp ../base.ini grid.ini; sed -i '5s/^src4\t0/src4\t7/' cola/train.tsv"
expect_exit2 vocab-without-unk "[UNK]" "cp ../base.ini grid.ini; sed -i '/^\[UNK\]$/d' vocab.txt"
expect_exit2 missing-vocab "vocab" "cp ../base.ini grid.ini; rm vocab.txt"
expect_exit2 combined-generator-not-bert "generator: 'cnn2' is not a BERT" \
  "sed 's/^generator = .*/generator = cnn2/' ../base.ini > grid.ini"
expect_exit2 combined-generator-bad-bert "generator" \
  "sed 's/^generator = .*/generator = bert-L1-H33/' ../base.ini > grid.ini"
expect_exit2 combined-generator-init "generator_init = /nonexistent for bert-L1-H32-A2" \
  "sed 's|^generator = .*|&\\ngenerator_init = /nonexistent|' ../base.ini > grid.ini"
expect_exit2 combined-mask-probability "mask_probability" \
  "sed 's/^generator_steps = .*/mask_probability = 0/' ../base.ini > grid.ini"
expect_exit2 combined-text-gang "gang_size" "sed 's/^threads .*/gang_size = 2/' ../base.ini > grid.ini"
expect_exit2 augment-on-text "augment" "sed 's/^threads .*/augment = true/' ../base.ini > grid.ini"
expect_exit2 image-model "cnn2" "sed 's/^students .*/students = cnn2/' ../base.ini > grid.ini"
echo "text: bad inputs refused with exit 2 and one line"
