#!/usr/bin/env bash
# eval_steps under `mpirun -np 2`: validation and test every N optimizer steps besides the epoch
# ends, the best point selected among all of them, read back with h5py (eval_points.py):
#   - `evaluations` holds the multiples of N and the epoch ends, in order, with epoch_fraction,
#     epoch and the curves' values at epoch ends;
#   - best_val_metric is the maximum over the points, the test value and accuracies those of the
#     first maximum, best_step / best_epoch that point's;
#   - the points change no training: the curves are bitwise those of eval_steps = 0, whose
#     records keep evaluations = [] and best_step = 0.
#   eval_steps.sh KDBENCH SOURCE_DIR WORK_DIR text|image
# text: a task in GLUE's CoLA layout written by make_text_data.py (metric MCC; 12 steps per
# epoch, N = 5). image: tiny Fashion-MNIST (8 steps per epoch, N = 3), and then a run stopped
# (SIGTERM) right after its first mid-epoch point and rerun resumes after that point and ends
# bitwise equal to the uninterrupted run (h5check.py same). Text has no such check: BERT's dropout
# draws from the global generator, which resume.pt does not hold, so no text run resumes bitwise.
set -euo pipefail
kdbench=$1; src=$2; work=$3; data=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work"
check=$src/tests/e2e/h5check.py
if [[ $data == text ]]; then
  /usr/bin/python3 "$src/tests/e2e/make_text_data.py" .
  steps_per_epoch=12 n=5  # 192 training rows (240 less val_fraction) in batches of 16
  train_keys="dataset = glue-cola
data_dir = $work/cola
vocab = $work/vocab.txt
max_seq_length = 24
teachers = bert-L2-H64
students = bert-L1-H64
[train]
batch_size = 16
optimizer = adamw
lr = 1.5e-3
weight_decay = 0.01
val_fraction = 0.2"
else
  steps_per_epoch=8 n=3  # train_subset 512 in batches of 64
  train_keys="dataset = fashion-mnist
data_dir = /usr/share/datasets/fashion-mnist
teachers = cnn4
students = cnn2
[train]
batch_size = 64
eval_batch_size = 500
lr = 0.05
val_fraction = 0.01
train_subset = 512
test_subset = 200"
fi
grid() {  # DIR EVAL_STEPS: DIR/grid.ini, a teacher and a nokd student (trained side by side)
  mkdir -p "$1"
  cat > "$1/grid.ini" <<INI
[grid]
name = eval-steps
methods = nokd
seeds = 1
results = results.h5
artifacts = artifacts
$train_keys
epochs = 3
threads = 1
eval_steps = $2
INI
}
run() {  # DIR [LOG]
  (cd "$1" && mpirun -np 2 --oversubscribe "$kdbench" run grid.ini > "${2:-run.log}" 2>&1) ||
    { tail -20 "$1/${2:-run.log}"; exit 1; }
}
grid every "$n"
grid epochs 0
run every
run epochs
/usr/bin/python3 "$check" "done" every/results.h5 2
/usr/bin/python3 "$check" "done" epochs/results.h5 2
/usr/bin/python3 "$src/tests/e2e/eval_points.py" every/results.h5 epochs/results.h5 \
  "$steps_per_epoch" "$n" 3
[[ $data == text ]] && exit 0

# SIGTERM while the first evaluation point (step n of epoch 1) is paused on both ranks: the stop
# is taken at the next step boundary, after that point, and the rerun resumes there.
grid stopped "$n"
(cd stopped && export KDBENCH_TEST_PAUSE_AT=evaluation KDBENCH_TEST_PAUSE_SECONDS=3 &&
  exec mpirun -np 2 --oversubscribe -x KDBENCH_TEST_PAUSE_AT -x KDBENCH_TEST_PAUSE_SECONDS \
    "$kdbench" run grid.ini > first.log 2>&1) &
job=$!
end=$(( $(date +%s) + 120 ))
until [[ $(grep -c "kdbench test pause: evaluation" stopped/first.log) == 2 ]]; do
  (( $(date +%s) < end )) || { cat stopped/first.log; echo "no evaluation pause"; exit 1; }
  kill -0 "$job" 2>/dev/null || { cat stopped/first.log; echo "the run ended before the pause"; exit 1; }
  sleep 0.05
done
kill -TERM $(pgrep -P "$job" -x kdbench) 2>/dev/null || true
set +e
wait "$job"; rc=$?
set -e
[[ $rc == 3 ]] || { cat stopped/first.log; echo "SIGTERM gave exit $rc (expected 3)"; exit 1; }
run stopped rerun.log
[[ $(grep -c "resuming at epoch 1 step $n " stopped/rerun.log) == 2 ]] ||
  { cat stopped/rerun.log; echo "the rerun did not resume both tasks after the point"; exit 1; }
/usr/bin/python3 "$check" "done" stopped/results.h5 2
/usr/bin/python3 "$check" same every/results.h5 stopped/results.h5
echo "eval_steps: both tasks stopped after the point at step $n and resumed: results identical"
