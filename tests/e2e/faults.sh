#!/usr/bin/env bash
# Fault tests under `mpirun -np 3` (README "What a crash can and cannot lose"). Each trial runs
# the grid, injects one fault, reruns the same command to the end and checks that
#   - results.h5 opens (h5py) and holds every task DONE exactly once (h5check.py done),
#   - every curve has each epoch exactly once and the results are bitwise those of an
#     uninterrupted run (h5check.py same: curves, accuracies),
#   - no task lost more than one checkpoint interval (one epoch here): a task that logged
#     "epoch k/N" before the fault resumes at epoch >= k in the rerun ("resuming at epoch E").
# Faults: kill -9 of a worker rank, of rank 0, of the whole job, at a seeded random moment after
# the first epoch; SIGTERM to the ranks during the first step, during evaluation, during a
# checkpoint write and during a results flush, hit exactly through the test-only
# KDBENCH_TEST_PAUSE_AT (kdbench/core/test_pause.h).
#   faults.sh KDBENCH SOURCE_DIR WORK_DIR [TRIALS [SEED]]
# TRIALS: "ci" (default: the 10 trials below) or a number N of trials drawn at random from all
# faults (bench/fault_soak.sh).
set -euo pipefail
kdbench=$1; src=$2; work=$3; trials=${4:-ci}; seed=${5:-20261129}
rm -rf "$work" && mkdir -p "$work" && cd "$work"
check=$src/tests/e2e/h5check.py
grid=$src/tests/e2e/faults-tiny.ini
tasks=5
RANDOM=$seed
t0=$(date +%s)
step() { echo "--- [$(( $(date +%s) - t0 )) s] $*"; }
fail() { echo "faults: FAIL: $*" >&2; exit 1; }

step "reference: one uninterrupted run"
mkdir reference
(cd reference && mpirun -np 3 --oversubscribe "$kdbench" run "$grid" --results ../reference.h5 \
  > ../reference.log 2>&1) || { cat reference.log; fail "the reference run failed"; }
/usr/bin/python3 "$check" done reference.h5 $tasks

# wait_for LOG PATTERN PID: until LOG has PATTERN (60 s at most, the run still going).
wait_for() {
  local end=$(( $(date +%s) + 60 ))
  until grep -q "$2" "$1"; do
    (( $(date +%s) < end )) || { cat "$1"; fail "no '$2' within 60 s"; }
    kill -0 "$3" 2>/dev/null || { cat "$1"; fail "the run ended before '$2'"; }
    sleep 0.05
  done
}

# pid_of_rank MPIRUN_PID RANK
pid_of_rank() {
  local pid rank
  for pid in $(pgrep -P "$1" -x kdbench); do
    rank=$(tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p' || true)
    [[ $rank == "$2" ]] && { echo "$pid"; return; }
  done
}

# no_more_than_one_interval_lost FIRST_LOG RERUN_LOG
no_more_than_one_interval_lost() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import re, sys
first, rerun = (open(p, errors="replace").read() for p in sys.argv[1:3])
logged = {}
for label, k, n in re.findall(r": (.+?): epoch (\d+)/(\d+) loss", first):
    logged[label] = max(logged.get(label, 0), int(k))
resumed = {label: int(e) for label, e in re.findall(r": (.+?): resuming at epoch (\d+) step", rerun)}
trained_again = set(re.findall(r": (.+?): epoch \d+/\d+ loss", rerun))
for label, k in logged.items():
    if label not in trained_again:
        continue  # recorded (or taken from its finished state): nothing lost
    e = resumed.get(label, 1)
    if e < k:
        sys.exit(f"{label}: logged epoch {k} before the fault, the rerun started at epoch {e}")
print("faults: resumed at", resumed or "{}", "after", logged)
PY
}

