#!/usr/bin/python3
"""A kdbench grid as the Python script a researcher writes today: one process that trains the
grid's tasks one after another in PyTorch eager, for the whole-grid cost rows of bench/README.md
(kdbench: `mpirun -np 2 kdbench run`, this: one process on the same cores).

Both grids share kdbench's training: Fashion-MNIST, validation = 6,000 images (val_fraction 0.1),
12,000 training images, no augmentation, batch 128, SGD lr 0.05 / momentum 0.9 / weight decay 5e-4,
the learning rate x0.1 after round(50 %) and round(75 %) of each phase's epochs (round half up, as
kdbench: docs/methods.md §0); every epoch evaluates validation and test (10,000 images) at batch
256 and keeps the test accuracy of the best validation epoch (over all phases). Teachers run live
in every step that needs them, as scripts do (kdbench computes a checkpoint's logits once and
reads them back, except for Combined-KD's perturbed inputs).

--grid quickstart (suite/grids/quickstart.ini): teachers cnn4 and cnn8 (5 epochs, seed 1),
  students cnn2 (4 epochs) with nokd (seeds 1, 2) and kd from each teacher's final weights
  (tau 4, alpha 0.9; seeds 1, 2).
--grid all-methods-fmnist (suite/grids/all-methods-fmnist.ini): teacher cnn8 (seed 1), per seed a
  TAKD assistant cnn4 and cnn2 students with nokd kd takd annealing prokd continuation combined
  dkd dist, 10 epochs (Annealing-KD and Combined-KD 10 + 10), each method written from
  docs/methods.md with the grid's settings and kdbench's defaults (ALL_METHODS_PARAMS, the same
  JSON `kdbench plan` prints). The loss formulas and schedules are tests/data/golden_reference.py's
  (the float64 reference of make_golden_losses.py), imported and run in float32.
  --seeds N trains seeds 1..N (the grid: 3); --epochs E sets every phase's epochs (the grid: 10)
  and caps tau_max / t_max at E where a phase needs E >= tau_max, as scripts/bench.sh writes the
  same caps into kdbench's copy of the grid.

usage: pytorch_grid.py [--grid quickstart|all-methods-fmnist] [--threads N] [--seeds N]
                       [--epochs E] [--plan | --write-ini FILE]
  --threads: default PyTorch's own, one per core; --plan: print the tasks (kind model method
  teacher seed epochs, kdbench plan's columns) and each method's parameters, train nothing;
  --write-ini: write suite/grids/all-methods-fmnist.ini scaled to --seeds/--epochs for kdbench.
Prints one line per task (seconds, test accuracy at the best validation epoch) and the total wall
and CPU seconds and peak RSS.
"""
import argparse
import copy
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
# golden_reference.py lives with the test data; it is a plain module, so its folder joins the path.
sys.path[:0] = [HERE, os.path.join(HERE, "..", "tests", "data")]
import golden_reference as ref  # noqa: E402
import pytorch_baseline  # noqa: E402
from pytorch_models import CNN_SPECS, cnn  # noqa: E402
from pytorch_step_bench import kd_loss  # noqa: E402

# The reference formulas build their one-hot masks in ref.D (float64 there): float32 here, so the
# losses run in the networks' precision as a researcher's script does.
ref.D = torch.float32

METHODS = ("nokd", "kd", "takd", "annealing", "prokd", "continuation", "combined", "dkd", "dist")


