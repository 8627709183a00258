#!/usr/bin/python3
"""Writes tests/data/golden_losses.json: reference loss values, d loss / d student logits and
schedules for every kdbench method, computed with plain PyTorch straight from the formulas of
docs/methods.md (and, for DKD and DIST, the structure of the official code), not from
kdbench's C++ (the formulas live in golden_reference.py). test_methods compares the C++ methods
against this file.

    /usr/bin/python3 tests/data/make_golden_losses.py            # rewrite the JSON
    /usr/bin/python3 tests/data/make_golden_losses.py --check    # exit 1 if the JSON is stale

Everything is float64.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

from golden_reference import (D, adversarial, annealing_phi_sequence, ce, continuation,
                              continuation_phi, continuation_psi, continuation_t_sequence, dist,
                              dkd, kd_like, prokd_checkpoint, prokd_tau)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "golden_losses.json")


# ---------------------------------------------------------------- inputs
def make_inputs():
    g = torch.Generator().manual_seed(20240607)
    inputs = {}

    def add(name, student, teacher, labels):
        inputs[name] = {"student": student, "teacher": teacher, "labels": labels}

    add("main", 2.0 * torch.randn(6, 5, generator=g, dtype=D),
        3.0 * torch.randn(6, 5, generator=g, dtype=D),
        torch.tensor([0, 3, 4, 1, 1, 2]))
    # A second view of the same batch (Combined-KD's perturbed inputs).
    add("main_adv", 2.0 * torch.randn(6, 5, generator=g, dtype=D),
        3.0 * torch.randn(6, 5, generator=g, dtype=D),
        torch.tensor([0, 3, 4, 1, 1, 2]))
    # Teacher distributions with exactly-zero probabilities: -1e4 logits underflow at any tau
    # used here (exp(-1e4 / 5) == 0 in float64). Row 2's target class has probability 0.
    teacher = 2.0 * torch.randn(4, 6, generator=g, dtype=D)
    teacher[0, 1] = teacher[0, 4] = -1e4
    teacher[1, 0] = -1e4
    teacher[2, 3] = -1e4
    teacher[3, :] = -1e4
    teacher[3, 5] = 7.0
    add("zero_prob", 1.5 * torch.randn(4, 6, generator=g, dtype=D), teacher,
        torch.tensor([2, 5, 3, 5]))
    add("single", 2.0 * torch.randn(1, 7, generator=g, dtype=D),
        2.0 * torch.randn(1, 7, generator=g, dtype=D), torch.tensor([4]))
    return inputs


# ---------------------------------------------------------------- cases
def ctx(epoch, total, phase_index=0, phase_epoch=None, phase_epochs=None):
    return {"epoch": epoch, "total_epochs": total, "phase_index": phase_index,
            "phase_epoch": epoch if phase_epoch is None else phase_epoch,
            "phase_epochs": total if phase_epochs is None else phase_epochs}


def build_cases(inputs):
    cases = []

    def case(name, method, params, shape, views, context, fn):
        student = [inputs[v]["student"].clone().requires_grad_(True) for v in views]
        teacher = [inputs[v]["teacher"] for v in views]
        labels = inputs[views[0]]["labels"]
        loss = fn(student, teacher, labels)
        loss.backward()
        cases.append({"name": name, "method": method,
                      "params": {k: str(v) for k, v in params.items()},
                      "shape": shape, "views": views, "context": context,
                      "loss": loss.item(), "grads": [s.grad.tolist() for s in student]})

    main = {"epochs": 20, "batch_size": 6, "num_classes": 5}
    zero = {"epochs": 20, "batch_size": 4, "num_classes": 6}
    one = {"epochs": 20, "batch_size": 1, "num_classes": 7}
    c = ctx(3, 20)

    for inp, shape in (("main", main), ("zero_prob", zero), ("single", one)):
        case(f"nokd_{inp}", "nokd", {}, shape, [inp], c, lambda s, t, y: ce(s[0], y))
        case(f"kd_default_{inp}", "kd", {}, shape, [inp], c,
             lambda s, t, y: kd_like(s[0], t[0], y, 0.9, 4.0, "batchmean"))
        case(f"takd_default_{inp}", "takd", {}, shape, [inp], c,
             lambda s, t, y: kd_like(s[0], t[0], y, 0.5, 5.0, "elementmean"))
        mask = "drop" if inp == "zero_prob" else "offset"
        case(f"dkd_default_{inp}", "dkd", {}, shape, [inp], ctx(7, 20),
             lambda s, t, y, mask=mask: dkd(s[0], t[0], y, 1.0, 8.0, 4.0, 20, 7, mask))
    case("kd_custom_main", "kd", {"temperature": 2.5, "alpha": 0.3, "reduction": "elementmean"},
         main, ["main"], c, lambda s, t, y: kd_like(s[0], t[0], y, 0.3, 2.5, "elementmean"))
    for red in ("elementmean", "batchmean"):
        case(f"takd_{red}_main", "takd", {"lambda": 0.2, "temperature": 2, "reduction": red},
             main, ["main"], c, lambda s, t, y, red=red: kd_like(s[0], t[0], y, 0.2, 2.0, red))

    # annealing: stage I at its first, a middle and its last epoch; stage II.
    for pe in (1, 9, 20):
        phi = annealing_phi_sequence(20, 10)[pe - 1]
        case(f"annealing_stage1_e{pe}", "annealing", {}, main, ["main"],
             ctx(pe, 40, 0, pe, 20), lambda s, t, y, phi=phi: F.mse_loss(s[0], phi * t[0]))
    case("annealing_stage2_e3", "annealing", {}, main, ["main"], ctx(23, 40, 1, 3, 20),
         lambda s, t, y: ce(s[0], y))
    phi = annealing_phi_sequence(25, 4)[13]
    case("annealing_custom_e14", "annealing",
         {"tau_max": 4, "stage1_epochs": 25, "stage2_epochs": 5}, main, ["main"],
         ctx(14, 30, 0, 14, 25), lambda s, t, y: F.mse_loss(s[0], phi * t[0]))

    # prokd: teacher E_T is irrelevant to the loss; the temperature follows the student epochs.
    for e in (1, 8, 20):
        tau = prokd_tau(e, 20, 4.0)
        case(f"prokd_default_e{e}", "prokd", {}, main, ["main"], ctx(e, 20),
             lambda s, t, y, tau=tau: kd_like(s[0], t[0], y, 0.9, tau, "batchmean"))
    tau = prokd_tau(2, 5, 6.0)
    case("prokd_custom_zero_prob", "prokd", {"alpha": 0.5, "tau_max": 6}, dict(zero, epochs=5),
         ["zero_prob"],
         ctx(2, 5), lambda s, t, y: kd_like(s[0], t[0], y, 0.5, tau, "batchmean"))

    # continuation: default linear psi; mid-run epochs where both terms count; a margin that
    # clips some samples (epoch 11: T = 5, phi = 0.6; margin 10 puts the hinge at 6, between the
    # samples' mean squared errors 0.99 ... 20.3, so three of six are clipped).
    for e in (1, 7, 16, 20):
        case(f"continuation_default_e{e}", "continuation", {"t_max": 10}, main, ["main"],
             ctx(e, 20), lambda s, t, y, e=e: continuation(s[0], t[0], y, e, 20, 10, 1.0,
                                                           "linear", 15))
    case("continuation_clipped_e11", "continuation",
         {"t_max": 10, "margin": 10, "psi_epochs": 40}, main, ["main"], ctx(11, 20),
         lambda s, t, y: continuation(s[0], t[0], y, 11, 20, 10, 10.0, "linear", 40))
    case("continuation_step_e5", "continuation",
         {"t_max": 4, "margin": 0.5, "psi": "step", "psi_epochs": 8, "anneal_epochs": 8},
         main, ["main"], ctx(5, 12),
         lambda s, t, y: continuation(s[0], t[0], y, 5, 8, 4, 0.5, "step", 8))
    # GLUE's psi: i/40 (i from 0) up to the 21st epoch, then 1; epoch 21 still mixes, 22 is CE.
    for e in (21, 22):
        case(f"continuation_glue_e{e}", "continuation",
             {"t_max": 10, "psi_epochs": 40, "psi_saturate_after": 21}, dict(main, epochs=30),
             ["main"], ctx(e, 30),
             lambda s, t, y, e=e: continuation(s[0], t[0], y, e, 30, 10, 1.0, "linear", 40, 21))

    # combined: views [clean, perturbed].
    for pe in (2, 20):
        phi = annealing_phi_sequence(20, 10)[pe - 1]
        case(f"combined_stage1_e{pe}", "combined", {}, main, ["main", "main_adv"],
             ctx(pe, 40, 0, pe, 20),
             lambda s, t, y, phi=phi: 0.5 * F.mse_loss(s[1], phi * t[1])
             + 0.5 * F.mse_loss(s[0], phi * t[0]))
    case("combined_stage2_e1", "combined", {}, main, ["main"], ctx(21, 40, 1, 1, 20),
         lambda s, t, y: ce(s[0], y))

    case("dkd_custom_e30", "dkd", {"alpha": 0.5, "beta": 2, "temperature": 2, "warmup": 5},
         main, ["main"], ctx(30, 40),
         lambda s, t, y: dkd(s[0], t[0], y, 0.5, 2.0, 2.0, 5, 30))
    case("dkd_default_e1", "dkd", {}, main, ["main"], ctx(1, 20),
         lambda s, t, y: dkd(s[0], t[0], y, 1.0, 8.0, 4.0, 20, 1))
    for inp, shape in (("main", main), ("zero_prob", zero)):
        case(f"dist_default_{inp}", "dist", {}, shape, [inp], c,
             lambda s, t, y: dist(s[0], t[0], y, 2.0, 2.0, 4.0))
    case("dist_custom_main", "dist", {"beta": 1, "gamma": 0.5, "temperature": 1}, main, ["main"],
         c, lambda s, t, y: dist(s[0], t[0], y, 1.0, 0.5, 1.0))
    return cases


def build_schedules():
    sched = {"annealing_phi": [], "continuation": [], "prokd": [], "dkd_warmup": []}
    for e1, tau_max in ((200, 10), (25, 10), (10, 10), (7, 3), (20, 1), (40, 7)):
        sched["annealing_phi"].append({"e1": e1, "tau_max": tau_max,
                                       "phi": annealing_phi_sequence(e1, tau_max)})
    for n, t_max, epochs, kind, psi_epochs, sat in (
            (200, 20, 200, "linear", 150, 0), (30, 10, 30, "step", 20, 0),
            (25, 10, 25, "linear", 18, 0), (10, 10, 14, "linear", 7, 0), (12, 5, 12, "step", 3, 0),
            (30, 10, 30, "linear", 40, 21)):  # the last one: GLUE's psi
        temps = continuation_t_sequence(n, t_max, epochs)
        sched["continuation"].append({
            "anneal_epochs": n, "t_max": t_max, "psi": kind, "psi_epochs": psi_epochs,
            "psi_saturate_after": sat, "T": temps,
            "phi": [continuation_phi(t, t_max) for t in temps],
            "psi_values": [continuation_psi(e, kind, psi_epochs, sat)
                           for e in range(1, epochs + 1)]})
    for e_t, e_s, every, tau_max in ((30, 20, 1, 4.0), (10, 25, 1, 4.0), (30, 20, 4, 4.0),
                                     (7, 3, 1, 2.5), (10, 10, 3, 4.0), (5, 1, 1, 4.0)):
        cps = [prokd_checkpoint(e, e_s, e_t, every) for e in range(1, e_s + 1)]
        sched["prokd"].append({
            "teacher_epochs": e_t, "student_epochs": e_s, "every": every, "tau_max": tau_max,
            "checkpoint": [-1 if cp == e_t else cp for cp in cps],
            "required": sorted({cp for cp in cps if cp < e_t}),
            "tau": [prokd_tau(e, e_s, tau_max) for e in range(1, e_s + 1)]})
    for warmup in (20, 1, 3):
        sched["dkd_warmup"].append({"warmup": warmup,
                                    "factor": [min(e / warmup, 1.0) for e in range(1, 26)]})
    return sched


def build_perturbations():
    g = torch.Generator().manual_seed(77)
    x = torch.randn(4, 3, generator=g, dtype=D)
    ws, bs = torch.randn(3, 5, generator=g, dtype=D), torch.randn(5, generator=g, dtype=D)
    wt, bt = torch.randn(3, 5, generator=g, dtype=D), torch.randn(5, generator=g, dtype=D)
    out = {"x": x.tolist(), "student_w": ws.tolist(), "student_b": bs.tolist(),
           "teacher_w": wt.tolist(), "teacher_b": bt.tolist(), "cases": []}
    for steps, eps in ((1, 0.03), (3, 0.1), (5, 0.5)):
        adv = adversarial(x, lambda v: v @ ws + bs, lambda v: v @ wt + bt, steps, eps)
        out["cases"].append({"steps": steps, "epsilon": eps, "x_adv": adv.tolist()})
    return out


def build():
    inputs = make_inputs()
    return {
        "generator": "tests/data/make_golden_losses.py",
        "inputs": {k: {"student": v["student"].tolist(), "teacher": v["teacher"].tolist(),
                       "labels": v["labels"].tolist()} for k, v in inputs.items()},
        "cases": build_cases(inputs),
        "schedules": build_schedules(),
        "perturbation": build_perturbations(),
    }


def close(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
    return a == b


def main():
    torch.set_num_threads(1)
    data = build()
    if "--check" in sys.argv[1:]:
        with open(OUT) as f:
            if not close(data, json.load(f)):
                print(f"{OUT} is stale: rerun {sys.argv[0]}", file=sys.stderr)
                return 1
        print("golden_losses.json matches its generator")
        return 0
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: {len(data['cases'])} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
