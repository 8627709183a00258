#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then the installed kdbench plans an installed grid
# from a directory outside the source and build trees: nothing may assume the source checkout.
# Usage: installed_plan.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 source=$2 work=$3
rm -rf "$work" && mkdir -p "$work/elsewhere"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
fail() { echo "FAIL: $*" >&2; exit 1; }

for f in bin/kdbench share/kdbench/grids/quickstart.ini share/kdbench/grids/all-methods.ini \
         share/kdbench/slurm/kdbench-mpi.sbatch share/doc/kdbench/README.md \
         share/doc/kdbench/design.md share/doc/kdbench/methods.md share/man/man1/kdbench.1; do
  [[ -e $prefix/$f ]] || fail "not installed: $f"
done
groff -man -Tutf8 -ww -z "$prefix/share/man/man1/kdbench.1" 2>"$work/groff.log" || fail "man page: $(cat "$work/groff.log")"
[[ ! -s $work/groff.log ]] || fail "man page warnings: $(cat "$work/groff.log")"

cd "$work/elsewhere"
# The source tree is hidden from the installed binary's view of the world: run with a different
# working directory and check that no path in the installed text files names the checkout.
if grep -rl -- "$source" "$prefix/share" >/dev/null; then
  fail "installed files name the source tree: $(grep -rl -- "$source" "$prefix/share")"
fi
"$prefix/bin/kdbench" --version | grep -q '^kdbench ' || fail "--version"
"$prefix/bin/kdbench" plan "$prefix/share/kdbench/grids/quickstart.ini" >plan.txt 2>&1 \
  || fail "installed plan failed: $(cat plan.txt)"
grep -q "cnn2" plan.txt && grep -q "method kd" plan.txt || fail "plan lacks the grid's tasks: $(cat plan.txt)"
[[ ! -e results && ! -e artifacts ]] || fail "plan wrote files"
echo "installed kdbench planned the installed quickstart grid from $PWD"

# The installed kdbench loads SentencePiece's module from the prefix (not from the build tree):
# a one-epoch text grid with `tokenizer = sentencepiece`, the dynamic loader naming what it opened.
/usr/bin/python3 "$source/tests/e2e/make_text_data.py" text
cat > text.ini <<INI
[grid]
dataset = glue-cola
data_dir = $PWD/text/cola
tokenizer = sentencepiece
vocab_size = 32
max_seq_length = 24
students = bert-L1-H64
methods = nokd
seeds = 1
[train]
epochs = 1
threads = 1
INI
module=$(find "$prefix" -path '*/kdbench/libkdbench_sentencepiece.so')
[[ -n $module ]] || fail "not installed: <libdir>/kdbench/libkdbench_sentencepiece.so"
LD_DEBUG=files "$prefix/bin/kdbench" run text.ini >text.log 2>&1 || fail "installed text run: $(tail -5 text.log)"
grep -q "file=$module " text.log \
  || fail "the installed kdbench did not load its own SentencePiece module: $(grep sentencepiece text.log | head -3)"
echo "installed kdbench trained a SentencePiece vocabulary with the installed module"
