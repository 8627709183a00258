#!/usr/bin/env bash
# The first thing a new user runs: installs what is missing, builds kdbench, trains the quickstart
# grid (Fashion-MNIST, 2 MPI ranks) and writes its capacity-gap table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
scripts/setup.sh
KDBENCH_BUILD_JOBS=${KDBENCH_BUILD_JOBS:-$(nproc)} scripts/build.sh -DKDBENCH_BUILD_TESTS=OFF
if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
ranks=${KDBENCH_RANKS:-2}
echo "quickstart: mpirun -np $ranks build/kdbench suite/grids/quickstart.ini"
status=0
mpirun -np "$ranks" --oversubscribe build/kdbench suite/grids/quickstart.ini || status=$?
if [[ $status -ne 0 ]]; then
  echo "quickstart: kdbench exited with $status (1 = some task failed; rerun to retry them)" >&2
  exit $status
fi
build/kdbench report results/quickstart.h5 --out reports/out/quickstart
echo
echo "quickstart finished in $(( $(date +%s) - start )) s"
echo "  results file:  $root/results/quickstart.h5   (kdbench status results/quickstart.h5)"
echo "  LaTeX table:   $root/reports/out/quickstart/tables/capacity_gap.tex"
echo "  CSV table:     $root/reports/out/quickstart/tables/capacity_gap.csv"
