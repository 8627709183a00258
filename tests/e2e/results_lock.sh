#!/usr/bin/env bash
# One writing job per results file: a second `kdbench run` on a file in use refuses at start
# (exit 2, one line naming the holder's host and pid and the lock to delete), `status` reads
# while the first one runs, the lock is gone after exit 0, exit 2 and a SIGTERM exit 3, a stale
# lock of a dead pid on this host is taken over with a warning, and one from another host refuses.
#   results_lock.sh KDBENCH SOURCE_DIR WORK_DIR
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
/usr/bin/python3 "$src/tests/e2e/make_bad_data.py" idx "$work/data"
host=$(/usr/bin/python3 -c 'import socket; print(socket.gethostname())')
grid() {  # grid EPOCHS
  cat <<EOF2
[grid]
name = lock
data_dir = $work/data
students = cnn2
methods = nokd
seeds = 1
results = $work/out.h5
artifacts = $work/artifacts
[train]
epochs = $1
batch_size = 32
val_fraction = 0.1
threads = 1
EOF2
}
grid 1 > short.ini
grid 100000 > long.ini

"$kdbench" run long.ini --comm single > long.log 2>&1 &
first=$!
for _ in $(seq 600); do grep -q "epoch 1/" long.log && break; sleep 0.1; done
grep -q "epoch 1/" long.log || fail "the first job did not start training: $(cat long.log)"
grep -qx "pid=$first" out.h5.lock || fail "lock does not name pid $first: $(cat out.h5.lock)"
grep -qx "host=$host" out.h5.lock || fail "lock does not name host $host"

set +e
"$kdbench" run short.ini --comm single > second.out 2> second.err
code=$?
set -e
cat second.err
[[ $code == 2 ]] || fail "second job: exit $code, expected 2"
[[ $(wc -l < second.err) == 1 ]] || fail "second job: expected one stderr line"
grep -q "out.h5: in use by kdbench pid $first on host $host since .*delete $work/out.h5.lock" \
  second.err || fail "second job's message does not name the holder and the lock"
"$kdbench" status out.h5 > status.txt || fail "status could not read while a job writes"

kill -TERM $first
set +e; wait $first; code=$?; set -e
[[ $code == 3 ]] || fail "SIGTERM: exit $code, expected 3"
[[ ! -e out.h5.lock ]] || fail "lock left after the SIGTERM exit 3"

"$kdbench" run short.ini --comm single > short.log 2>&1 || fail "rerun failed: $(cat short.log)"
[[ ! -e out.h5.lock ]] || fail "lock left after exit 0"

set +e
"$kdbench" run short.ini --comm single --threads -1 > /dev/null 2>&1
"$kdbench" run short.ini --comm single --results "$work/data" > /dev/null 2> bad.err
code=$?
set -e
[[ $code == 2 ]] || fail "a directory as results: exit $code, expected 2 ($(cat bad.err))"
[[ ! -e out.h5.lock && ! -e "$work/data.lock" ]] || fail "lock left after exit 2"

# A lock from a process that is gone (kill -9 leaves it): taken over with a warning.
sleep 0 & dead=$!; wait $dead
printf 'host=%s\npid=%s\nstarted=2026-01-01T00:00:00Z\n' "$host" "$dead" > out.h5.lock
"$kdbench" run short.ini --comm single > stale.log 2>&1 || fail "stale lock not taken over: $(cat stale.log)"
grep -q "warning: .*out.h5.lock: stale lock of kdbench pid $dead on host $host" stale.log ||
  fail "no warning about the stale lock: $(cat stale.log)"
[[ ! -e out.h5.lock ]] || fail "lock left after the takeover run"

# A lock from another host cannot be checked: refuse and say how to remove it.
printf 'host=node-17\npid=4242\nstarted=2026-01-01T00:00:00Z\n' > out.h5.lock
set +e
"$kdbench" run short.ini --comm single > /dev/null 2> other.err
code=$?
set -e
cat other.err
[[ $code == 2 ]] || fail "another host's lock: exit $code, expected 2"
grep -q "in use by kdbench pid 4242 on host node-17 since 2026-01-01T00:00:00Z.*delete" other.err ||
  fail "message does not name the other host's job"
[[ -e out.h5.lock ]] || fail "another host's lock was removed"
echo "PASS"
