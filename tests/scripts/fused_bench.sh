#!/usr/bin/env bash
# kdbench_fused_bench on tiny settings: one line per model and K with both rates and the ratio;
# a bad --fuse value is one error line naming it and exit 2. Timing is never judged.
# Usage: fused_bench.sh KDBENCH_FUSED_BENCH
set -euo pipefail
bench=$1
out=$("$bench" --models cnn2,resnet8 --fuse 1,2 --input 3x8x8 --batch 4 --windows 1 \
  --window-ms 1 --warmup 1)
lines=$(grep -c '^model=.* separate_samples_per_s=.* fused_samples_per_s=.* fused_over_separate=' \
  <<<"$out" || true)
[[ $lines -eq 4 ]] || { echo "FAIL: expected 4 result lines, got: $out"; exit 1; }
set +e
err=$("$bench" --fuse two 2>&1)
rc=$?
set -e
[[ $rc -eq 2 ]] || { echo "FAIL: --fuse two exited $rc"; exit 1; }
grep -q -- "--fuse" <<<"$err" || { echo "FAIL: the message does not name --fuse: $err"; exit 1; }
echo "fused bench: 4 result lines, a bad --fuse refused with exit 2"
