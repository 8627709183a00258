#!/usr/bin/env bash
# scripts.pytorch_grid: bench/pytorch_grid.py --grid all-methods-fmnist trains what kdbench trains,
# and bench/bench_tables.py reads its output (no training, no timing judged here).
#   pytorch_grid.sh SOURCE_DIR KDBENCH WORK_DIR
# 1. At two scales (2 seeds x 3 epochs, where the tau_max / t_max caps apply, and 1 seed x the
#    grid's 10 epochs) the grid copy the driver writes for kdbench plans exactly the driver's tasks
#    (kind, model, method, teacher, seed, epochs: `kdbench plan`'s columns) and the driver's method
#    parameters are the JSON kdbench resolves for every method (grid keys and kdbench defaults).
# 2. bench_tables.py grid-all: the driver's own task lines (task_line) for every task, a results
#    file in kdbench's layout (docs/design.md §6.1) and both totals lines give the totals, ratio
#    and per-method rows (numbers checked by hand); a seed missing on one side, a foreign line and
#    a run not DONE are exit 2.
# 3. A scale that is not a positive integer is exit 2 in the driver and in scripts/bench.sh.
set -euo pipefail
src=$1 kdbench=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
py=/usr/bin/python3
driver=("$py" "$src/bench/pytorch_grid.py" --grid all-methods-fmnist)

for scale in "2 3" "1 10"; do
  read -r seeds epochs <<<"$scale"
  args=(--seeds "$seeds" --epochs "$epochs")
  "${driver[@]}" "${args[@]}" --write-ini "$work/grid.ini"
  "$kdbench" plan "$work/grid.ini" > "$work/plan.txt" || fail "kdbench plan of the driver's grid copy"
  awk '$2 ~ /^(teacher|assistant|student)$/ {print $2, $3, $4, $5, $6, $7}' "$work/plan.txt" |
    sort > "$work/kdbench-tasks.txt"
  "${driver[@]}" "${args[@]}" --plan > "$work/driver-plan.txt"
  grep -v '^method ' "$work/driver-plan.txt" | sort > "$work/driver-tasks.txt"
  # 1 teacher, per seed 9 students and 1 assistant.
  want=$((1 + 10 * seeds))
  [[ $(wc -l < "$work/kdbench-tasks.txt") == "$want" ]] ||
    fail "$scale: kdbench plans $(wc -l < "$work/kdbench-tasks.txt") tasks, expected $want"
  diff "$work/kdbench-tasks.txt" "$work/driver-tasks.txt" ||
    fail "seeds $seeds epochs $epochs: the driver's tasks (right) differ from kdbench plan's (left)"
  sed -n 's/^method \([a-z]*\) ([a-z-]*): /method \1: /p' "$work/plan.txt" > "$work/kdbench-params.txt"
  grep '^method ' "$work/driver-plan.txt" > "$work/driver-params.txt"
  [[ $(wc -l < "$work/kdbench-params.txt") == 9 ]] || fail "not 9 method lines: $(cat "$work/plan.txt")"
  diff "$work/kdbench-params.txt" "$work/driver-params.txt" ||
    fail "seeds $seeds epochs $epochs: the driver's method parameters (right) differ from kdbench's"
  echo "ok: seeds $seeds, epochs $epochs: $want tasks and 9 methods' parameters agree"
done
grep -q '^student cnn2 annealing cnn8 1 20$' "$work/driver-tasks.txt" ||
  fail "annealing is not 10 + 10 epochs: $(cat "$work/driver-tasks.txt")"

# The driver's task lines for 2 seeds (test accuracy 80 + seed, seconds 10 x seed), then kdbench's
# results file: the same tasks, seconds 5 x seed, accuracy 0.70 + seed / 100.
"$py" - "$src/bench" "$work" <<'EOF'
import os
import sys

sys.path.insert(0, sys.argv[1])
import h5py  # noqa: E402
import pytorch_grid  # noqa: E402

work = sys.argv[2]
tasks = pytorch_grid.all_methods_tasks(2, 3)
with open(os.path.join(work, "grid-all.log"), "w") as f:
    f.write("kdbench total: wall 100.00 s, cpu 180.00+20.00 s, peak rss per rank 409600 KiB\n")
    for t in tasks:
        f.write(pytorch_grid.task_line(t, 10.0 * t[4], (80 + t[4]) / 100) + "\n")
    f.write("total: wall 249.9 s, cpu 499.0 s, threads 2, peak rss 600 MiB\n")
    f.write("pytorch total: wall 250.00 s, cpu 490.00+10.00 s, peak rss 614400 KiB\n")
