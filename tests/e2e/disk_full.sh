#!/usr/bin/env bash
# A full disk and an unwritable artifacts directory (needs root and tmpfs mounts; exit 77 =
# skipped otherwise). Artifacts on a 200 KiB tmpfs: the task whose checkpoint does not fit fails
# naming the OS error ("No space left on device"), no temporary file is left, the job ends
# cleanly (exit 1, not a crash), results.h5 stays readable by h5py, and a rerun with more space
# completes every task. A read-only artifacts directory is refused at start with exit 2.
#   disk_full.sh KDBENCH SOURCE_DIR WORK_DIR
set -euo pipefail
kdbench=$1; src=$2; work=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() { umount "$work/small" 2> /dev/null || true; umount "$work/ro" 2> /dev/null || true; }
trap cleanup EXIT
cleanup
rm -rf "$work" && mkdir -p "$work/small" "$work/ro" && cd "$work"
if ! mount -t tmpfs -o size=200k kdbench-test "$work/small" 2> mount.err; then
  echo "SKIP: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): $(cat mount.err)"
  exit 77
fi
/usr/bin/python3 "$src/tests/e2e/make_bad_data.py" idx "$work/data"
cat > grid.ini <<EOF2
[grid]
name = full
data_dir = $work/data
teachers = cnn4
students = cnn2
methods = nokd kd
seeds = 1
results = $work/out.h5
artifacts = $work/small/artifacts
[train]
epochs = 1
batch_size = 32
val_fraction = 0.1
threads = 1
[teacher]
epochs = 2
checkpoints = 1
EOF2
# cnn4's checkpoints are ~150 KiB each: the first fits, the final one does not.
set +e
"$kdbench" run grid.ini --comm single > full.log 2>&1
code=$?
set -e
grep -v '^\[' full.log || true
grep "failed" full.log || true
[[ $code == 1 ]] || fail "full disk: exit $code, expected 1 (some task failed): $(tail -5 full.log)"
grep -q "failed: .*: write failed: No space left on device" full.log ||
  fail "the OS error is not named: $(grep -i fail full.log)"
[[ -z $(find small -name '*.tmp.*') ]] || fail "temporary files left: $(find small -name '*.tmp.*')"
/usr/bin/python3 - "$work/out.h5" <<'EOF2'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    statuses = {k: f["runs"][k].attrs["status"].decode() for k in f["runs"]}
print("after the full disk:", statuses)
assert "FAILED" in statuses.values(), statuses
EOF2

mount -o remount,size=20m "$work/small"
"$kdbench" run grid.ini --comm single > rerun.log 2>&1 || fail "rerun with space: $(tail -5 rerun.log)"
/usr/bin/python3 "$src/tests/e2e/h5check.py" done out.h5 3

# A read-only artifacts directory (root ignores permissions: a read-only bind mount).
mkdir -p ro-src
mount --bind ro-src ro && mount -o remount,ro,bind ro || { echo "SKIP: no read-only bind mount"; exit 77; }
sed "s|^artifacts = .*|artifacts = $work/ro/artifacts|; s|^results = .*|results = $work/ro-out.h5|" \
  grid.ini > ro.ini
set +e
"$kdbench" run ro.ini --comm single > ro.out 2> ro.err
code=$?
set -e
cat ro.err
[[ $code == 2 ]] || fail "read-only artifacts: exit $code, expected 2"
grep -q "ro/artifacts: \[grid\] artifacts: cannot create or write this directory: Read-only file system" \
  ro.err || fail "message does not name the read-only artifacts dir"
[[ ! -e ro-out.h5 && ! -e ro-out.h5.lock ]] || fail "files left after the refusal"
echo "PASS"
