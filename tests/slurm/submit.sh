#!/usr/bin/env bash
# `kdbench slurm` → sbatch on the local cluster: 1 node, 2 fake GPUs → 2 ranks launched by
# `srun --mpi=pmix`. The grid completes (every task DONE once), both ranks took part and logged.
#   submit.sh KDBENCH SOURCE_DIR WORK_DIR    (needs the slurm_cluster fixture: SLURM_CONF set)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
slurm_test_init slurm.submit "$@"

tiny_grid 2 512 > grid.ini

step "generate the script"
# The fake GPUs are no devices: --device auto lets each rank fall back to the CPU.
"$KDBENCH" slurm grid.ini --nodes 1 --gpus-per-node 2 --device auto --mpi pmix --time 10:00 --signal-seconds 60 \
  --log-dir logs --out job.sbatch | tee generate.txt
[[ -x job.sbatch ]] || fail "job.sbatch is not executable"
grep -qx '#SBATCH --gpus-per-node=2' job.sbatch || fail "no --gpus-per-node=2 line"
grep -qx '#SBATCH --ntasks-per-node=2' job.sbatch || fail "no --ntasks-per-node=2 line"
grep -q 'srun --mpi=pmix' job.sbatch || fail "not launched with srun --mpi=pmix"
grep -q '"$GRID" --device auto' job.sbatch || fail "the ranks are not passed --device auto"
grep -q 'sbatch job.sbatch' generate.txt || fail "no submit hint printed"
bash -n job.sbatch

step "sbatch, wait for the job"
job=$(sbatch --parsable job.sbatch)
wait_job 180 "$job"
log="logs/kdbench-grid-$job.out"
[[ -s $log ]] || fail "no job log $log"

step "results complete"
/usr/bin/python3 "$CHECK" done results/tiny-fmnist.h5 5
/usr/bin/python3 "$CHECK" attempts results/tiny-fmnist.h5 1
world=$(root_attr results/tiny-fmnist.h5 world_size)
[[ $world == 2 ]] || fail "world_size is '$world', expected 2 (both ranks in one MPI job)"

step "the log shows every rank"
grep -q 'kdbench-sbatch: job .*1 node(s), 2 rank(s)' "$log" || fail "allocation line missing"
for rank in 0 1; do
  grep -q "\[rank $rank\] info: .*: start (" "$log" || fail "rank $rank trained nothing (no '[rank $rank] ... start' line)"
done
grep -q 'grid: 5 tasks, 0 already done, 5 to run on 2 rank(s)' "$log" || fail "coordinator did not see 2 ranks"
grep -q 'kdbench-sbatch: grid complete' "$log" || fail "script did not report completion"