with h5py.File(os.path.join(work, "grid-all.h5"), "w") as f:
    for i, (kind, model, method, teacher, seed, _) in enumerate(tasks):
        run = f.create_group(f"runs/key{i:02d}")
        for name, value in (("kind", kind), ("model", model), ("method", "" if method == "-" else method),
                            ("teacher_model", "" if teacher == "-" else teacher), ("status", "DONE")):
            run.attrs[name] = value.encode()
        run.attrs["seed"] = seed
        run.attrs["wall_seconds"] = 5.0 * seed
        run.attrs["test_acc_at_best_val"] = 0.70 + seed / 100
EOF
tables=("$py" "$src/bench/bench_tables.py" grid-all)
"${tables[@]}" "$work/grid-all.log" "$work/grid-all.h5" > "$work/grid-all.md"
for row in '| all-methods-fmnist grid (21 tasks) | wall s | CPU s | peak RSS MiB |' \
           '| kdbench, mpirun -np 2, 1 thread per rank | 100 | 200 | 400 |' \
           '| PyTorch script, one process, one thread per core | 250 | 500 | 600 |' \
           'PyTorch / kdbench: wall 2.50x, CPU 2.50x' \
           '| teacher cnn8 | - | - | 1 | 5 | 10 | 71.00 | 81.00 |' \
           '| assistant cnn4 | takd | cnn8 | 2 | 15 | 30 | 71.50 | 81.50 |' \
           '| student cnn2 | takd | cnn4 | 2 | 15 | 30 | 71.50 | 81.50 |' \
           '| student cnn2 | dist | cnn8 | 2 | 15 | 30 | 71.50 | 81.50 |'; do
  grep -qxF -- "$row" "$work/grid-all.md" || fail "no row '$row' in: $(cat "$work/grid-all.md")"
done
[[ $(grep -c '^| student cnn2 |' "$work/grid-all.md") == 9 ]] || fail "not 9 student rows"

bad() {  # expected-fragment log
  set +e
  "${tables[@]}" "$2" "$work/grid-all.h5" > /dev/null 2> "$work/err.txt"
  local code=$?
  set -e
  [[ $code == 2 ]] || fail "$2: exit $code, expected 2"
  grep -qF -- "$1" "$work/err.txt" || fail "'$1' not in: $(cat "$work/err.txt")"
}
grep -v '^student cnn2 dkd from cnn8 seed 2:' "$work/grid-all.log" > "$work/missing.log"
bad "student cnn2 dkd cnn8: kdbench ran seeds [1, 2], PyTorch [1]" "$work/missing.log"
sed 's/^student cnn2 nokd seed 1: .*/student cnn2 nokd seed 1: fast, test 80/' "$work/grid-all.log" \
  > "$work/foreign.log"
bad "not a task line of pytorch_grid.py: student cnn2 nokd seed 1: fast" "$work/foreign.log"
grep -v '^pytorch total' "$work/grid-all.log" > "$work/nototal.log"
bad "no 'pytorch total' line" "$work/nototal.log"
"$py" -c "import h5py, sys; h5py.File(sys.argv[1], 'a')['runs/key03'].attrs['status'] = b'FAILED'" \
  "$work/grid-all.h5"
bad "run key03 is FAILED, not DONE" "$work/grid-all.log"

# Bad scales: one line naming the argument, exit 2, in the driver and in scripts/bench.sh.
for cmd in "${driver[*]} --epochs 0" "$src/scripts/bench.sh --grid-epochs 0" \
           "$src/scripts/bench.sh --grid-seeds x"; do
  set +e
  $cmd > /dev/null 2> "$work/err.txt"
  code=$?
  set -e
  [[ $code == 2 ]] || fail "$cmd: exit $code, expected 2"
  grep -Eq -- "--(grid-)?(epochs|seeds).*'(0|x)' is not a positive integer" "$work/err.txt" ||
    fail "$cmd: $(cat "$work/err.txt")"
done
echo "pytorch grid: ok"
