#!/usr/bin/python3
"""A tiny text task in GLUE's CoLA layout for the text e2e tests: OUT/vocab.txt (27 WordPiece
tokens) and OUT/cola/{train,dev}.tsv, whose label says whether the sentence holds "yes" (1) or
"no" (0) among 3..14 random words. usage: make_text_data.py OUT"""
import pathlib
import random
import sys

WORDS = ["the", "a", "cat", "dog", "runs", "sees", "big", "small", "red", "blue", "house",
         "tree", "quickly", "slowly", "and", "or", "with", "near", "over", "under"]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "yes", "no"] + WORDS


def rows(rng, n):
    out = []
    for i in range(n):
        label = i % 2
        s = [rng.choice(WORDS) for _ in range(rng.randint(3, 14))]
        s.insert(rng.randint(0, len(s)), "yes" if label else "no")
        out.append(f"src{i}\t{label}\t\t{' '.join(s)}")
    return "\n".join(out) + "\n"


def main():
    out = pathlib.Path(sys.argv[1])
    (out / "cola").mkdir(parents=True, exist_ok=True)
    (out / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    rng = random.Random(7)
    (out / "cola" / "train.tsv").write_text(rows(rng, 240))
    (out / "cola" / "dev.tsv").write_text(rows(rng, 80))


if __name__ == "__main__":
    main()
