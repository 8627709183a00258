#!/usr/bin/python3
"""The training step of bench/step_bench.cpp (kdbench_step_bench) in PyTorch eager, for the
side-by-side row: the same ResNet (bench/pytorch_baseline.py's definition, 3-channel input), random
CIFAR-shaped batches, SGD lr 0.05 / momentum 0.9 / weight decay 5e-4, forward and loss under
autocast (bf16), backward and step outside it. Prints one line with samples/s (median of the timed
windows after warm-up, CUDA synchronised at each window end) and peak GPU memory.

usage: pytorch_step_bench.py [--model resnet20] [--device cpu|cuda] [--precision fp32|bf16]
                             [--batch 128] [--steps 50] [--windows 5] [--warmup 10] [--threads 1]
"""
import argparse
import contextlib
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_baseline import resnet  # noqa: E402  (one ResNet definition for every bench script)


def make_model(name):
    # Hook for text models (bert-L12-H768, sequence length 128): build it here and return token
    # ids from random_batch once kdbench's models::make has them.
    if not name.startswith("resnet") or not name[6:].isdigit() or (int(name[6:]) - 2) % 6:
        print(f"pytorch_step_bench.py: --model: '{name}' is not a CIFAR ResNet (resnet20, resnet110, ...)",
              file=sys.stderr)
        sys.exit(2)
    return resnet(int(name[6:]), in_channels=3)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="resnet20")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    for name, default in (("batch", 128), ("steps", 50), ("windows", 5), ("warmup", 10), ("threads", 1)):
        p.add_argument(f"--{name}", type=int, default=default)
    a = p.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        print("pytorch_step_bench.py: --device cuda: no CUDA device is visible to PyTorch", file=sys.stderr)
        sys.exit(2)
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    dev = torch.device(a.device)
    x = torch.randn(a.batch, 3, 32, 32, device=dev)
    y = torch.randint(0, 10, (a.batch,), device=dev)
    net = make_model(a.model).to(dev).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)

    def autocast():
        if a.precision == "fp32":
            return contextlib.nullcontext()
        return torch.autocast(device_type=a.device, dtype=torch.bfloat16)

    def step():
        opt.zero_grad()
        with autocast():
            loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(a.warmup):
        step()
    sync()
    per_window, rates = a.steps // a.windows, []
    for _ in range(a.windows):
        start = time.perf_counter()
        for _ in range(per_window):
            step()
        sync()
        rates.append(per_window * a.batch / (time.perf_counter() - start))
    rate = statistics.median(rates)
    mem = f"{torch.cuda.max_memory_allocated() / 2**20:.1f}" if dev.type == "cuda" else "n/a"
    params = sum(t.numel() for t in net.parameters() if t.requires_grad)
    print(f"impl=pytorch-{torch.__version__} model={a.model} device={a.device} precision={a.precision} "
          f"batch={a.batch} params={params} threads={a.threads} windows={a.windows}x{per_window} "
          f"samples_per_s={rate:.1f} ms_per_step={1000 * a.batch / rate:.3f} peak_mem_mib={mem}")


if __name__ == "__main__":
    main()
