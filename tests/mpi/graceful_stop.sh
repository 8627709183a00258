#!/usr/bin/env bash
# Graceful stop under `mpirun -np 2`, three ways, each time while tasks train, each run
# continuing the previous one's saved state:
#   1. SIGTERM to mpirun. Open MPI 4.1 does not forward it at once: it sends SIGCONT, waits
#      odls_base_sigkill_timeout seconds, sends SIGTERM, waits again, then SIGKILLs the ranks and
#      exits with its own code 1. With the default (1 s) the ranks die before they can save; with
#      OMPI_MCA_odls_base_sigkill_timeout=6 they checkpoint in time. slurm/README.md explains.
#   2. SIGUSR1 to mpirun: forwarded at once; kdbench checkpoints and mpirun exits 3.
#   3. SIGTERM to the ranks themselves (what srun/slurmstepd do on scancel or preemption): exit 3.
# Every stop must end the run within 60 s, record INTERRUPTED runs and leave resume.pt files.
# The last rerun exits 0 with every task DONE exactly once, every curve with each epoch exactly
# once, and results bit-identical to an uninterrupted 1-rank run of the same grid.
#   graceful_stop.sh KDBENCH SOURCE_DIR WORK_DIR
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
check=$src/tests/e2e/h5check.py
# Teacher 4 epochs, students 6: the kd students (after the teacher) leave work for every rerun.
teacher_epochs=4; student_epochs=6
sed -e "s/^epochs       = 2$/epochs       = $student_epochs/" -e "s/^epochs = 2$/epochs = $teacher_epochs/" \
    -e 's/^train_subset = 512$/train_subset = 6144/' "$src/tests/e2e/tiny-fmnist.ini" > grid.ini
grep -qx "epochs = $teacher_epochs" grid.ini
grep -qx "epochs       = $student_epochs" grid.ini
results=results/tiny-fmnist.h5
t0=$(date +%s)
step() { echo "--- [$(( $(date +%s) - t0 )) s] $*"; }
fail() { echo "graceful_stop: FAIL: $*" >&2; exit 1; }

# The reference runs on one rank beside the MPI runs (it needs one core; they leave it idle
# while they start up and stop), in its own directory: artifacts (checkpoints, resume.pt) are
# addressed by task key, so in a shared directory it would continue the MPI runs' tasks.
mkdir reference
(cd reference && "$kdbench" run ../grid.ini --results ../reference.h5 --comm single > ../reference.log 2>&1) &
reference_pid=$!

# interrupt N HOW PATTERN: runs the grid on 2 ranks, waits for a log line of this run matching
# PATTERN (an epoch that ended), stops it HOW (term-mpirun | usr1-mpirun | term-ranks) and checks
# that the stop was graceful.
interrupt() {
  local n=$1 how=$2 pattern=$3 log=run$1.log
  step "run $n: mpirun -np 2, stopped by $how"
  # Only for the SIGTERM-to-mpirun case: the timeout also delays mpirun's exit after a rank
  # exits non-zero (here: 3) by twice its value. 6 s: the ranks need about one evaluation pass
  # to reach a step boundary, save and report (well under 6 s even on a loaded machine), and
  # the signal must still find tasks training when it arrives.
  local grace=1; [[ $how == term-mpirun ]] && grace=6
  OMPI_MCA_odls_base_sigkill_timeout=$grace mpirun -np 2 "$kdbench" run grid.ini > "$log" 2>&1 &
  local mpirun_pid=$! end=$(( $(date +%s) + 120 ))
  until grep -q "$pattern" "$log"; do
    (( $(date +%s) < end )) || { cat "$log"; fail "run $n: no '$pattern' within 120 s"; }
    kill -0 "$mpirun_pid" 2>/dev/null || { cat "$log"; fail "run $n ended before it could be stopped"; }
    sleep 0.2
  done
  local stop_time; stop_time=$(date +%s)
  case $how in
    term-mpirun) kill -TERM "$mpirun_pid" ;;
    usr1-mpirun) kill -USR1 "$mpirun_pid" ;;
    term-ranks) kill -TERM $(pgrep -P "$mpirun_pid" -x kdbench) ;;
  esac
  set +e
  wait "$mpirun_pid"
  local rc=$?
  set -e
  local took=$(( $(date +%s) - stop_time ))
  echo "run $n: exit $rc, ${took} s after the signal"
  (( took <= 60 )) || fail "run $n took ${took} s to stop (limit 60)"
  local signal=SIGTERM; [[ $how == usr1-mpirun ]] && signal=SIGUSR1
  grep -q "$signal received: no new tasks" "$log" || { cat "$log"; fail "run $n: kdbench did not see $signal"; }
  grep -q 'grid stopped: ' "$log" || { cat "$log"; fail "run $n: the coordinator did not finish its stop"; }
  if [[ $how == term-mpirun ]]; then
    [[ $rc == 1 || $rc == 3 ]] || fail "run $n: mpirun exit $rc after SIGTERM (expected its own 1, or 3)"
  else
    [[ $rc == 3 ]] || { cat "$log"; fail "run $n: exit $rc, expected 3 (interrupted)"; }
  fi
  /usr/bin/python3 - "$results" <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    st = {k: g.attrs["status"].decode() for k, g in f["runs"].items()}
bad = {k: s for k, s in st.items() if s not in ("DONE", "INTERRUPTED")}
assert not bad, f"runs neither DONE nor INTERRUPTED after a graceful stop: {bad}"
assert "INTERRUPTED" in st.values(), f"no INTERRUPTED run: {st}"
print("statuses:", sorted(st.values()))
EOF
  local saved; saved=$(find artifacts -name resume.pt | wc -l)
  (( saved >= 1 )) || fail "run $n: no resume.pt in artifacts/"
  echo "run $n: $saved resume.pt file(s)"
}

interrupt 1 term-mpirun ': teacher cnn4 seed 1: epoch 1/'
interrupt 2 usr1-mpirun ': epoch [0-9]*/'
interrupt 3 term-ranks ': epoch [0-9]*/'

step "run 4: the same command completes the grid"
set +e
mpirun -np 2 "$kdbench" run grid.ini > run4.log 2>&1
rc=$?
set -e
[[ $rc == 0 ]] || { cat run4.log; fail "run 4 exited $rc"; }
grep -q 'grid: 5 tasks, .* already done' run4.log
/usr/bin/python3 "$check" done "$results" 5
[[ -z $(find artifacts -name resume.pt) ]] || fail "resume.pt files left after completion"
/usr/bin/python3 - "$results" "$teacher_epochs" "$student_epochs" <<'EOF'
import sys, h5py
path, teacher_epochs, student_epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with h5py.File(path, "r") as f:
    attempts = {}
    for key, g in f["runs"].items():
        epochs = teacher_epochs if g.attrs["kind"].decode() == "teacher" else student_epochs
        got = g["epoch"][()].tolist()
        assert got == list(range(1, epochs + 1)), f"run {key}: epochs {got}, expected 1..{epochs} once each"
        attempts[key] = int(g.attrs["attempts"])
assert max(attempts.values()) >= 2, f"no run was interrupted and resumed: attempts {attempts}"
print("every curve has each of its epochs once; attempts per run:", sorted(attempts.values()))
EOF

step "results equal an uninterrupted 1-rank run"
wait "$reference_pid" || { cat reference.log; fail "the reference run failed"; }
/usr/bin/python3 "$check" done reference.h5 5
/usr/bin/python3 "$check" same "$results" reference.h5
echo "graceful_stop: passed in $(( $(date +%s) - t0 )) s"
