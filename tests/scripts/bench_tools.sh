#!/usr/bin/env bash
# scripts.bench_tools: the benchmark programs of scripts/bench.sh, on tiny settings (no timing is
# judged here; bench/README.md holds the numbers).
#   bench_tools.sh SOURCE_DIR STEP_BENCH ROOFLINE WORK_DIR   (the kdbench_step_bench and
#   kdbench_roofline binaries, named in the ctest command so that scripts/sanitize.sh builds them)
# 1. kdbench_step_bench and bench/pytorch_step_bench.py build the same model for every model and
#    teacher of the step table: one line per (threads, batch, method) on each side, with equal
#    parameter counts (the side-by-side rows compare one architecture).
# 2. Bad arguments: one line naming the argument, exit 2, on both sides and in scripts/bench.sh.
# 3. bench/bench_tables.py makes the step table from both sides' lines, the grid and roofline
#    tables from hand-written logs (ratios checked by hand); a malformed log is exit 2.
# 4. A step line counts 6 x the forward multiply-adds (cnn2 on 1x28x28, by hand), and
#    kdbench_roofline prints its FMA-peak and sgemm lines.
set -euo pipefail
src=$1 step_bench=$2 roofline=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
py=(/usr/bin/python3 "$src/bench/pytorch_step_bench.py")
tiny=(--steps 1 --windows 1 --warmup 1 --threads 1)

shellcheck "$src/scripts/bench.sh"

params_of() { sed -n 's/.* params=\([0-9]*\) .*/\1/p' "$1" | sort -u; }
check_model() {  # model shape-flag shape [teacher]
  local model=$1 flag=$2 shape=$3 teacher=${4:-} methods=nokd,kd-cached args
  [[ -n $teacher ]] && methods=nokd,kd-cached,kd-live
  args=(--model "$model" "$flag" "$shape" --methods "$methods" --batch "4,2" "${tiny[@]}")
  [[ -n $teacher ]] && args+=(--teacher "$teacher")
  "$step_bench" "${args[@]}" > "$work/k.txt"
  "${py[@]}" "${args[@]}" > "$work/p.txt"
  local want=$((2 * $(tr ',' '\n' <<< "$methods" | wc -l)))
  [[ $(grep -c "^impl=kdbench model=$model " "$work/k.txt") == "$want" ]] ||
    fail "kdbench_step_bench $model: expected $want lines: $(cat "$work/k.txt")"
  [[ $(grep -c "^impl=pytorch-.* model=$model " "$work/p.txt") == "$want" ]] ||
    fail "pytorch_step_bench.py $model: expected $want lines: $(cat "$work/p.txt")"
  grep -q 'samples_per_s=0.0 ' "$work/k.txt" "$work/p.txt" && fail "$model: a zero rate"
  local k p
  k=$(params_of "$work/k.txt") p=$(params_of "$work/p.txt")
  [[ -n $k && $k == "$p" ]] || fail "$model: kdbench has $k parameters, PyTorch $p"
  sed 's/^/alloc=heap rep=1 /' "$work/k.txt" "$work/p.txt" >> "$work/steps.log"
  echo "ok: $model ($k parameters on both sides)"
}
# Every student of the step table with its kd-live teacher, and the teachers as students (so
# their architectures are compared too).
check_model cnn2 --input 1x28x28 cnn8
check_model cnn6 --input 1x28x28 cnn8
check_model cnn8 --input 1x28x28
check_model resnet8 --input 3x32x32 resnet20
check_model resnet20 --input 3x32x32 resnet32
check_model resnet32 --input 3x32x32
check_model bert-L2-H128 --seq 8 bert-L4-H256
check_model bert-L4-H256 --seq 8 bert-L6-H256
check_model bert-L6-H256 --seq 8

for side in kdbench pytorch; do
  program=("$step_bench")
  [[ $side == pytorch ]] && program=("${py[@]}")
  bad() {  # expected-fragment args...
    local want=$1
    shift
    set +e
    "${program[@]}" "$@" > "$work/out.txt" 2> "$work/err.txt"
    local code=$?
    set -e
    [[ $code == 2 ]] || fail "$side $*: exit $code, expected 2"
    [[ $(wc -l < "$work/err.txt") == 1 ]] || fail "$side $*: not one line: $(cat "$work/err.txt")"
    grep -q -- "$want" "$work/err.txt" || fail "$side $*: '$want' not in: $(cat "$work/err.txt")"
  }
  bad "--methods: 'foo'" --methods foo
  bad "--input: '3x32'" --input 3x32
  bad "--batch" --batch 0
  bad "kd-live needs --teacher" --methods kd-live
  bad "--steps: 2 is fewer than --windows 3" --steps 2 --windows 3
  bad "unknown model 'cnn3'" --model cnn3
done
set +e
"$src/scripts/bench.sh" --reps x > /dev/null 2> "$work/err.txt"
code=$?
set -e
if [[ $code != 2 ]] || ! grep -q -- "--reps: 'x'" "$work/err.txt"; then
  fail "bench.sh --reps x: exit $code"
fi

tables=(/usr/bin/python3 "$src/bench/bench_tables.py")
"${tables[@]}" steps "$work/steps.log" > "$work/steps.md"
grep -Eq '^\| cnn2 \| kd-live \| 4 \| 1 \| [0-9]+ \([0-9]+–[0-9]+\) \| [0-9]+ \([0-9]+–[0-9]+\) \| [0-9.]+ \|$' \
  "$work/steps.md" || fail "no cnn2 kd-live row in: $(cat "$work/steps.md")"
