#!/usr/bin/env bash
# Gangs under `mpirun -np 3` (docs/design.md §3.6-3.7):
#   1. a grid mixing gangs of 2 (teachers) and single-rank tasks finishes with every task DONE
#      exactly once, each gang recorded with its 2 ranks and their hosts, single runs with {};
#      its KD students share one teacher-logit cache file per teacher;
#   2. a gang member killed with kill -9 mid-task ends the whole job within 60 s (no hang), and
#      the same command then completes every task, the killed gang's task trained again.
#   gangs.sh KDBENCH SOURCE_DIR WORK_DIR
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
t0=$(date +%s)
step() { echo "--- [$(( $(date +%s) - t0 )) s] $*"; }
fail() { echo "gangs: FAIL: $*" >&2; exit 1; }

# check RESULTS ONCE: 8 runs, all DONE, gangs recorded; ONCE=1: every run trained once.
check() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
import h5py
path, once = sys.argv[1], sys.argv[2] == "1"
with h5py.File(path, "r") as f:
    runs = {k: {a: (v.decode() if isinstance(v, bytes) else v) for a, v in g.attrs.items()}
            for k, g in f["runs"].items()}
assert len(runs) == 8, (len(runs), sorted(runs))
for key, r in runs.items():
    assert r["status"] == "DONE", (key, r["status"], r["error"])
    gang = json.loads(r["gang"])
    if r["kind"] == "teacher":
        assert gang["size"] == 2 and len(set(gang["ranks"])) == 2, (key, gang)
        assert len(gang["hosts"]) == 2 and r["rank"] == gang["ranks"][0], (key, gang, r["rank"])
        assert all(0 <= x < 3 for x in gang["ranks"]), gang
    else:
        assert gang == {}, (key, gang)
    assert int(r["attempts"]) == 1 or not once, (key, r["attempts"])
print("gangs:", sorted((r["kind"], r["model"], r["gang"], int(r["attempts"])) for r in runs.values()))
PY
}

step "plan shows the gangs"
"$kdbench" plan "$src/tests/e2e/gangs-tiny.ini" | tee plan.txt | tail -3
grep -qx "gangs (ranks per task, at most the job's ranks): teacher cnn4=2 teacher cnn6=2" plan.txt

step "1. gangs of 2 and single-rank tasks on 3 ranks"
mpirun -np 3 --oversubscribe "$kdbench" run "$src/tests/e2e/gangs-tiny.ini" --results mixed.h5 \
  > mixed.log 2>&1 || { cat mixed.log; fail "the mixed grid failed"; }
[[ $(grep -c 'gang of 2 on ranks' mixed.log) == 2 ]] || { cat mixed.log; fail "expected 2 gang dispatches"; }
check mixed.h5 1

step "1b. one sealed teacher-logit cache file per teacher checkpoint, read by its students"
# The 4 KD students (2 per teacher, on different ranks) distil unaugmented batches from the cache:
# one file per teacher, its KDBSUM1 trailer valid, its header naming the teacher; every KD record
# names it; racing ranks may both build it (identical bytes, atomic rename), never more files.
/usr/bin/python3 - mixed.h5 artifacts/gangs-tiny <<'PY'
import json, os, sys
import h5py
path, art = sys.argv[1], sys.argv[2]
M = (1 << 64) - 1
def fnv(data, h):
    for c in data:
        h = ((h ^ c) * 0x100000001b3) & M
    return h
def mix(x):
    x = (x + 0x9e3779b97f4a7c15) & M
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M
    return x ^ (x >> 31)
def content_key(data):  # kdbench/core/hash.h
    a = mix(fnv(data, 0xcbf29ce484222325))
    b = mix(fnv(data, 0x84222325cbf29ce4) ^ len(data))
    return "%016x%08x" % (a, b >> 32)
with h5py.File(path, "r") as f:
    runs = {k: {a: (v.decode() if isinstance(v, bytes) else v) for a, v in g.attrs.items()}
            for k, g in f["runs"].items()}
