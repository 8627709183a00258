#!/usr/bin/env bash
# The layering check accepts a correctly linked project and rejects, naming file, header and the
# missing link: (1) a library including another's header without linking it; (2) a public header
# including a library linked only PRIVATE. Usage: run.sh KDBENCH_CMAKE_DIR WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmake_dir=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
configure() { cmake -S "$here" -B "$work/$1" -DKDBENCH_CMAKE_DIR="$cmake_dir" "${@:2}" >"$work/$1.log" 2>&1; }
fail() { echo "FAIL: $*"; cat "$work"/*.log; exit 1; }

configure ok || fail "a correctly linked project was rejected"
cmake --build "$work/ok" >/dev/null || fail "the correctly linked fixture does not build"

! configure unlinked -DBETA_LINKS_ALPHA=OFF || fail "beta includes alpha without linking it, accepted"
grep -q "beta/beta.cpp includes kdbench/alpha/alpha.h, but kdbench_beta does not link kdbench_alpha" \
  "$work/unlinked.log" || fail "the message does not name file, header and link"

! configure private -DGAMMA_ALPHA_PRIVATE=ON || fail "a public header over a PRIVATE link, accepted"
grep -q "gamma.h (a public header of kdbench_gamma) includes kdbench/alpha/alpha.h, but kdbench_gamma does not link kdbench_alpha PUBLIC" \
  "$work/private.log" || fail "the public-header message is missing"
echo "layering check: accepts the linked project, rejects both violations"
