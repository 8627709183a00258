#!/usr/bin/env bash
# Preemption: while the grid trains, USR1 reaches the batch script (as `--signal=B:USR1@S` does
# before the time limit); the script forwards it, kdbench checkpoints and exits 3, the script
# requeues the job, and the requeued job resumes from the saved state. In the end every task is
# DONE exactly once and every curve has each epoch exactly once (no epoch retrained).
#   preempt.sh KDBENCH SOURCE_DIR WORK_DIR    (needs the slurm_cluster fixture: SLURM_CONF set)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
slurm_test_init slurm.preempt "$@"

# The stop must find a task training: it comes after the teacher's first epoch, which leaves the
# teacher 7 epochs (several seconds) to receive it even when Slurm is slow to deliver the signal.
epochs=8
tiny_grid $epochs 2048 > grid.ini  # ~30-60 s of training on 2 ranks

step "generate and submit (2 ranks per node, CPU only, pmix)"
"$KDBENCH" slurm grid.ini --nodes 1 --ntasks-per-node 2 --mpi pmix --time 15:00 --signal-seconds 60 \
  --max-requeues 2 --log-dir logs --out job.sbatch
job=$(sbatch --parsable job.sbatch)
log="logs/kdbench-grid-$job.out"
echo "job $job, log $log"

step "wait until training is under way, then USR1 to the batch script"
wait_until 120 "the teacher's first epoch in $log" grep -q 'info: teacher .*: epoch 1/' "$log"
scancel --signal=USR1 --batch "$job"

step "the script forwards it, kdbench checkpoints, the job requeues itself"
wait_until 90 "requeue message in $log" grep -q 'kdbench-sbatch: checkpointed; requeueing job' "$log"
grep -q 'kdbench-sbatch: got SIGUSR1' "$log" || fail "the batch script did not see USR1"
grep -q 'stopped by SIGUSR1 at epoch .*state saved for resume' "$log" || fail "no task saved its state"
wait_until 60 "job $job requeued (Restarts=1)" test "$(job_field "$job" Restarts)" = 1
/usr/bin/python3 - results/tiny-fmnist.h5 <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    st = [g.attrs["status"].decode() for g in f["runs"].values()]
assert "INTERRUPTED" in st, f"no INTERRUPTED record after the stop: {st}"
print("statuses after the stop:", sorted(st))
EOF

step "skip Slurm's requeue hold (BeginTime) once the node is idle"
wait_until 60 "node idle after the first run" node_idle
wait_until 30 "job $job pending" job_state_is "$job" PENDING
# Not `now`: slurmd refuses a job whose credential was issued in the same second as the requeue
# revoked the previous one ("Job credential revoked", the job ends FAILED; seen 2 runs in ~20).
scontrol update JobId="$job" StartTime=now+3

step "the requeued job resumes and completes"
wait_until 180 "job $job finished" job_ended "$job"
[[ $(job_field "$job" JobState) == COMPLETED ]] || fail "job ended $(job_field "$job" JobState)"
[[ $(job_field "$job" ExitCode) == 0:0 ]] || fail "job ExitCode $(job_field "$job" ExitCode)"
grep -q "kdbench-sbatch: job $job (restart 1)" "$log" || fail "no restart 1 in the log"
grep -q 'kdbench-sbatch: grid complete' "$log" || fail "the requeued run did not complete the grid"

step "every task DONE exactly once; resumed tasks did not retrain epochs"
/usr/bin/python3 "$CHECK" done results/tiny-fmnist.h5 5
check_epochs results/tiny-fmnist.h5 $epochs
resumed=$(count_attempts results/tiny-fmnist.h5 2)
(( resumed >= 1 )) || fail "no run has attempts=2: nothing was interrupted and resumed"
# In the second run, an interrupted task continues at the epoch it was stopped in, not at 1.
second_run=$(sed -n '/(restart 1)/,$p' "$log")
while read -r line; do
  label=${line% *}; stop_epoch=${line##* }
  first=$(grep -F "$label: epoch " <<<"$second_run" | head -n 1 | sed -E 's/.*: epoch ([0-9]+)\/.*/\1/')
  echo "$label: stopped in epoch $stop_epoch; first epoch logged after the restart: ${first:-none}"
  [[ -z $first || $first -ge $stop_epoch ]] || fail "$label restarted at epoch $first, was stopped in $stop_epoch"
done < <(sed -nE 's/.*warning: (.*): stopped by SIGUSR1 at epoch ([0-9]+) step.*/\1 \2/p' "$log")
