#!/usr/bin/env bash
# Per-epoch cost of every KD method relative to nokd: trains bench/method-costs.ini with kdbench
# (1 rank, 1 intra-op thread) and prints bench/method_table.py's table for student cnn2.
# Usage: bench/run_method_costs.sh [build/kdbench]. Run it on an otherwise idle machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kdbench=${1:-$here/../build/kdbench}
work=$(mktemp -d)
cd "$work"
"$kdbench" run "$here/method-costs.ini" --comm single --log-level warn
/usr/bin/python3 "$here/method_table.py" bench-out/method-costs.h5 cnn2
rm -rf "$work"