# trial NAME FAULT: FAULT is kill9-worker | kill9-rank0 | kill9-job | term-<pause point>.
trial() {
  local name=$1 fault=$2 dir=$1 pause="" rc
  step "trial $name: $fault"
  mkdir "$dir"
  [[ $fault == term-* ]] && pause=${fault#term-}
  # The pause outlasts the test's reaction (it polls the log every 50 ms) but not by much: a
  # signal may reach another thread than the paused one, which then sleeps on.
  ( cd "$dir" && export KDBENCH_TEST_PAUSE_AT=$pause KDBENCH_TEST_PAUSE_SECONDS=3 &&
      exec mpirun -np 3 --oversubscribe -x KDBENCH_TEST_PAUSE_AT -x KDBENCH_TEST_PAUSE_SECONDS \
      "$kdbench" run "$grid" --results results.h5 > first.log 2>&1 ) &
  local job=$! mpirun_pid=$!
  case $fault in
    kill9-*)
      wait_for "$dir/first.log" ": epoch 1/" "$mpirun_pid"
      # A seeded random moment within the next 1.5 s (the grid's tasks take a few seconds).
      sleep "$(( RANDOM % 2 )).$(( RANDOM % 5 ))"
      local victims
      case $fault in
        kill9-worker) victims=$(pid_of_rank "$mpirun_pid" $(( 1 + RANDOM % 2 ))) ;;
        kill9-rank0) victims=$(pid_of_rank "$mpirun_pid" 0) ;;
        # (pgrep finds nothing once the job has ended: not an error, the check below says so)
        kill9-job) victims="$mpirun_pid $(pgrep -P "$mpirun_pid" -x kdbench | tr '\n' ' ' || true)" ;;
      esac
      [[ -n $victims ]] || { echo "$name: the job had ended before the kill"; }
      [[ -z $victims ]] || kill -9 $victims 2>/dev/null || true
      ;;
    term-*)
      wait_for "$dir/first.log" "kdbench test pause: $pause" "$mpirun_pid"
      # What srun/slurmstepd do on scancel or preemption: SIGTERM to the ranks.
      kill -TERM $(pgrep -P "$mpirun_pid" -x kdbench) 2>/dev/null || true
      ;;
  esac
  set +e
  wait "$job"; rc=$?
  set -e
  echo "$name: first run exit $rc"
  if [[ $fault == term-* && $rc != 3 ]]; then
    # The last task may have finished before the stop reached a step boundary: exit 0 is fine.
    [[ $rc == 0 ]] || { cat "$dir/first.log"; fail "$name: SIGTERM gave exit $rc (expected 3)"; }
  fi
  ( cd "$dir" && mpirun -np 3 --oversubscribe "$kdbench" run "$grid" --results results.h5 \
      > rerun.log 2>&1 ) || { cat "$dir/rerun.log"; fail "$name: the rerun failed"; }
  /usr/bin/python3 "$check" done "$dir/results.h5" $tasks || fail "$name: not every task DONE once"
  /usr/bin/python3 "$check" same reference.h5 "$dir/results.h5" ||
    fail "$name: results differ from the uninterrupted run"
  no_more_than_one_interval_lost "$dir/first.log" "$dir/rerun.log" ||
    { cat "$dir/first.log" "$dir/rerun.log"; fail "$name: lost more than one checkpoint interval"; }
}

all=(kill9-worker kill9-rank0 kill9-job term-first-step term-evaluation term-checkpoint-write
     term-results-flush)
if [[ $trials == ci ]]; then
  plan=(kill9-worker kill9-worker kill9-rank0 kill9-rank0 kill9-job kill9-job term-first-step
        term-evaluation term-checkpoint-write term-results-flush)
else
  plan=()
  for (( i = 0; i < trials; ++i )); do plan+=("${all[RANDOM % ${#all[@]}]}"); done
fi
i=0
for fault in "${plan[@]}"; do
  i=$(( i + 1 ))
  trial "t$i-$fault" "$fault"
done
echo "faults: ${#plan[@]} trials passed in $(( $(date +%s) - t0 )) s (seed $seed)"
