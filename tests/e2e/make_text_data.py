#!/usr/bin/python3
"""A tiny text task in GLUE's CoLA layout for the text e2e tests: OUT/vocab.txt (27 WordPiece
tokens) and OUT/cola/{train,dev}.tsv, whose label says whether the sentence holds "yes" (1) or
"no" (0) among 3..14 random words; and OUT/stsb/{train,dev}.tsv in STS-B's layout, whose score
(0..5, real) is the number of "yes" among the two sentences' words plus a little noise.
usage: make_text_data.py OUT"""
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


STSB_HEADER = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore"


def stsb_rows(rng, n):
    out = [STSB_HEADER]
    for i in range(n):
        yes = i % 6
        words = [rng.choice(WORDS) for _ in range(rng.randint(4, 12))]
        for _ in range(yes):
            words.insert(rng.randint(0, len(words)), "yes")
        cut = len(words) // 2
        score = min(5.0, max(0.0, yes + rng.uniform(-0.3, 0.3)))
        out.append(f"{i}\tmain-captions\tMSRvid\t2012test\t{i:04d}\tnone\tnone\t"
                   f"{' '.join(words[:cut])}\t{' '.join(words[cut:])}\t{score:.3f}")
    return "\n".join(out) + "\n"


def main():
    out = pathlib.Path(sys.argv[1])
    (out / "cola").mkdir(parents=True, exist_ok=True)
    (out / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    rng = random.Random(7)
    (out / "cola" / "train.tsv").write_text(rows(rng, 240))
    (out / "cola" / "dev.tsv").write_text(rows(rng, 80))
    (out / "stsb").mkdir(exist_ok=True)
    (out / "stsb" / "train.tsv").write_text(stsb_rows(rng, 240))
    (out / "stsb" / "dev.tsv").write_text(stsb_rows(rng, 90))


if __name__ == "__main__":
    main()
