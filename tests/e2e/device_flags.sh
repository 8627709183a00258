#!/usr/bin/env bash
# `kdbench run --device/--ranks-per-gpu`: a request this machine cannot serve (--device cuda
# without a visible GPU), an unknown device and a negative --ranks-per-gpu end the run with exit 2
# and one line before anything is written: no results file, no artifacts folder.
#   device_flags.sh KDBENCH SOURCE_DIR WORK_DIR
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
sed -e 's|^data_dir .*|data_dir = '"$work"'/no-data|' "$src/tests/e2e/tiny-fmnist.ini" > grid.ini
printf 'results = %s/out.h5\nartifacts = %s/artifacts\n' "$work" "$work" > extra.txt
sed -i '/^\[grid\]/r extra.txt' grid.ini && rm extra.txt

rejected() {  # rejected PATTERN ARGS...: exit 2, exactly one matching stderr line, nothing written
  local pattern=$1; shift
  set +e
  "$kdbench" run grid.ini --comm single "$@" > out.txt 2> err.txt
  local code=$?
  set -e
  echo "run $* -> exit $code: $(cat err.txt)"
  [[ $code == 2 ]] || fail "exit $code, expected 2: run $*"
  [[ $(wc -l < err.txt) == 1 ]] || fail "expected exactly one error line: run $*"
  grep -qE -- "$pattern" err.txt || fail "error line does not match '$pattern': run $*"
  [[ ! -e out.h5 && ! -e artifacts ]] || fail "files were written: run $*"
}

# A machine with a GPU serves --device cuda (tests/gpu covers it there).
if ! { command -v nvidia-smi > /dev/null && nvidia-smi -L 2> /dev/null | grep -q GPU; }; then
  rejected "kdbench: error: --device cuda: no CUDA device is visible \(CUDA_VISIBLE_DEVICES=.*LibTorch" \
    --device cuda
  CUDA_VISIBLE_DEVICES= rejected "CUDA_VISIBLE_DEVICES=''" --device cuda
fi
rejected "--device: 'gpu' is not one of auto\|cpu\|cuda" --device gpu
rejected "--ranks-per-gpu: -1 must be >= 0" --ranks-per-gpu -1
# The same grid with a device it can use fails later, on the missing data: the device check came
# first above, not instead of the grid's own checks.
set +e
"$kdbench" run grid.ini --comm single --device cpu > out.txt 2> err.txt
code=$?
set -e
[[ $code == 2 ]] && grep -q "no-data" err.txt || fail "expected the missing data error: $(cat err.txt)"
echo "PASS"
