#!/usr/bin/env bash
# The first thing a new user runs: installs what is missing, builds kdbench (the executable only:
# no tests), trains the quickstart grid (Fashion-MNIST, 2 MPI ranks) and writes its report.
# Prints how long each step took.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
t0=$(date +%s)
scripts/setup.sh
t1=$(date +%s)
KDBENCH_BUILD_JOBS=${KDBENCH_BUILD_JOBS:-$(nproc)} scripts/build.sh -DKDBENCH_BUILD_TESTS=OFF
t2=$(date +%s)
if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
ranks=${KDBENCH_RANKS:-2}
echo "quickstart: mpirun -np $ranks build/kdbench suite/grids/quickstart.ini"
status=0
mpirun -np "$ranks" --oversubscribe build/kdbench suite/grids/quickstart.ini || status=$?
if [[ $status -ne 0 ]]; then
  echo "quickstart: kdbench exited with $status (1 = some task failed; rerun to retry them)" >&2
  exit $status
fi
t3=$(date +%s)
build/kdbench report results/quickstart.h5 --out reports/out/quickstart
t4=$(date +%s)
echo
echo "quickstart finished in $((t4 - t0)) s: install $((t1 - t0)) s, build $((t2 - t1)) s," \
     "training $((t3 - t2)) s, report $((t4 - t3)) s"
echo "  results file:  $root/results/quickstart.h5   (build/kdbench status results/quickstart.h5)"
echo "  LaTeX table:   $root/reports/out/quickstart/tables/capacity_gap.tex"
echo "  figure:        $root/reports/out/quickstart/figures/capacity_gap_cnn2.pdf"
echo "  full report:   $root/reports/out/quickstart/report.pdf"
