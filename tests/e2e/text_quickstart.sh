#!/usr/bin/env bash
# suite/grids/text-quickstart.ini end to end on the real SpamAssassin corpus (fetched and
# converted by scripts/fetch-text-data.sh into $KDBENCH_TEXT_DATA), cut for CI: 300 training
# mails, one epoch (Annealing-KD and Combined-KD: one per stage), 4 pretraining steps, under
# mpirun -np 2. Every run of the nine methods DONE (h5py), the report's capacity-gap table holds
# the teacher, both students and every method, and its pretraining table the teacher's
# pretraining.
set -euo pipefail
kdbench=$1; src=$2; work=$3
data=${KDBENCH_TEXT_DATA:?}
rm -rf "$work" && mkdir -p "$work" && cd "$work"
sed -e "s|^data_dir  = .*|data_dir  = $data/spam|" \
    -e "s|^vocab     = .*|vocab     = $data/bert-base-uncased/vocab.txt|" \
    -e "s|^results   = .*|results   = results.h5|" -e "s|^artifacts = .*|artifacts = artifacts|" \
    -e "s|^epochs        = 3|epochs        = 1|" -e "s|^train_subset  = 1000 .*|train_subset  = 300\ntest_subset   = 200|" \
    -e "s|^tau_max = 3 .*|tau_max = 1|" -e "s|^t_max = 3 .*|t_max = 1|" \
    -e "s|^tau_max   = 3 .*|tau_max   = 1|" \
    -e "s|^corpus        = .*|corpus        = $data/spam $data/sotu-party|" \
    -e "s|^steps         = 150 .*|steps         = 4|" -e "s|^eval_every    = 50|eval_every    = 2|" \
    -e "s|^val_sequences = 500 .*|val_sequences = 64|" \
    "$src/suite/grids/text-quickstart.ini" > grid.ini
grep -q "^train_subset  = 300" grid.ini && grep -q "^tau_max = 1" grid.ini && grep -q "^t_max = 1" grid.ini
grep -q "^tau_max   = 1" grid.ini
grep -q "^steps         = 4" grid.ini && grep -q "^corpus        = $data/spam $data/sotu-party" grid.ini
mpirun -np 2 --oversubscribe "$kdbench" run grid.ini > run.log 2>&1 || { tail -20 run.log; exit 1; }
# 1 pretraining, 1 teacher, 2 TAKD assistants (one per seed), 9 methods x 2 students x 2 seeds.
/usr/bin/python3 "$src/tests/e2e/h5check.py" done results.h5 40
"$kdbench" report results.h5 --out report > report.log 2>&1 || { cat report.log; exit 1; }
for what in bert-L4-H256 "Teacher acc." "Capacity gap on spam"; do
  grep -q "$what" report/tables/capacity_gap.tex || { echo "capacity_gap.tex lacks '$what'"; exit 1; }
done
for model in bert-L2-H128 bert-L1-H128 takd prokd combined dkd dist; do
  grep -q "$model" report/tables/capacity_gap.csv || { echo "capacity_gap.csv lacks $model"; exit 1; }
done
grep -q "bert-L4-H256: MLM-pretrained on spam, sotu-party for 4 steps" report/tables/pretraining.tex ||
  { echo "pretraining.tex lacks the teacher's pretraining"; exit 1; }
grep "grid finished" run.log
