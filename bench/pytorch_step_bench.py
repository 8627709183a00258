#!/usr/bin/python3
"""The training step of bench/step_bench.cpp (kdbench_step_bench) in PyTorch eager, written as a
careful researcher would, for the side-by-side table: same arguments, same models
(bench/pytorch_models.py), same pool of rows gathered by a random permutation, same optimizer
(images: SGD lr 0.05, momentum 0.9, weight decay 5e-4; text: AdamW lr 1e-4, weight decay 0.01 on
weights only, clip_grad_norm_ 1.0, a per-step learning rate), same losses (nokd: cross-entropy;
kd: (1 - 0.9) CE + 0.9 * 4^2 * KL(p_t^4 || p_s^4), batchmean), teacher logits from a table
(kd-cached) or a live teacher in eval mode under no_grad (kd-live), the loss and correct sums kept
as tensors. Prints one line per method: the median window's samples/s and the spread.

usage: pytorch_step_bench.py [--model resnet20] [--input 3x32x32] [--seq 64] [--classes 10]
  [--methods nokd,kd-cached,kd-live] [--teacher resnet32] [--device cpu|cuda] [--precision fp32|bf16]
  [--batch 128[,32...]] [--steps 0] [--windows 5] [--window-ms 300] [--warmup 3] [--threads 1[,2...]]
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
import pytorch_models  # noqa: E402  (one definition per model for every bench script)

POOL_BATCHES, VOCAB = 4, 30522


def fail(message):
    print(f"pytorch_step_bench.py: {message}", file=sys.stderr)
    sys.exit(2)


def kd_loss(s, t, y, tau=4.0, alpha=0.9):
    soft = F.kl_div(F.log_softmax(s / tau, 1), F.log_softmax(t / tau, 1), reduction="batchmean",
                    log_target=True)
    return (1 - alpha) * F.cross_entropy(s, y) + alpha * tau * tau * soft


def bench_method(a, method, shape, text, dev):
    torch.manual_seed(1)
    rows = POOL_BATCHES * a.batch
    if text:
        pool = (torch.randint(1000, VOCAB, (rows, a.seq), device=dev),
                torch.ones(rows, a.seq, dtype=torch.long, device=dev),
                torch.zeros(rows, a.seq, dtype=torch.long, device=dev))
    else:
        pool = (torch.randn(rows, *shape, device=dev),)
    labels = torch.randint(0, a.classes, (rows,), device=dev)
    net = pytorch_models.make(a.model, a.classes, shape).to(dev).train()
    if text:
        decay = [p for p in net.parameters() if p.dim() >= 2]
        no_decay = [p for p in net.parameters() if p.dim() < 2]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                 {"params": no_decay, "weight_decay": 0.0}], lr=1e-4)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    teacher = table = None
    if method == "kd-live":
        teacher = pytorch_models.make(a.teacher, a.classes, shape).to(dev).eval()
    elif method == "kd-cached":
        table = torch.randn(rows, a.classes, device=dev)

    def autocast():
        if a.precision == "fp32":
            return contextlib.nullcontext()
        return torch.autocast(device_type=dev.type, dtype=torch.bfloat16)

    state = {"order": torch.randperm(rows, device=dev), "position": 0, "steps": 0}
    loss_sum = torch.zeros((), device=dev)
    correct = torch.zeros((), dtype=torch.long, device=dev)

    def step():
        nonlocal loss_sum, correct
        if state["position"] == POOL_BATCHES:
            state["order"], state["position"] = torch.randperm(rows, device=dev), 0
        p = state["position"]
        idx = state["order"][p * a.batch:(p + 1) * a.batch]
        state["position"] += 1
        x = tuple(t.index_select(0, idx) for t in pool)
        y = labels.index_select(0, idx)
        t_logits = None
        if teacher is not None:
            with torch.no_grad(), autocast():
                t_logits = teacher(*x).float()
        elif table is not None:
            t_logits = table.index_select(0, idx)
        opt.zero_grad()
        with autocast():
            logits = net(*x).float()
        loss = F.cross_entropy(logits, y) if t_logits is None else kd_loss(logits, t_logits, y)
        loss.backward()
        if text:
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            for group in opt.param_groups:  # a per-step schedule, as the text trainer's
                group["lr"] = 1e-4 * (1.0 - 1e-6 * state["steps"])
        opt.step()
        with torch.no_grad():
            loss_sum += loss.detach() * a.batch
            correct += (logits.argmax(1) == y).sum()
        state["steps"] += 1

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    start = time.perf_counter()
    for _ in range(a.warmup):
        step()
    sync()
    if a.steps:
        per_window = a.steps // a.windows
    else:
        step_ms = 1000 * (time.perf_counter() - start) / a.warmup
        per_window = max(1, int(a.window_ms / step_ms + 0.5))
    rates = []
    for _ in range(a.windows):
        start = time.perf_counter()
        for _ in range(per_window):
            step()
        sync()
        rates.append(per_window * a.batch / (time.perf_counter() - start))
    loss_sum.item()  # the epoch's one read, as in the trainer
    rate = statistics.median(rates)
    mem = f"{torch.cuda.max_memory_allocated() / 2**20:.1f}" if dev.type == "cuda" else "n/a"
    params = sum(t.numel() for t in net.parameters() if t.requires_grad)
    input_text = f"seq{a.seq}" if text else a.input
    print(f"impl=pytorch-{torch.__version__} model={a.model} method={method} "
          f"teacher={a.teacher if method == 'kd-live' else '-'} input={input_text} device={a.device} "
          f"precision={a.precision} batch={a.batch} params={params} threads={a.threads} "
          f"windows={a.windows}x{per_window} samples_per_s={rate:.1f} min={min(rates):.1f} "
          f"max={max(rates):.1f} ms_per_step={1000 * a.batch / rate:.3f} peak_mem_mib={mem}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (("model", "resnet20"), ("input", "3x32x32"), ("methods", "nokd"),
                          ("teacher", ""), ("device", "cpu"), ("precision", "fp32")):
        p.add_argument(f"--{name}", default=default)
    for name, default in (("seq", 64), ("classes", 0), ("steps", 0), ("windows", 5), ("window-ms", 300),
                          ("warmup", 3)):
        p.add_argument(f"--{name}", type=int, default=default)
    for name, default in (("batch", "128"), ("threads", "1")):  # comma lists, threads outermost
        p.add_argument(f"--{name}", default=default)
    a = p.parse_args()
    text = a.model.startswith("bert")
    a.classes = a.classes or (2 if text else 10)
    if a.device not in ("cpu", "cuda"):
        fail(f"--device: '{a.device}' is not cpu or cuda")
    if a.precision not in ("fp32", "bf16"):
        fail(f"--precision: '{a.precision}' is not fp32 or bf16")
    if a.device == "cuda" and not torch.cuda.is_available():
        fail("--device cuda: no CUDA device is visible to PyTorch")
    methods = a.methods.split(",")
    for m in methods:
        if m not in ("nokd", "kd-cached", "kd-live"):
            fail(f"--methods: '{m}' is not one of nokd, kd-cached, kd-live")
        if m == "kd-live" and not a.teacher:
            fail("--methods kd-live needs --teacher MODEL")
    if text:
        shape = (VOCAB, a.seq)
    else:
        parts = a.input.split("x")
        if len(parts) != 3 or not all(s.isdigit() for s in parts):
            fail(f"--input: '{a.input}' is not CxHxW (e.g. 1x28x28)")
        shape = tuple(int(s) for s in parts)
    if a.steps and a.steps < a.windows:
        fail(f"--steps: {a.steps} is fewer than --windows {a.windows}")
    for name in filter(None, (a.model, a.teacher)):
        try:
            pytorch_models.make(name, a.classes, shape)
        except ValueError as e:
            fail(f"--model/--teacher: {e}")
    lists = {}
    for name in ("batch", "threads"):
        items = getattr(a, name).split(",")
        if not all(i.isdigit() and int(i) > 0 for i in items):
            fail(f"--{name}: '{getattr(a, name)}' is not a list of positive integers")
        lists[name] = [int(i) for i in items]
    dev = torch.device(a.device)
    for a.threads in lists["threads"]:
        torch.set_num_threads(a.threads)
        for a.batch in lists["batch"]:
            for m in methods:
                bench_method(a, m, shape, text, dev)


if __name__ == "__main__":
    main()