def all_methods_params(epochs):
    """Every method's resolved parameters for all-methods-fmnist.ini at `epochs` per phase: the
    grid's [method.*] keys, kdbench's defaults for the rest (docs/methods.md §2-§9), in the form
    `kdbench plan` prints them (tests/scripts/pytorch_grid.sh compares the two)."""
    return {
        "nokd": {},
        "kd": {"alpha": 0.9, "reduction": "batchmean", "temperature": 4.0},
        "takd": {"lambda": 0.5, "reduction": "elementmean", "temperature": 5.0},
        "annealing": {"reduction": "elementmean", "stage1_epochs": epochs, "stage2_epochs": epochs,
                      "tau_max": min(5, epochs)},
        "prokd": {"alpha": 0.9, "reduction": "batchmean", "tau_max": 4.0,
                  "teacher_checkpoint_every": 1},
        "continuation": {"anneal_epochs": epochs, "margin": 1.0, "psi": "linear",
                         "psi_epochs": max(1, 3 * epochs // 4), "psi_saturate_after": 0,
                         "reduction": "elementmean", "t_max": min(5, epochs)},
        "combined": {"adv_steps": 1, "epsilon": 0.03, "reduction": "elementmean",
                     "stage1_epochs": epochs, "stage2_epochs": epochs, "tau_max": min(10, epochs)},
        "dkd": {"alpha": 1.0, "beta": 1.0, "reduction": "batchmean", "temperature": 4.0, "warmup": 5},
        "dist": {"beta": 2.0, "eps": 1e-08, "gamma": 2.0, "reduction": "mean", "temperature": 4.0},
    }


def write_ini(source, target, seeds, epochs):
    """all-methods-fmnist.ini scaled as this script scales it: seeds 1..N, every `epochs` key = E,
    and the caps of all_methods_params written into the method sections (kdbench's side of
    scripts/bench.sh --only grid-all runs this copy)."""
    params = all_methods_params(epochs)
    values = {("grid", "seeds"): " ".join(str(s) for s in range(1, seeds + 1)),
              ("train", "epochs"): epochs, ("teacher", "epochs"): epochs,
              ("method.annealing", "tau_max"): params["annealing"]["tau_max"],
              ("method.continuation", "t_max"): params["continuation"]["t_max"]}
    section, seen, out = "", set(), []
    with open(source) as f:
        for line in f:
            stripped = line.strip()
            if stripped.startswith("["):
                section = stripped.strip("[]")
            key = stripped.split("=", 1)[0].strip() if "=" in stripped and stripped[0] != ";" else ""
            if (section, key) in values:
                line = f"{key} = {values[(section, key)]}\n"
                seen.add((section, key))
            out.append(line)
    missing = set(values) - seen
    if missing:
        sys.exit(f"pytorch_grid.py: {source} has no {sorted(missing)[0]} key to scale")
    if params["combined"]["tau_max"] != 10:  # the grid leaves combined at kdbench's default
        out.append(f"\n[method.combined]\ntau_max = {params['combined']['tau_max']}\n")
    with open(target, "w") as f:
        f.writelines(out)


def load():
    x, y, vx, vy, tx, ty = pytorch_baseline.load()  # the same split and normalisation
    return {"train": (x, y), "val": (vx, vy), "test": (tx, ty)}


def accuracy(net, split):
    net.eval()
    x, y = split
    with torch.no_grad():
        correct = sum((net(x[i:i + 256]).argmax(1) == y[i:i + 256]).sum().item()
                      for i in range(0, len(y), 256))
    net.train()
    return correct / len(y)


def milestones(epochs):
    # kdbench's step 0.5 0.75: round half away from zero (C++ lround); Python's round() goes to even.
    return [math.floor(f * epochs + 0.5) for f in (0.5, 0.75)]


def live(net, x):
    with torch.no_grad():
        return net(x)


def ce_step(net, x, y, epoch):
    return F.cross_entropy(net(x), y)


def train(name, seed, data, phases, checkpoints=None):
    """Trains a fresh `name` from `seed` through `phases`, each (epochs, step, from_best): step(net,
    x, y, epoch) gives the batch loss (epoch 1-based within the phase); a phase with from_best starts
    from the previous phase's best validation weights. Every phase has a fresh optimizer and its
    own schedule. checkpoints (a list) receives a copy of the weights after every epoch.
    Returns the final network and the test accuracy at the best validation epoch."""
    torch.manual_seed(seed)
    spec, hidden = CNN_SPECS[name]
    net = cnn(spec, hidden)
    x, y = data["train"]
    best_val, best_test, phase_best = -1.0, 0.0, None
    for epochs, step, from_best in phases:
        if from_best:
            net.load_state_dict(phase_best)
        opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones(epochs), 0.1)
        phase_val = -1.0
        for epoch in range(1, epochs + 1):
            for batch in torch.randperm(len(y)).split(128):
                loss = step(net, x[batch], y[batch], epoch)
                opt.zero_grad()
                loss.backward()
                opt.step()
            sched.step()
            val, test = accuracy(net, data["val"]), accuracy(net, data["test"])
            if val > best_val:
                best_val, best_test = val, test
            if val > phase_val:
                phase_val, phase_best = val, copy.deepcopy(net.state_dict())
            if checkpoints is not None:
                checkpoints.append(copy.deepcopy(net.state_dict()))
    return net, best_test