name = "logits-final-fp32-eval500.fp32"
for key, r in runs.items():
    if r["kind"] != "teacher":
        continue
    files = sorted(n for n in os.listdir(os.path.join(art, key)) if n.startswith("logits-"))
    assert files == [name], (key, files)
    data = open(os.path.join(art, key, name), "rb").read()
    body, trailer = data[:-32], data[-32:]
    assert trailer == b"KDBSUM1:" + content_key(body).encode(), (key, trailer)
    tag, header, values = body.split(b"\n", 2)
    header = json.loads(header)
    assert tag == b"KDBLOGITS1" and header["teacher_key"] == key, (tag, header)
    assert header["checkpoint"] == "final" and header["dtype"] == "fp32", header
    assert len(values) == header["samples"] * header["classes"] * 4 == 512 * 10 * 4, header
kd = 0
for key, r in runs.items():
    config = json.loads(r["config"])
    if r["method"] == "kd":
        kd += 1
        expected = {"source": "cache", "dtype": "fp32", "files": [r["teacher_key"] + "/" + name]}
        assert config["teacher_logits"] == expected, (key, config)
    else:
        assert "teacher_logits" not in config, (key, config)
assert kd == 4, kd
print("teacher-logit cache: one sealed file per teacher, named by its", kd, "KD students")
PY
uses=$(grep -c 'teacher logits: .* \(computed in\|read in\|held in memory\)' mixed.log)
[[ $uses == 4 ]] || { cat mixed.log; fail "expected 4 uses of the teacher-logit cache, saw $uses"; }

step "2. kill -9 of a gang member mid-task"
# Longer teachers, so that the gang is still training when its member is killed.
sed -e 's/^epochs = 2$/epochs = 10/' "$src/tests/e2e/gangs-tiny.ini" > kill.ini
grep -qx 'epochs = 10' kill.ini
mpirun -np 3 --oversubscribe "$kdbench" run kill.ini --results kill.h5 > kill1.log 2>&1 &
mpirun_pid=$!
end=$(( $(date +%s) + 120 ))
until grep -q 'teacher cnn[46] seed 1: epoch 2/10' kill1.log; do
  (( $(date +%s) < end )) || { cat kill1.log; fail "no gang epoch within 120 s"; }
  kill -0 "$mpirun_pid" 2>/dev/null || { cat kill1.log; fail "the run ended before the kill"; }
  sleep 0.2
done
# The second member of the first gang dispatched: "...: gang of 2 on ranks [R0,R1]".
member=$(grep -m1 -o 'gang of 2 on ranks \[[0-9],[0-9]\]' kill1.log | sed 's/.*,\([0-9]\)\]/\1/')
victim=""
for pid in $(pgrep -P "$mpirun_pid"); do  # the ranks
  rank=$(tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p' || true)
  [[ $rank == "$member" ]] && victim=$pid
done
[[ -n $victim ]] || fail "no process of rank $member"
kill_time=$(date +%s)
kill -9 "$victim"
set +e
wait "$mpirun_pid"
rc=$?
set -e
took=$(( $(date +%s) - kill_time ))
echo "kill -9 of rank $member (pid $victim): mpirun exit $rc after ${took} s"
(( took <= 60 )) || fail "the job took ${took} s to end after the kill (limit 60)"
[[ $rc != 0 ]] || fail "mpirun exited 0 after a rank was killed"

step "rerun completes every task"
mpirun -np 3 --oversubscribe "$kdbench" run kill.ini --results kill.h5 > kill2.log 2>&1 ||
  { cat kill2.log; fail "the rerun failed"; }
check kill.h5 0
/usr/bin/python3 - kill.h5 <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    attempts = {g.attrs["model"].decode(): int(g.attrs["attempts"])
                for g in f["runs"].values() if g.attrs["kind"].decode() == "teacher"}
assert max(attempts.values()) == 2, f"the killed gang's teacher was not trained again: {attempts}"
print("teacher attempts:", attempts)
PY
echo "gangs: passed in $(( $(date +%s) - t0 )) s"
