#!/usr/bin/env bash
# needs_tool.sh itself, with stand-in tools on PATH so the outcome does not depend on what this
# machine has installed: a missing tool is a skip (77) with a message, a present one runs the
# command and passes its exit code on, an unknown tool or a gtest filter that selects nothing is
# an error.
#   needs_tool_selftest.sh NEEDS_TOOL_SH GTEST_BINARY WORK_DIR
set -uo pipefail
needs=$1; gtest_binary=$2; work=$3
# bin/: stand-ins for the pdflatex tools and the few real programs needs_tool.sh uses; no
# directory of the real system is on PATH, so a real pdflatex cannot be found.
rm -rf "$work" && mkdir -p "$work/bin" "$work/none"
for exe in pdflatex pdfinfo pdftotext; do printf '#!/bin/sh\nexit 0\n' > "$work/bin/$exe"; done
chmod +x "$work"/bin/*
ln -s "$(command -v grep)" "$work/bin/grep"
fail() { echo "needs_tool_selftest: FAIL: $*" >&2; exit 1; }
expect() {  # expect CODE PATH COMMAND...
  local want=$1 path=$2; shift 2
  out=$(env PATH="$path" /usr/bin/bash "$needs" "$@" 2>&1); local code=$?
  [[ $code == "$want" ]] || fail "exit $code, expected $want: needs_tool.sh $* -> $out"
}
expect 77 "$work/none" pdflatex -- /usr/bin/true
[[ $out == "SKIPPED: needs pdflatex; install it with scripts/setup.sh"* ]] || fail "skip message: $out"
rm "$work/bin/pdftotext"
expect 77 "$work/bin" pdflatex -- /usr/bin/true
[[ $out == "SKIPPED: needs pdftotext;"* ]] || fail "skip message: $out"
printf '#!/bin/sh\nexit 0\n' > "$work/bin/pdftotext" && chmod +x "$work/bin/pdftotext"
expect 0 "$work/bin" pdflatex -- /usr/bin/true
expect 3 "$work/bin" pdflatex -- /usr/bin/bash -c 'exit 3'
expect 2 "$work/bin" latex -- /usr/bin/true
expect 2 "$work/bin" pdflatex /usr/bin/true
expect 0 "$work/bin" pdflatex -- "$gtest_binary" --gtest_filter=Strings.SplitTrimJoin
expect 1 "$work/bin" pdflatex -- "$gtest_binary" --gtest_filter=NoSuchSuite.NoSuchCase
[[ $out == *"selects no test case"* ]] || fail "empty filter message: $out"
echo "needs_tool_selftest: passed"