def kd_step(teacher, weight, tau, reduction):
    return lambda net, x, y, epoch: ref.kd_like(net(x), live(teacher, x), y, weight, tau, reduction)


def annealing_phases(teacher, p, stage1):
    """Annealing-KD (§4) and Combined-KD (§7): stage I `stage1(net, x, phi)`, stage II CE from the
    best stage-I weights."""
    phis = ref.annealing_phi_sequence(p["stage1_epochs"], p["tau_max"])
    return [(p["stage1_epochs"], lambda net, x, y, epoch: stage1(net, x, phis[epoch - 1]), False),
            (p["stage2_epochs"], ce_step, True)]


def method_phases(method, p, teacher, assistant, checkpoints, epochs):
    """The student's phases for one method of all-methods-fmnist (docs/methods.md §1-§9)."""
    if method == "nokd":
        return [(epochs, ce_step, False)]
    if method == "kd":
        return [(epochs, kd_step(teacher, p["alpha"], p["temperature"], p["reduction"]), False)]
    if method == "takd":  # the student's link: KD from the assistant's final weights
        return [(epochs, kd_step(assistant, p["lambda"], p["temperature"], p["reduction"]), False)]
    if method == "annealing":
        return annealing_phases(teacher, p, lambda net, x, phi: F.mse_loss(net(x), phi * live(teacher, x)))
    if method == "combined":
        def stage1(net, x, phi):  # the vision variant: clean and adversarial views, both live
            adv = ref.adversarial(x, net, teacher, p["adv_steps"], p["epsilon"])
            return (0.5 * F.mse_loss(net(adv), phi * live(teacher, adv))
                    + 0.5 * F.mse_loss(net(x), phi * live(teacher, x)))
        return annealing_phases(teacher, p, stage1)
    if method == "prokd":  # the teacher's checkpoint c(e) of epoch e, loaded when the epoch starts
        walker = copy.deepcopy(teacher).eval()
        state = {"epoch": 0}

        def step(net, x, y, epoch):
            if state["epoch"] != epoch:
                c = ref.prokd_checkpoint(epoch, epochs, len(checkpoints), p["teacher_checkpoint_every"])
                walker.load_state_dict(checkpoints[c - 1])  # c = E_T: the final weights
                state["epoch"] = epoch
            tau = ref.prokd_tau(epoch, epochs, p["tau_max"])
            return ref.kd_like(net(x), live(walker, x), y, p["alpha"], tau, p["reduction"])
        return [(epochs, step, False)]
    if method == "continuation":
        return [(epochs, lambda net, x, y, epoch: ref.continuation(
            net(x), live(teacher, x), y, epoch, p["anneal_epochs"], p["t_max"], p["margin"], p["psi"],
            p["psi_epochs"], p["psi_saturate_after"]), False)]
    if method == "dkd":  # mdistiller's offset mask, as its users run it
        return [(epochs, lambda net, x, y, epoch: ref.dkd(
            net(x), live(teacher, x), y, p["alpha"], p["beta"], p["temperature"], p["warmup"], epoch),
            False)]
    if method == "dist":
        return [(epochs, lambda net, x, y, epoch: ref.dist(
            net(x), live(teacher, x), y, p["beta"], p["gamma"], p["temperature"]), False)]
    raise ValueError(method)


def all_methods_tasks(seeds, epochs):
    """(kind, model, method, teacher, seed, epochs) in kdbench plan's order and columns."""
    params = all_methods_params(epochs)
    tasks = [("teacher", "cnn8", "-", "-", 1, epochs)]
    for seed in range(1, seeds + 1):
        for method in METHODS:
            if method == "takd":
                tasks.append(("assistant", "cnn4", "takd", "cnn8", seed, epochs))
            teacher = {"nokd": "-", "takd": "cnn4"}.get(method, "cnn8")
            total = (params[method]["stage1_epochs"] + params[method]["stage2_epochs"]
                     if method in ("annealing", "combined") else epochs)
            tasks.append(("student", "cnn2", method, teacher, seed, total))
    return tasks


