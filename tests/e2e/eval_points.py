#!/usr/bin/python3
"""Checks the evaluation points of an eval_steps run against the same grid with eval_steps = 0
(tests/e2e/eval_steps.sh): usage eval_points.py EVERY_N.h5 EPOCHS_ONLY.h5 STEPS_PER_EPOCH N EPOCHS.
Exits 1 with a message on the first mismatch."""
import json
import sys

import h5py
import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def fail(msg):
    print("eval_points: " + msg, file=sys.stderr)
    sys.exit(1)


def check(key, g, g0, steps_per_epoch, n, epochs):
    a = g.attrs
    points = json.loads(text(a["evaluations"]))
    want = sorted(set(range(n, epochs * steps_per_epoch + 1, n)) |
                  {e * steps_per_epoch for e in range(1, epochs + 1)})
    if [p["step"] for p in points] != want:
        fail(f"{key}: steps {[p['step'] for p in points]}, expected {want}")
    for p in points:
        if p["epoch_fraction"] != p["step"] / steps_per_epoch:
            fail(f"{key}: epoch_fraction of {p}")
        if p["epoch"] != (p["step"] - 1) // steps_per_epoch + 1:
            fail(f"{key}: epoch of {p}")
    ends = [p for p in points if p["step"] % steps_per_epoch == 0]
    for name in ("val_acc", "test_acc", "val_metric", "test_metric"):
        if [p[name] for p in ends] != list(g[name][()]):
            fail(f"{key}: {name} at the epoch ends is not the curve")
    val = [p["val_metric"] for p in points]
    best = points[val.index(max(val))]  # the first maximum: a later tie does not replace it
    for attr, value in (("best_val_metric", max(val)), ("test_metric_at_best_val", best["test_metric"]),
                        ("best_val_acc", best["val_acc"]), ("test_acc_at_best_val", best["test_acc"]),
                        ("best_test_metric", max(p["test_metric"] for p in points)),
                        ("best_step", best["step"]), ("best_epoch", best["epoch"])):
        if a[attr] != value:
            fail(f"{key}: {attr} is {a[attr]!r}, the points say {value!r}")
    if json.loads(text(a["config"])).get("eval_steps") != n:
        fail(f"{key}: config has no eval_steps = {n}")
    # The points change no training: the curves are those of epoch-end evaluation only.
    for name in ("epoch", "train_loss", "train_acc", "val_acc", "test_acc", "val_metric",
                 "test_metric", "lr"):
        if not np.array_equal(g[name][()], g0[name][()]):
            fail(f"{key}: curve {name} differs from eval_steps = 0")
    if json.loads(text(g0.attrs["evaluations"])) != [] or int(g0.attrs["best_step"]) != 0:
        fail(f"{key}: eval_steps = 0 left evaluations or best_step set")
    if "eval_steps" in json.loads(text(g0.attrs["config"])):
        fail(f"{key}: eval_steps = 0 is in the config")
    mid = len(points) - epochs
    print(f"eval_points: {text(a['kind'])} {key}: {len(points)} points ({mid} mid-epoch), best "
          f"step {int(a['best_step'])} (epoch {int(a['best_epoch'])}), val {max(val):.4f} "
          f"(epoch ends only: {g0.attrs['best_val_metric']:.4f})")


def main():
    every, epochs_only = (h5py.File(p, "r")["runs"] for p in sys.argv[1:3])
    steps_per_epoch, n, epochs = (int(v) for v in sys.argv[3:6])
    if len(every) != len(epochs_only) or not len(every):
        fail("the two files hold different numbers of runs")
    for key, g in every.items():
        # eval_steps is in the task key: the same role's run has another key.
        same_role = [k for k, g0 in epochs_only.items()
                     if text(g0.attrs["kind"]) == text(g.attrs["kind"])]
        if len(same_role) != 1 or same_role[0] == key:
            fail(f"{key}: no run of its role under another key: {same_role}")
        check(key, g, epochs_only[same_role[0]], steps_per_epoch, n, epochs)


if __name__ == "__main__":
    main()