grep -q '^| bert-L6-H256 | kd-cached | 2 | 1 |' "$work/steps.md" || fail "no bert-L6-H256 row"
"$step_bench" --model cnn2 --input 1x28x28 --methods data --batch 4 "${tiny[@]}" |
  sed 's/^/alloc=heap rep=1 /' >> "$work/steps.log"
"${tables[@]}" steps "$work/steps.log" > "$work/steps.md"
grep -Eq '^\| cnn2 \| 4 \| [0-9]+ \([0-9]+–[0-9]+\) \| [0-9]+ \([0-9]+–[0-9]+\) \| [0-9.]+ % \|$' \
  "$work/steps.md" || fail "no data-path row for cnn2 in: $(cat "$work/steps.md")"
cat > "$work/grid.log" <<'EOF'
teacher cnn4: 60.0 s, test 90.00
kdbench total: wall 100.00 s, cpu 190.00+10.00 s, peak rss per rank 204800 KiB
pytorch total: wall 150.00 s, cpu 290.00+10.00 s, peak rss 102400 KiB
EOF
"${tables[@]}" grid "$work/grid.log" > "$work/grid.md"
grep -q 'PyTorch / kdbench: wall 1.50x, CPU 1.50x' "$work/grid.md" || fail "grid ratio: $(cat "$work/grid.md")"
grep -q '^| kdbench, mpirun -np 2, 1 thread per rank | 100 | 200 | 200 |$' "$work/grid.md" ||
  fail "grid row: $(cat "$work/grid.md")"
echo "not a line" > "$work/broken.log"
set +e
"${tables[@]}" steps "$work/broken.log" 2> "$work/err.txt"
code=$?
set -e
if [[ $code != 2 ]] || ! grep -q "broken.log:1: not a step-bench line" "$work/err.txt"; then
  fail "a malformed log: exit $code $(cat "$work/err.txt")"
fi
# cnn2 on 1x28x28, multiply-adds of one forward pass: conv 1->16 on 28x28 (28*28*16*9 = 112,896),
# conv 16->16 on 14x14 (14*14*16*16*9 = 451,584), linear 16*7*7 -> 10 (7,840): 572,320; a training
# step counts 3 passes at 2 FLOPs each: 3,433,920 per sample.
"$step_bench" --model cnn2 --input 1x28x28 --methods nokd --batch 4 "${tiny[@]}" > "$work/f.txt"
grep -q ' flop_per_sample=3433920 ' "$work/f.txt" || fail "cnn2 FLOPs: $(cat "$work/f.txt")"
grep -Eq ' peak_rss_mib=[1-9][0-9]*\.[0-9]$' "$work/f.txt" || fail "no RSS: $(cat "$work/f.txt")"
"$roofline" --threads 1 --sizes 64 --windows 1 --window-ms 1 > "$work/roofline.txt"
grep -Eq '^impl=roofline kind=sgemm n=64 threads=1 gflop_per_s=[0-9.]+$' "$work/roofline.txt" ||
  fail "no sgemm line: $(cat "$work/roofline.txt")"
if grep -Eq '^flags.* (avx2|avx512f)( |$)' /proc/cpuinfo; then
  grep -Eq '^impl=roofline kind=fma isa=avx(2|512) threads=1 gflop_per_s=[0-9.]+$' \
    "$work/roofline.txt" || fail "no FMA line: $(cat "$work/roofline.txt")"
fi
set +e
"$roofline" --sizes 0 > /dev/null 2> "$work/err.txt"
code=$?
set -e
if [[ $code != 2 ]] || ! grep -q -- "--sizes: '0'" "$work/err.txt"; then
  fail "roofline --sizes 0: exit $code"
fi
cat > "$work/roof.log" <<'EOF'
impl=roofline kind=fma isa=avx2 threads=1 gflop_per_s=100.0
impl=roofline kind=sgemm n=1024 threads=1 gflop_per_s=80.0
alloc=heap rep=1 impl=kdbench model=resnet110 method=nokd batch=128 threads=1 samples_per_s=100.0 flop_per_sample=1000000000 gflop_per_s=100.00 peak_rss_mib=512.0
EOF
cat > "$work/roofsteps.log" <<'EOF'
alloc=heap rep=1 impl=kdbench model=cnn2 method=nokd batch=128 threads=1 samples_per_s=1000.0 flop_per_sample=20000000 gflop_per_s=20.00 peak_rss_mib=150.0
alloc=heap rep=1 impl=pytorch-1.13.1 model=cnn2 method=nokd batch=128 threads=1 samples_per_s=500.0
EOF
"${tables[@]}" roofline "$work/roofsteps.log" "$work/roof.log" > "$work/roof.md"
grep -q '^| 1 | 100.0 | 80.0 |$' "$work/roof.md" || fail "ceilings row: $(cat "$work/roof.md")"
grep -q '^| cnn2 | 128 | 1 | 20.00 | 10.00 | 20.0 % | 25.0 % |$' "$work/roof.md" ||
  fail "cnn2 roofline row: $(cat "$work/roof.md")"
grep -q '^| resnet110 | 512 |$' "$work/roof.md" || fail "resnet110 RSS row: $(cat "$work/roof.md")"
echo "bench tools: ok"
