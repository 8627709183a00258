#!/usr/bin/env bash
# `--mode array`: a job array of 3 shards, each an independent 1-rank job writing its own
# results file, merged with `kdbench merge`, gives exactly the results of one plain MPI run of
# the same grid (keys, statuses, accuracies, curves bit for bit). Then the merge's contract:
# idempotent, in place, refuses conflicting DONE records, one-line errors.
#   array.sh KDBENCH SOURCE_DIR WORK_DIR    (needs the slurm_cluster fixture: SLURM_CONF set)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
slurm_test_init slurm.array "$@"

tiny_grid 2 512 > grid.ini

step "generate: 3 shards"
"$KDBENCH" slurm grid.ini --mode array --shards 3 --nodes 1 --mpi pmix --time 10:00 --signal-seconds 60 \
  --log-dir logs --out array.sbatch | tee generate.txt
grep -qx '#SBATCH --array=0-2' array.sbatch || fail "no --array=0-2 line"
grep -q 'kdbench merge results/tiny-fmnist.shard\*.h5 -o results/tiny-fmnist.h5' generate.txt ||
  fail "no merge hint printed"

step "the array on Slurm and, meanwhile, the reference: one plain MPI run (mpirun -np 2)"
# In its own directory: artifacts are addressed by task key, so a shared one would mix the runs.
mkdir plain
(cd plain && mpirun -np 2 "$KDBENCH" run ../grid.ini --results ../plain.h5 > ../plain.log 2>&1) &
plain_pid=$!
job=$(sbatch --parsable array.sbatch)
wait_job 240 "$job"
set +e
wait "$plain_pid"
plain_rc=$?
set -e
[[ $plain_rc == 0 ]] || { cat plain.log; fail "the plain MPI run exited $plain_rc"; }

step "each shard ran its own part into its own file"
total=0
for i in 0 1 2; do
  f=results/tiny-fmnist.shard$i.h5
  [[ -s $f ]] || fail "shard $i wrote no $f"
  grep -q "shard $i/3: " "logs/kdbench-grid-${job}_$i.out" || fail "shard $i log has no 'shard $i/3' line"
  n=$(/usr/bin/python3 -c "import h5py,sys; print(len(h5py.File(sys.argv[1],'r')['runs']))" "$f")
  (( n >= 1 )) || fail "shard $i ran nothing"
  total=$(( total + n ))
done
[[ $total == 5 ]] || fail "the shards hold $total runs together, expected the grid's 5 (disjoint, complete)"

step "merge = the plain MPI run"
"$KDBENCH" merge results/tiny-fmnist.shard{0,1,2}.h5 -o merged.h5 | tee merge.txt
grep -q 'merged 5 runs (5 DONE) from 3 file(s) into merged.h5' merge.txt || fail "unexpected merge summary"
/usr/bin/python3 "$CHECK" done merged.h5 5
/usr/bin/python3 "$CHECK" attempts merged.h5 1
/usr/bin/python3 "$CHECK" same merged.h5 plain.h5

step "idempotent: the output merged again with its inputs, also in place"
"$KDBENCH" merge merged.h5 results/tiny-fmnist.shard{2,0,1}.h5 -o again.h5
/usr/bin/python3 "$CHECK" same again.h5 merged.h5
/usr/bin/python3 "$CHECK" done again.h5 5
"$KDBENCH" merge results/tiny-fmnist.shard1.h5 merged.h5 -o merged.h5
/usr/bin/python3 "$CHECK" same merged.h5 plain.h5
/usr/bin/python3 "$CHECK" done merged.h5 5

step "DONE beats an unfinished copy of the same run"
cp results/tiny-fmnist.shard1.h5 stale.h5
/usr/bin/python3 - stale.h5 <<'EOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    for g in f["runs"].values():
        del g.attrs["status"]
        g.attrs.create("status", np.bytes_("INTERRUPTED"))
EOF
"$KDBENCH" merge stale.h5 results/tiny-fmnist.shard{0,1,2}.h5 -o fixed.h5
/usr/bin/python3 "$CHECK" done fixed.h5 5
/usr/bin/python3 "$CHECK" same fixed.h5 plain.h5

expect_one_line_error() {  # expect_one_line_error PATTERN COMMAND...
  local pattern=$1; shift
  set +e
  "$@" > err.out 2> err.txt
  local code=$?
  set -e
  cat err.txt
  [[ $code == 2 ]] || fail "exit $code, expected 2: $*"
  [[ $(wc -l < err.txt) == 1 ]] || fail "expected one error line: $*"
  grep -qE "$pattern" err.txt || fail "error line does not match '$pattern'"
}

step "conflicting DONE records are refused and nothing is written"
cp results/tiny-fmnist.shard0.h5 conflict.h5
key=$(/usr/bin/python3 - conflict.h5 <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    key = sorted(f["runs"].keys())[0]
    f["runs"][key].attrs.modify("best_val_acc", f["runs"][key].attrs["best_val_acc"] + 0.01)
    print(key)
EOF
)
expect_one_line_error "run $key is DONE in results/tiny-fmnist.shard0.h5 and in conflict.h5 with different results \(best_val_acc" \
  "$KDBENCH" merge results/tiny-fmnist.shard0.h5 conflict.h5 -o refused.h5
[[ ! -e refused.h5 ]] || fail "a refused merge wrote its output"
ls | grep -q 'merge-tmp' && fail "a refused merge left a temporary file: $(ls)"
cp merged.h5 before.h5
expect_one_line_error "run $key is DONE" "$KDBENCH" merge merged.h5 conflict.h5 -o merged.h5
cmp -s merged.h5 before.h5 || fail "a refused in-place merge changed its output"

step "bad arguments: one line, exit 2"
expect_one_line_error "missing\.h5: no such file" "$KDBENCH" merge results/tiny-fmnist.shard0.h5 missing.h5 -o x.h5
expect_one_line_error "missing -o" "$KDBENCH" merge results/tiny-fmnist.shard0.h5
expect_one_line_error "no input files" "$KDBENCH" merge -o x.h5
[[ ! -e x.h5 ]] || fail "a failed merge wrote x.h5"
