#!/usr/bin/python3
"""Per-method accuracy and per-epoch cost of the student runs in a kdbench results file.

  method_table.py RESULTS.h5 [STUDENT]

Prints a Markdown table: per method (student runs of STUDENT, default: every student), the number
of DONE runs, test accuracy at the best validation epoch and final test accuracy (mean ± sample
std over runs, %), epochs, and seconds per epoch (train + evaluation, as recorded in `seconds`)
relative to nokd — over all epochs, and over epochs 2.. (epoch 1 of a teacher-using run includes
the one-off pass that caches the teacher's logits). A method run with several parameter sets gets
a row per set, labelled with the parameters that differ.
"""
import json
import statistics
import sys

import h5py


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def mean_std(xs):
    if not xs:
        return "—"
    m = 100 * statistics.mean(xs)
    s = 100 * statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{m:.2f} ± {s:.2f}"


def main():
    path = sys.argv[1]
    student = sys.argv[2] if len(sys.argv) > 2 else None
    by_method = {}
    with h5py.File(path, "r") as f:
        for g in f["runs"].values():
            a = {k: text(v) for k, v in g.attrs.items()}
            if a["kind"] != "student" or a["status"] != "DONE" or (student and a["model"] != student):
                continue
            seconds = list(g["seconds"][()])
            by_method.setdefault((a["method"], a["method_params"]), []).append({
                "test_at_val": float(a["test_acc_at_best_val"]),
                "final_test": float(a["final_test_acc"]),
                "epochs": len(seconds),
                "per_epoch": statistics.mean(seconds),
                "per_epoch_2": statistics.mean(seconds[1:]) if len(seconds) > 1 else seconds[0],
            })
    nokd = [r for (m, _), runs in by_method.items() if m == "nokd" for r in runs]
    if not nokd:
        sys.exit(f"{path}: no DONE nokd student runs to compare with")
    base = statistics.mean(r["per_epoch"] for r in nokd)
    base2 = statistics.mean(r["per_epoch_2"] for r in nokd)
    print("| method | runs | test @ best val (%) | final test (%) | epochs | s/epoch | × nokd | s/epoch (2..) | × nokd |")
    print("|---|---|---|---|---|---|---|---|---|")
    order = ["nokd", "kd", "takd", "annealing", "prokd", "continuation", "combined", "dkd", "dist"]
    def label(method, params_text):
        sets = [json.loads(p) for (m, p) in by_method if m == method]
        params = json.loads(params_text)
        differ = sorted(k for k in params if any(s.get(k) != params[k] for s in sets))
        return method + (" (" + ", ".join(f"{k}={params[k]}" for k in differ) + ")" if differ else "")

    for method, params in sorted(by_method, key=lambda mp: (order.index(mp[0]) if mp[0] in order else len(order), mp)):
        runs = by_method[(method, params)]
        pe = statistics.mean(r["per_epoch"] for r in runs)
        pe2 = statistics.mean(r["per_epoch_2"] for r in runs)
        epochs = sorted({r["epochs"] for r in runs})
        print(f"| {label(method, params)} | {len(runs)} | {mean_std([r['test_at_val'] for r in runs])} | "
              f"{mean_std([r['final_test'] for r in runs])} | {'/'.join(map(str, epochs))} | "
              f"{pe:.2f} | {pe / base:.2f} | {pe2:.2f} | {pe2 / base2:.2f} |")


if __name__ == "__main__":
    main()
