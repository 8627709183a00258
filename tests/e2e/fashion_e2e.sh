#!/usr/bin/env bash
# End to end on real Fashion-MNIST: plan, run, read results.h5 back with h5py, rerun (trains
# nothing), extend the grid by a seed (trains only the new tasks), report + pdflatex, and a
# malformed grid that exits 2 and writes nothing.
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
check=$src/tests/e2e/h5check.py
cp "$src/tests/e2e/tiny-fmnist.ini" grid.ini

step() { echo "--- $*"; }

step "plan lists every task and trains nothing"
"$kdbench" plan grid.ini | tee plan.txt
[[ $(grep -cE '^[0-9a-f]{24} ' plan.txt) == 5 ]] || { echo "plan should list 5 tasks"; exit 1; }
[[ ! -e results ]] || { echo "plan wrote results"; exit 1; }

step "run"
"$kdbench" grid.ini 2>&1 | tee run1.log
/usr/bin/python3 "$check" done results/tiny-fmnist.h5 5
/usr/bin/python3 "$check" attempts results/tiny-fmnist.h5 1
h5dump -H results/tiny-fmnist.h5 >/dev/null  # the HDF5 command-line tools read it too

step "rerun trains nothing"
"$kdbench" grid.ini 2>&1 | tee run2.log
grep -q "5 already done, 0 to run" run2.log
if grep -q ": start (" run2.log; then echo "rerun trained a task"; exit 1; fi
/usr/bin/python3 "$check" attempts results/tiny-fmnist.h5 1

step "one more seed trains only the new tasks"
sed -i 's/^seeds     = 1 2$/seeds     = 1 2 3/' grid.ini
grep -q '^seeds     = 1 2 3$' grid.ini
"$kdbench" grid.ini 2>&1 | tee run3.log
grep -q "5 already done, 2 to run" run3.log
[[ $(grep -c ": start (" run3.log) == 2 ]] || { echo "expected exactly 2 tasks trained"; exit 1; }
/usr/bin/python3 "$check" done results/tiny-fmnist.h5 7
/usr/bin/python3 "$check" attempts results/tiny-fmnist.h5 1

step "status"
"$kdbench" status results/tiny-fmnist.h5 | tee status.txt
grep -q "7 runs: 7 DONE" status.txt
# The coordinator's progress file: the last job finished, every task done.
grep -qE "^job finished \(progress file [0-9]+ s old, written .*\): 7/7 done, 0 failed, 0 running, 0 pending" status.txt
# A job killed while running leaves a file that says "running" and then grows old.
sed -i 's/"state": *"finished"/"state": "running"/; s/"unix_time": *[0-9.e+]*/"unix_time": 1000/' \
  results/tiny-fmnist.h5.progress.json
"$kdbench" status results/tiny-fmnist.h5 | grep -q "^job not running (progress file .* old" \
  || { echo "a stale progress file was not called stale"; exit 1; }

step "plan --ranks refines from the finished runs and estimates a makespan"
"$kdbench" plan grid.ini --ranks 2 | tee plan2.txt
grep -qE "^estimated work .* CPU rank-hours \(refined from [0-9]+ measured epochs" plan2.txt
grep -qE "^on 2 CPU rank\(s\), 0 task\(s\) to run \(7 DONE\)" plan2.txt

step "report compiles with pdflatex"
"$kdbench" report results/tiny-fmnist.h5 --out report
test -s report/tables/capacity_gap.tex
test -s report/tables/capacity_gap.csv
(cd report && pdflatex -interaction=nonstopmode -halt-on-error report.tex >/dev/null)
test -s report/report.pdf
grep -q "cnn4" report/tables/capacity_gap.csv

step "a malformed grid exits 2 with one line and writes nothing"
mkdir badrun && cd badrun
sed 's/^lr           = 0.05$/lr = fast/' "$src/tests/e2e/tiny-fmnist.ini" > bad.ini
grep -q '^lr = fast$' bad.ini
set +e
"$kdbench" bad.ini >bad.out 2>bad.err
code=$?
set -e
cat bad.err
[[ $code == 2 ]] || { echo "exit code $code, expected 2"; exit 1; }
[[ $(wc -l <bad.err) == 1 ]] || { echo "expected one error line"; exit 1; }
grep -q "bad.ini: \[train\] lr: 'fast' is not a finite number" bad.err
[[ $(ls | sort | tr '\n' ' ') == "bad.err bad.ini bad.out " ]] || { echo "a malformed grid wrote files: $(ls)"; exit 1; }
echo "fashion_e2e: all steps passed"
