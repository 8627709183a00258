#!/usr/bin/env bash
# Fault soak (not run in CI): N trials of tests/e2e/faults.sh, each a fault drawn at random from
# kill -9 (worker rank, rank 0, whole job) and SIGTERM (first step, evaluation, checkpoint write,
# results flush), each rerun checked against an uninterrupted run. Needs Fashion-MNIST in
# /usr/share/datasets/fashion-mnist and mpirun; about 10 s per trial.
#   bench/fault_soak.sh [N=50] [SEED=random] [KDBENCH=build/kdbench]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-50}
seed=${2:-$RANDOM$RANDOM}
kdbench=$(realpath "${3:-$here/build/kdbench}")
work=${FAULT_SOAK_DIR:-/tmp/kdbench-fault-soak}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "fault soak: $n trials, seed $seed (rerun a failure with the same seed), work in $work"
exec bash "$here/tests/e2e/faults.sh" "$kdbench" "$here" "$work" "$n" "$seed"
