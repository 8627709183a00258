# Helpers for the slurm-labelled tests (sourced). Each test script calls:
#   source lib.sh; slurm_test_init NAME KDBENCH SRC WORK
# which makes WORK fresh, cds into it and sets KDBENCH, SRC, CHECK (h5check.py) and LOGS.
# On failure the job logs and the tail of slurmctld's log are printed, so a CI log says why.

slurm_test_init() {
  TEST_NAME=$1; KDBENCH=$2; SRC=$3; WORK=$4
  CHECK="$SRC/tests/e2e/h5check.py"
  LOGS="$WORK/logs"
  rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
  T0=$(date +%s)
  trap 'on_exit $?' EXIT
}

on_exit() {
  local rc=$1
  if [[ $rc != 0 ]]; then
    echo "=== $TEST_NAME FAILED (exit $rc) after $(( $(date +%s) - T0 )) s; job logs:" >&2
    for f in "$LOGS"/*.out; do [[ -r $f ]] && { echo "---- $f" >&2; tail -n 40 "$f" >&2; }; done
    if [[ -n ${SLURM_CONF:-} ]]; then
      squeue -a 2>&1 | head -n 20 >&2
      local ctld; ctld="$(dirname "$SLURM_CONF")/slurmctld.log"
      [[ -r $ctld ]] && { echo "---- tail of $ctld" >&2; tail -n 20 "$ctld" >&2; }
    fi
  else
    echo "=== $TEST_NAME passed in $(( $(date +%s) - T0 )) s"
  fi
}

step() { echo "--- [$(( $(date +%s) - T0 )) s] $*"; }
fail() { echo "$TEST_NAME: FAIL: $*" >&2; exit 1; }

# tiny-fmnist.ini (5 tasks: teacher cnn4, nokd x 2 seeds, kd x 2 seeds) with other sizes:
#   tiny_grid EPOCHS TRAIN_SUBSET > grid.ini
tiny_grid() {
  sed -e "s/^epochs       = 2$/epochs       = $1/" -e "s/^epochs = 2$/epochs = $1/" \
      -e "s/^train_subset = 512$/train_subset = $2/" "$SRC/tests/e2e/tiny-fmnist.ini"
}

# One field of `scontrol show job` (e.g. JobState, Reason, ExitCode, RestartCnt).
job_field() {
  scontrol -o show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.5 s; fails naming WHAT on timeout.
wait_until() {
  local limit=$1 what=$2; shift 2
  local end=$(( $(date +%s) + limit ))
  until "$@"; do
    (( $(date +%s) < end )) || fail "timed out after ${limit}s waiting for: $what"
    sleep 0.5
  done
}

node_idle() { sinfo -h -o '%T' | grep -qx 'idle'; }
job_state_is() { [[ "$(job_field "$1" JobState)" == "$2" ]]; }
# Whether no record of JOB (every task of an array) is in a state that can still change.
job_ended() {
  local records
  records=$(scontrol -o show job "$1" 2>/dev/null) || return 1
  [[ -n $records ]] && ! grep -qE 'JobState=(PENDING|RUNNING|COMPLETING|CONFIGURING|SUSPENDED|REQUEUE|RESIZING|SIGNALING|STAGE_OUT)' <<<"$records"
}

# wait_job SECONDS JOB: until no task of JOB (an array too) is pending, running or completing;
# then every task must have ended COMPLETED with exit code 0. (Polling is faster than
# `sbatch --wait`, which checks with back-off up to many seconds apart.)
wait_job() {
  wait_until "$1" "job $2 to end" job_ended "$2"
  local states
  states=$(scontrol -o show job "$2" | grep -oE '(JobId|ArrayTaskId|JobState|ExitCode)=[^ ]+' | paste -sd' ')
  echo "job $2: $states"
  [[ -n $states ]] || fail "scontrol knows no job $2"
  if grep -oE 'JobState=[^ ]+' <<<"$states" | grep -qv 'JobState=COMPLETED'; then fail "job $2 did not complete"; fi
  if grep -oE 'ExitCode=[^ ]+' <<<"$states" | grep -qv 'ExitCode=0:0'; then fail "job $2 exited non-zero"; fi
}

# A root attribute of a results file as text: root_attr FILE NAME
root_attr() {
  /usr/bin/python3 -c 'import sys, h5py; v = h5py.File(sys.argv[1], "r").attrs[sys.argv[2]]; print(v.decode() if isinstance(v, bytes) else v)' "$1" "$2"
}

# Every run's curve has each epoch exactly once, 1..E, and E equals the epochs it was asked for:
#   check_epochs FILE EPOCHS
check_epochs() {
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import sys, h5py, numpy as np
path, epochs = sys.argv[1], int(sys.argv[2])
with h5py.File(path, "r") as f:
    for key, g in f["runs"].items():
        got = g["epoch"][()].tolist()
        if got != list(range(1, epochs + 1)):
            sys.exit(f"check_epochs: {path}: run {key} has epochs {got}, expected 1..{epochs} once each")
print(f"check_epochs: {path}: every run has epochs 1..{epochs} exactly once")
EOF
}

# The number of runs of FILE whose attempts attribute is N: count_attempts FILE N
count_attempts() {
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    print(sum(int(g.attrs["attempts"]) == int(sys.argv[2]) for g in f["runs"].values()))
EOF
}
