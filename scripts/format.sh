#!/usr/bin/env bash
# Formats every C++ file with the repository's .clang-format (clang-format 14, Debian 12).
#   scripts/format.sh           rewrite files in place
#   scripts/format.sh --check   list files that differ and exit 1 (CI)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if ! command -v clang-format >/dev/null; then
  "$root/scripts/setup.sh" --with-format
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [[ "${1:-}" == "--check" ]]; then
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  clang-format --dry-run --Werror "${files[@]}" 2>"$log" || {
    grep -o '^[^:]*:' "$log" | sort -u | sed 's/:$//; s/^/format: differs from .clang-format: /' >&2
    echo "format: run scripts/format.sh and commit the result" >&2
    exit 1
  }
  echo "format: ${#files[@]} files match .clang-format"
else
  clang-format -i "${files[@]}"
fi
