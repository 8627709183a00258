#!/usr/bin/env bash
# `kdbench slurm` refuses bad values and invalid grids with one line and exit 2 and writes
# nothing (no script, no log directory); what it accepts, the real sbatch accepts too
# (`sbatch --test-only` against the local cluster), quoting survives hostile file names, and
# `kdbench run --shard` rejects bad shard specs the same way.
#   bad_inputs.sh KDBENCH SOURCE_DIR WORK_DIR    (needs the slurm_cluster fixture: SLURM_CONF set)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
slurm_test_init slurm.bad_inputs "$@"

mkdir cases && cd cases
tiny_grid 2 512 > grid.ini
sed 's/^lr           = 0.05$/lr = fast/' grid.ini > bad.ini
grep -qx 'lr = fast' bad.ini
listing="bad.ini grid.ini "

rejected() {  # rejected PATTERN ARGS...: `kdbench ARGS` exits 2 with one matching line, writes nothing
  local pattern=$1; shift
  set +e
  "$KDBENCH" "$@" > ../out.txt 2> ../err.txt
  local code=$?
  set -e
  printf '%-60s -> %s\n' "$*" "$(cat ../err.txt)"
  [[ $code == 2 ]] || fail "exit $code, expected 2: kdbench $*"
  [[ $(wc -l < ../err.txt) == 1 ]] || fail "expected exactly one error line: kdbench $*"
  [[ ! -s ../out.txt ]] || fail "wrote to stdout: kdbench $*"
  grep -qE -- "$pattern" ../err.txt || fail "error line does not match '$pattern': kdbench $*"
  [[ "$(ls | tr '\n' ' ')" == "$listing" ]] || fail "files were written: $(ls) (kdbench $*)"
}

step "bad values"
rejected "--nodes: '-3' is not allowed"          slurm grid.ini --nodes -3
rejected "--nodes: '0' is not allowed"           slurm grid.ini --nodes 0
rejected "--nodes"                               slurm grid.ini --nodes two
rejected "--gpus-per-node: '65' is not allowed"  slurm grid.ini --gpus-per-node 65
rejected "--ranks-per-gpu: .2. is not allowed .*only with --gpus-per-node" slurm grid.ini --ranks-per-gpu 2
rejected "--device: .gpu. is not allowed"      slurm grid.ini --gpus-per-node 1 --device gpu
rejected "--time: '25:99:99' is not allowed"     slurm grid.ini --time 25:99:99
rejected "--time: '1-2-3' is not allowed"        slurm grid.ini --time 1-2-3
rejected "--partition: 'x; rm -rf /' is not allowed" slurm grid.ini --partition 'x; rm -rf /'
rejected "--account: '\\\$\(reboot\)' is not allowed" slurm grid.ini --account '$(reboot)'
rejected "--qos: .* is not allowed"              slurm grid.ini --qos $'normal\n#SBATCH --exclusive'
rejected "--mem: '10X' is not allowed"           slurm grid.ini --mem 10X
rejected "--mpi: 'pmi2' is not allowed"          slurm grid.ini --mpi pmi2
rejected "--modules: 'gcc;reboot' is not allowed" slurm grid.ini --modules 'openmpi gcc;reboot'
rejected "--log-dir: 'a b' is not allowed"       slurm grid.ini --log-dir 'a b'
rejected "--signal-seconds: 120 s is not shorter than --time 1" slurm grid.ini --time 1
rejected "--mode: 'multi' is not allowed"        slurm grid.ini --mode multi
rejected "--shards: '0' is not allowed"          slurm grid.ini --mode array
rejected "--shards: '2' is not allowed .*only with --mode array" slurm grid.ini --shards 2
rejected "unrecognised option '--gpu-count'"     slurm grid.ini --gpu-count 2

step "invalid or missing grids: rejected before any script is written"
rejected "bad.ini: \[train\] lr: 'fast' is not a finite number" slurm bad.ini --nodes 2 --out bad.sbatch
rejected "nope.ini"                              slurm nope.ini
rejected "missing grid"                          slurm

step "kdbench run --shard"
rejected "--shard: shard index 3 is not allowed" run grid.ini --shard 3/3 --comm single
rejected "--shard: '1/2/3' is not allowed"       run grid.ini --shard 1/2/3 --comm single
rejected "--shard: '-1/2' is not allowed"        run grid.ini --shard=-1/2 --comm single

step "accepted values make a script that the real sbatch accepts"
"$KDBENCH" slurm grid.ini --nodes 1 --gpus-per-node 2 --cpus-per-task 1 --time 0-00:30:00 --partition debug \
  --mem 100M --mpi none --modules "gcc/12 openmpi/4.1" --signal-seconds 90 --max-requeues 3 --log-dir logs
[[ -x grid.sbatch && -d logs ]] || fail "default --out grid.sbatch or the log directory missing"
bash -n grid.sbatch
grep -qx "module load 'gcc/12' 'openmpi/4.1' .*" grid.sbatch || fail "module line not quoted"
grep -q 'mpirun -np "$SLURM_NTASKS"' grid.sbatch || fail "--mpi none did not use mpirun"
sbatch --test-only grid.sbatch 2>&1 | tee test-only.txt
grep -q 'to start at' test-only.txt || fail "sbatch --test-only rejected the script"
"$KDBENCH" slurm grid.ini --mode array --shards 3 --log-dir logs --out - > array.sbatch
grep -qx '#SBATCH --array=0-2' array.sbatch || fail "--out - did not print the array script"
sbatch --test-only array.sbatch 2>&1 | tee test-only.txt
grep -q 'to start at' test-only.txt || fail "sbatch --test-only rejected the array script"

step "a hostile grid file name stays one shell word"
name="it's \$(touch pwned) \"x\".ini"
cp grid.ini "$name"
"$KDBENCH" slurm "$name" --out hostile.sbatch --log-dir logs
bash -n hostile.sbatch
grid_value=$(bash -c "$(grep '^GRID=' hostile.sbatch); printf '%s' \"\$GRID\"")
[[ $grid_value == "$name" ]] || fail "GRID evaluates to '$grid_value', expected '$name'"
[[ ! -e pwned ]] || fail "a command in the grid name was executed"
