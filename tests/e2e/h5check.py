#!/usr/bin/python3
"""Reads kdbench results files with h5py (an independent HDF5 reader) for the mpi/e2e tests.

  h5check.py done FILE N            every run DONE, exactly N runs, schema and provenance present
  h5check.py attempts FILE N        every run has attempts == N
  h5check.py same FILE_A FILE_B     same keys, statuses, accuracies, evaluation points and curves
                                    (bitwise)
  h5check.py count FILE N           exactly N runs
Exits 1 with a message on the first mismatch.
"""
import sys

import h5py
import numpy as np


def fail(msg):
    print("h5check: " + msg, file=sys.stderr)
    sys.exit(1)


def runs(path):
    f = h5py.File(path, "r")
    if f.attrs.get("schema_version") != 1:
        fail(f"{path}: schema_version is {f.attrs.get('schema_version')!r}, expected 1")
    for attr in ("kdbench_version", "git_sha", "grid_ini", "world_size", "hostnames", "created"):
        if attr not in f.attrs:
            fail(f"{path}: root attribute {attr} missing")
    return f, f["runs"]


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def cmd_done(path, n):
    f, r = runs(path)
    if len(r) != n:
        fail(f"{path}: {len(r)} runs, expected {n}")
    for key, g in r.items():
        if text(g.attrs["status"]) != "DONE":
            fail(f"{path}: run {key} is {text(g.attrs['status'])}: {text(g.attrs.get('error', ''))}")
        epochs = g["epoch"][()]
        if len(epochs) < 1 or not np.all(np.isfinite(g["train_loss"][()])):
            fail(f"{path}: run {key} has no finite curve")
    summary = f["summary"]
    if len(summary) != n:
        fail(f"{path}: /summary has {len(summary)} rows, expected {n}")


def cmd_attempts(path, n):
    _, r = runs(path)
    for key, g in r.items():
        if int(g.attrs["attempts"]) != n:
            fail(f"{path}: run {key} has attempts={int(g.attrs['attempts'])}, expected {n}")


def cmd_count(path, n):
    _, r = runs(path)
    if len(r) != n:
        fail(f"{path}: {len(r)} runs, expected {n}")


def cmd_same(a, b):
    _, ra = runs(a)
    _, rb = runs(b)
    if sorted(ra.keys()) != sorted(rb.keys()):
        fail(f"different run keys:\n{sorted(ra.keys())}\n{sorted(rb.keys())}")
    for key in ra.keys():
        ga, gb = ra[key], rb[key]
        for attr in ("status", "kind", "model", "method", "teacher_key", "seed", "best_val_acc",
                     "test_acc_at_best_val", "final_test_acc", "best_test_acc", "best_epoch",
                     "metric", "best_val_metric", "test_metric_at_best_val", "final_test_metric",
                     "best_test_metric", "best_step", "evaluations"):
            if text(ga.attrs[attr]) != text(gb.attrs[attr]):
                fail(f"run {key}: {attr} differs: {ga.attrs[attr]!r} vs {gb.attrs[attr]!r}")
        for ds in ("epoch", "train_loss", "train_acc", "val_acc", "test_acc", "lr", "val_metric",
                   "test_metric"):
            if not np.array_equal(ga[ds][()], gb[ds][()]):
                fail(f"run {key}: curve {ds} differs")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "done":
        cmd_done(args[0], int(args[1]))
    elif cmd == "attempts":
        cmd_attempts(args[0], int(args[1]))
    elif cmd == "count":
        cmd_count(args[0], int(args[1]))
    elif cmd == "same":
        cmd_same(args[0], args[1])
    else:
        fail("unknown command " + cmd)


main()
