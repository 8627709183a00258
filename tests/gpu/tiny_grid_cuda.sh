#!/usr/bin/env bash
# A tiny grid end to end with `kdbench run --device cuda` (label gpu): synthetic IDX files in the
# Fashion-MNIST layout, one teacher and two students; every task DONE, trained on cuda:0, and
# results.h5 written. Exits 77 (skipped) without a visible GPU.
#   tiny_grid_cuda.sh KDBENCH SOURCE_DIR WORK_DIR
set -euo pipefail
kdbench=$1; src=$2; work=$3
if ! { command -v nvidia-smi > /dev/null && nvidia-smi -L 2> /dev/null | grep -q GPU; }; then
  echo "SKIPPED: no NVIDIA GPU visible"; exit 77
fi
rm -rf "$work" && mkdir -p "$work/data" && cd "$work"
python3 - data <<'PY'
import os, random, struct, sys
random.seed(1)
def write(prefix, n):
    labels = bytes(random.randrange(10) for _ in range(n))
    # Brightness of the image encodes the label, so the students can learn something.
    images = bytearray()
    for y in labels:
        images += bytes(min(255, 20 * y + random.randrange(60)) for _ in range(784))
    with open(os.path.join(sys.argv[1], prefix + "-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 2051, n, 28, 28) + images)
    with open(os.path.join(sys.argv[1], prefix + "-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 2049, n) + labels)
write("train", 1200)
write("t10k", 400)
PY
sed -e "s|^data_dir .*|data_dir = $work/data|" -e 's/^train_subset .*/train_subset = 1000/' \
    -e 's/^test_subset .*/test_subset = 400/' -e 's/^val_fraction .*/val_fraction = 0.1/' \
    "$src/tests/e2e/tiny-fmnist.ini" > grid.ini
"$kdbench" run grid.ini --comm single --device cuda --results results.h5 2>&1 | tee run.log
grep -q "device cuda:0" run.log || { echo "FAIL: no 'device cuda:0' line"; exit 1; }
[[ -s results.h5 ]] || { echo "FAIL: no results.h5"; exit 1; }
"$kdbench" status results.h5 | tee status.txt
grep -Eq "^[0-9]+ runs: [0-9]+ DONE$" status.txt || { echo "FAIL: not every task DONE"; exit 1; }
echo PASS
