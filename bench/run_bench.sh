#!/usr/bin/env bash
# Per-model epoch time of kdbench vs the equivalent PyTorch script (bench/pytorch_baseline.py), side
# by side, 1 intra-op thread each, same data (12,000 Fashion-MNIST training images, batch 128,
# 6,000 val + 10,000 test evaluated per epoch at batch 256), both in the allocator environment
# kdbench sets for itself (mmap and trim thresholds 1 GiB). Usage: bench/run_bench.sh [build/kdbench]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kdbench=${1:-$here/../build/kdbench}
work=$(mktemp -d)
cd "$work"
"$kdbench" run "$here/epoch-times.ini" --comm single --log-level warn
/usr/bin/python3 - <<'PY'
import h5py
f = h5py.File("bench-out/epoch-times.h5", "r")
print("kdbench (seconds per epoch, train + eval, epochs 1..2):")
for key, g in f["runs"].items():
    a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in g.attrs.items()}
    label = a["model"] + (" " + a["method"] + "<-" + a["teacher_model"] if a["method"] else "")
    print(f"  {label:22s} {' '.join(f'{s:6.2f}' for s in g['seconds'][()])}")
PY
echo "PyTorch script (same work):"
for m in cnn2 cnn4 cnn8 resnet8 resnet20; do
  MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 /usr/bin/python3 "$here/pytorch_baseline.py" $m 2 | sed 's/^/  /'; done
rm -rf "$work"
