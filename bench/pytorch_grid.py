#!/usr/bin/python3
"""suite/grids/quickstart.ini as the Python script a researcher writes today: one process that
trains the grid's tasks one after another in PyTorch eager, for the whole-grid cost row of
bench/README.md (kdbench: `mpirun -np 2 kdbench run`, this: one process on the same cores).

The same work as kdbench's run: Fashion-MNIST, validation = 6,000 images (val_fraction 0.1),
12,000 training images, no augmentation, batch 128, SGD lr 0.05 / momentum 0.9 / weight decay 5e-4,
the learning rate x0.1 after 50 % and 75 % of the epochs; teachers cnn4 and cnn8 (5 epochs, seed 1),
students cnn2 (4 epochs) with nokd (seeds 1, 2) and kd from each teacher's final weights
(tau 4, alpha 0.9; seeds 1, 2); every epoch evaluates validation and test (10,000 images) at batch
256 and keeps the best validation epoch's test accuracy. The teacher runs live in every kd step,
as scripts do (kdbench computes its logits once per checkpoint and reads them back).

usage: pytorch_grid.py [--threads N]   (default: PyTorch's own, one per core)
Prints one line per task (seconds, best test accuracy) and the total wall and CPU seconds.
"""
import argparse
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_baseline  # noqa: E402
from pytorch_models import CNN_SPECS, cnn  # noqa: E402
from pytorch_step_bench import kd_loss  # noqa: E402


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


def train(name, epochs, seed, data, teacher=None):
    torch.manual_seed(seed)
    spec, hidden = CNN_SPECS[name]
    net = cnn(spec, hidden)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, [round(0.5 * epochs), round(0.75 * epochs)], 0.1)
    x, y = data["train"]
    best_val, best_test = -1.0, 0.0
    for _ in range(epochs):
        for batch in torch.randperm(len(y)).split(128):
            logits = net(x[batch])
            if teacher is None:
                loss = F.cross_entropy(logits, y[batch])
            else:
                with torch.no_grad():
                    t_logits = teacher(x[batch])
                loss = kd_loss(logits, t_logits, y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        val, test = accuracy(net, data["val"]), accuracy(net, data["test"])
        if val > best_val:
            best_val, best_test = val, test
    return net, best_test


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    wall, cpu = time.perf_counter(), time.process_time()
    data = load()
    teachers = {}
    for name in ("cnn4", "cnn8"):
        start = time.perf_counter()
        net, acc = train(name, 5, 1, data)
        teachers[name] = net.eval()
        print(f"teacher {name}: {time.perf_counter() - start:.1f} s, test {100 * acc:.2f}", flush=True)
    for seed in (1, 2):
        for teacher in (None, "cnn4", "cnn8"):
            start = time.perf_counter()
            _, acc = train("cnn2", 4, seed, data, teachers[teacher] if teacher else None)
            what = f"kd from {teacher}" if teacher else "nokd"
            print(f"student cnn2 {what} seed {seed}: {time.perf_counter() - start:.1f} s, "
                  f"test {100 * acc:.2f}", flush=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"total: wall {time.perf_counter() - wall:.1f} s, cpu {time.process_time() - cpu:.1f} s, "
          f"threads {torch.get_num_threads()}, peak rss {usage.ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
