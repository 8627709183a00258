#!/usr/bin/env bash
# The NCCL gang test on the GPUs this machine has, one rank per GPU; exit 77 (ctest: Skipped)
# when no CUDA device is visible.   nccl_gang.sh TEST_NCCL_GANG
set -euo pipefail
probe=$("$1" --probe) || { rc=$?; echo "SKIPPED: $probe (needs a CUDA device)"; exit "$rc"; }
echo "$probe"
gpus=$(sed -n 's/.*, \([0-9]*\) CUDA device(s)/\1/p' <<< "$probe")
exec mpirun -np "$gpus" --oversubscribe "$1"
