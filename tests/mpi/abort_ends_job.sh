#!/usr/bin/env bash
# Communicator::abort on one rank ends every rank (the others wait in recv for a message that
# never comes) and the job's exit code is the one passed to abort (7).
#   abort_ends_job.sh TEST_MPI_BINARY
set -uo pipefail
start=$(date +%s)
timeout 60 mpirun -np 2 --oversubscribe "$1" --abort-from-rank=1
code=$?
echo "exit $code after $(( $(date +%s) - start )) s"
[[ $code != 124 ]] || { echo "abort_ends_job: FAIL: the job still ran after 60 s"; exit 1; }
[[ $code == 7 ]] || { echo "abort_ends_job: FAIL: exit $code, expected 7"; exit 1; }