def task_line(task, seconds, acc):
    """"student cnn2 dkd from cnn8 seed 2: 41.0 s, test 85.12" (bench/bench_tables.py grid-all
    parses it); task = (kind, model, method, teacher, seed, ...)."""
    kind, model, method, teacher, seed = task[:5]
    what = "".join(f" {v}" for v in (method if method != "-" else "",
                                      f"from {teacher}" if teacher != "-" else "") if v)
    return f"{kind} {model}{what} seed {seed}: {seconds:.1f} s, test {100 * acc:.2f}"


def run_all_methods(data, seeds, epochs):
    params = all_methods_params(epochs)
    tasks = all_methods_tasks(seeds, epochs)
    start = time.perf_counter()
    checkpoints = []  # the teacher's weights after every epoch, for Pro-KD
    teacher, acc = train("cnn8", 1, data, [(epochs, ce_step, False)], checkpoints)
    teacher.eval()
    print(task_line(tasks[0], time.perf_counter() - start, acc), flush=True)
    for seed in range(1, seeds + 1):
        assistant = None
        for method in METHODS:
            if method == "takd":  # the chain's first link: cnn4 from the teacher's final weights
                start = time.perf_counter()
                p = params["takd"]
                assistant, acc = train("cnn4", seed, data, [
                    (epochs, kd_step(teacher, p["lambda"], p["temperature"], p["reduction"]), False)])
                assistant.eval()
                print(task_line(("assistant", "cnn4", "takd", "cnn8", seed),
                                time.perf_counter() - start, acc), flush=True)
            start = time.perf_counter()
            phases = method_phases(method, params[method], teacher, assistant, checkpoints, epochs)
            _, acc = train("cnn2", seed, data, phases)
            teacher_name = {"nokd": "-", "takd": "cnn4"}.get(method, "cnn8")
            print(task_line(("student", "cnn2", method, teacher_name, seed), time.perf_counter() - start,
                            acc), flush=True)


def run_quickstart(data):
    teachers = {}
    for name in ("cnn4", "cnn8"):
        start = time.perf_counter()
        net, acc = train(name, 1, data, [(5, ce_step, False)])
        teachers[name] = net.eval()
        print(f"teacher {name}: {time.perf_counter() - start:.1f} s, test {100 * acc:.2f}", flush=True)
    for seed in (1, 2):
        for teacher in (None, "cnn4", "cnn8"):
            start = time.perf_counter()
            step = ce_step
            if teacher:
                t = teachers[teacher]
                step = lambda net, x, y, epoch, t=t: kd_loss(net(x), live(t, x), y)
            _, acc = train("cnn2", seed, data, [(4, step, False)])
            what = f"kd from {teacher}" if teacher else "nokd"
            print(f"student cnn2 {what} seed {seed}: {time.perf_counter() - start:.1f} s, "
                  f"test {100 * acc:.2f}", flush=True)


def positive(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive integer")
    return value


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--grid", choices=("quickstart", "all-methods-fmnist"), default="quickstart")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--seeds", type=positive)
    p.add_argument("--epochs", type=positive)
    p.add_argument("--plan", action="store_true")
    p.add_argument("--write-ini", metavar="FILE")
    a = p.parse_args()
    if a.grid == "quickstart" and (a.seeds or a.epochs or a.plan or a.write_ini):
        p.error("--seeds, --epochs, --plan and --write-ini are for --grid all-methods-fmnist")
    a.seeds, a.epochs = a.seeds or 3, a.epochs or 10
    if a.write_ini:
        write_ini(os.path.join(HERE, "..", "suite", "grids", "all-methods-fmnist.ini"), a.write_ini,
                  a.seeds, a.epochs)
        return
    if a.plan:
        for task in all_methods_tasks(a.seeds, a.epochs):
            print(" ".join(str(v) for v in task))
        for method, params in all_methods_params(a.epochs).items():
            print(f"method {method}: {json.dumps(params, sort_keys=True, separators=(',', ':'))}")
        return
    if a.threads:
        torch.set_num_threads(a.threads)
    wall, cpu = time.perf_counter(), time.process_time()
    data = load()
    if a.grid == "quickstart":
        run_quickstart(data)
    else:
        run_all_methods(data, a.seeds, a.epochs)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"total: wall {time.perf_counter() - wall:.1f} s, cpu {time.process_time() - cpu:.1f} s, "
          f"threads {torch.get_num_threads()}, peak rss {usage.ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
