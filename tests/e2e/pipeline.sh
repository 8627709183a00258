#!/usr/bin/env bash
# Pipelining ([grid] pipeline, docs/design.md §3.6) under `mpirun -np 3`: the students of teacher
# checkpoints 1 and 2 start before the teacher finishes (their `started` against the teacher's
# `finished` in results.h5, read with h5py), the final-weights students after it; the same grid
# with `pipeline = false` starts every student after the teacher and gives bitwise the same
# results. Prints both wall times.
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work/on" "$work/off"
grid=$src/tests/e2e/pipeline-tiny.ini
grep -q '^pipeline  = true$' "$grid"
cp "$grid" "$work/on/grid.ini"
sed 's/^pipeline  = true$/pipeline  = false/' "$grid" > "$work/off/grid.ini"
declare -A wall
for mode in on off; do
  cd "$work/$mode"
  start=$(date +%s%N)
  mpirun -np 3 --oversubscribe "$kdbench" run grid.ini --results results.h5 > run.log 2>&1 ||
    { tail -20 run.log; exit 1; }
  ms=$((($(date +%s%N) - start) / 1000000))
  wall[$mode]=$((ms / 1000)).$(printf '%03d' $((ms % 1000)))
  /usr/bin/python3 "$src/tests/e2e/h5check.py" done results.h5 7
done
grep -q "checkpoint of epoch 1 sealed: 2 task(s) reading it may start" "$work/on/run.log"
if grep -q "task(s) reading it may start" "$work/off/run.log"; then echo "pipeline = false released a student early"; exit 1; fi
/usr/bin/python3 "$src/tests/e2e/h5check.py" same "$work/on/results.h5" "$work/off/results.h5"
/usr/bin/python3 - "$work/on/results.h5" "$work/off/results.h5" <<'PY'
import sys
import h5py
def runs(path):
    f = h5py.File(path, "r")
    return [{a: (v.decode() if isinstance(v, bytes) else v) for a, v in g.attrs.items()}
            for g in f["runs"].values()]
for path, pipelined in ((sys.argv[1], True), (sys.argv[2], False)):
    rs = runs(path)
    teacher = [r for r in rs if r["kind"] == "teacher"]
    assert len(teacher) == 1, teacher
    end = teacher[0]["finished"]  # ISO-8601 UTC to the second: ordered as text
    for r in rs:
        if r["kind"] != "student":
            continue
        c = int(r["teacher_checkpoint"])
        early = r["started"] < end
        if pipelined and c == 1:
            assert early, (path, "student of checkpoint 1 started", r["started"], "teacher finished", end)
        if not pipelined or c < 0:
            assert r["started"] >= end, (path, c, r["started"], end)
print("pipeline: students of checkpoint 1 started before the teacher finished; off: none did")
PY
echo "pipeline: wall ${wall[on]} s pipelined, ${wall[off]} s with pipeline = false"
