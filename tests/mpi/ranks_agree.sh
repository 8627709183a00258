#!/usr/bin/env bash
# The tiny grid on 1 rank, on `mpirun -np 2` and on `mpirun -np 3 --oversubscribe`: every task is
# DONE exactly once (attempts = 1) and the results are identical in content to the 1-rank run.
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
grid=$src/tests/e2e/tiny-fmnist.ini
check=$src/tests/e2e/h5check.py
"$kdbench" run "$grid" --results one.h5 --comm single
mpirun -np 2 "$kdbench" run "$grid" --results two.h5
mpirun -np 3 --oversubscribe "$kdbench" run "$grid" --results three.h5
for f in one.h5 two.h5 three.h5; do
  /usr/bin/python3 "$check" done "$f" 5
  /usr/bin/python3 "$check" attempts "$f" 1
done
/usr/bin/python3 "$check" same one.h5 two.h5
/usr/bin/python3 "$check" same one.h5 three.h5
world=$(/usr/bin/python3 -c 'import h5py,sys; print(int(h5py.File(sys.argv[1],"r").attrs["world_size"]))' three.h5)
[[ $world == 3 ]] || { echo "world_size attribute is '$world', expected 3"; exit 1; }
h5dump -a world_size three.h5 | grep -q '(0): 3'   # the HDF5 tools read it too
echo "ranks_agree: 1, 2 and 3 ranks gave identical results"
