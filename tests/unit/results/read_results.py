#!/usr/bin/python3
"""Reads a kdbench results.h5 with h5py only (no kdbench code) and prints what it saw as JSON.

Usage: /usr/bin/python3 read_results.py RESULTS.h5 RUN_KEY
test_results runs this to prove the file is standard HDF5 that Python users can read directly.
"""
import json
import sys

import h5py


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def main(path, key):
    with h5py.File(path, "r") as f:
        root = {name: (int(v) if hasattr(v, "dtype") and v.dtype.kind == "i" else text(v))
                for name, v in f.attrs.items()}
        run = f["runs"][key]
        summary = f["summary"]
        rows = summary[:]  # a numpy structured array, ready for pandas.DataFrame(rows)
        out = {
            "root": root,
            "run": {
                "status": text(run.attrs["status"]),
                "seed": int(run.attrs["seed"]),
                "best_val_acc": float(run.attrs["best_val_acc"]),
                "method_params": json.loads(run.attrs["method_params"]),
                "chain": json.loads(run.attrs["chain"]),
                "epoch": [int(e) for e in run["epoch"][:]],
                "val_acc": [float(a) for a in run["val_acc"][:]],
                "epoch_dtype": str(run["epoch"].dtype),
                "val_acc_dtype": str(run["val_acc"].dtype),
                "metric": text(run.attrs["metric"]),
                "test_metric_at_best_val": float(run.attrs["test_metric_at_best_val"]),
                "val_metric": [float(a) for a in run["val_metric"][:]],
                "val_metric_dtype": str(run["val_metric"].dtype),
            },
            "summary": {
                "fields": list(rows.dtype.names),
                "maxshape": [m if m is not None else -1 for m in summary.maxshape],
                "chunked": summary.chunks is not None,
                "rows": [
                    {"key": text(r["key"]), "status": text(r["status"]), "model": text(r["model"]),
                     "seed": int(r["seed"]), "teacher_checkpoint": int(r["teacher_checkpoint"]),
                     "test_acc_at_best_val": float(r["test_acc_at_best_val"])}
                    for r in rows
                ],
            },
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
