#!/usr/bin/python3
"""Cross-check of how a KD method trains, written from the reference implementations' loss code in
PyTorch, on kdbench's suite/grids/all-methods-fmnist.ini setting: teacher cnn8 (CE, 3 epochs
here), student cnn2, Fashion-MNIST 12,000 images, SGD lr 0.05 momentum 0.9 wd 5e-4, batch 128,
step LR ×0.1 after 50 % and 75 % of the epochs (kdbench's rounding), no augmentation.

usage: pytorch_method_check.py dkd EPOCHS BETA [LR] [WARMUP]
       pytorch_method_check.py annealing EPOCHS TAU_MAX [LR]   (stage I, then stage II: CE from the
                                                                  best stage-I weights, fresh optimizer)
Prints the student's train loss, train accuracy and val accuracy per epoch. The teacher's logits
are cached in /tmp/kdbench-check-teacher-cnn8.pt between calls.
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

from pytorch_baseline import MODELS, load

TEACHER_CACHE = "/tmp/kdbench-check-teacher-cnn8.pt"


def dkd_loss(ls, lt, y, alpha, beta, tau):  # mdistiller/distillers/DKD.py (Zhao et al.), in substance
    gt = torch.zeros_like(ls).scatter_(1, y.unsqueeze(1), 1).bool()
    other = ~gt
    ps, pt = F.softmax(ls / tau, 1), F.softmax(lt / tau, 1)
    cat = lambda p: torch.cat([(p * gt).sum(1, keepdims=True), (p * other).sum(1, keepdims=True)], 1)
    tckd = F.kl_div(torch.log(cat(ps)), cat(pt), reduction="sum") * tau**2 / y.shape[0]
    nckd = F.kl_div(F.log_softmax(ls / tau - 1000.0 * gt, 1), F.softmax(lt / tau - 1000.0 * gt, 1),
                    reduction="sum") * tau**2 / y.shape[0]
    return alpha * tckd + beta * nckd


def train(net, x, y, vx, vy, epochs, lr, loss_fn, label):
    """Returns the weights of the epoch with the best val accuracy."""
    best, best_state = -1.0, None
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    milestones = [math.ceil(epochs * 0.5), math.ceil(epochs * 0.75)]
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones, 0.1)
    for epoch in range(1, epochs + 1):
        net.train()
        total, correct, n = 0.0, 0, 0
        for i in torch.randperm(len(y)).split(128):
            out = net(x[i])
            loss = loss_fn(out, i, epoch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, n = total + loss.item() * len(i), n + len(i)
            correct += (out.argmax(1) == y[i]).sum().item()
        sched.step()
        net.eval()
        with torch.no_grad():
            acc = (torch.cat([net(vx[j:j + 1000]) for j in range(0, len(vx), 1000)]).argmax(1) == vy).float().mean()
        print(f"{label} epoch {epoch}: loss {total / n:.4f} train {100 * correct / n:.2f}% val {100 * acc:.2f}%",
              flush=True)
        if acc > best:
            best, best_state = acc, {k: v.clone() for k, v in net.state_dict().items()}
    return best_state


def teacher_logits(x, y, vx, vy):
    if os.path.exists(TEACHER_CACHE):
        return torch.load(TEACHER_CACHE)
    teacher = MODELS["cnn8"]()
    train(teacher, x, y, vx, vy, 3, 0.05, lambda out, i, e: F.cross_entropy(out, y[i]), "teacher cnn8")
    teacher.eval()
    with torch.no_grad():
        logits = torch.cat([teacher(x[j:j + 1000]) for j in range(0, len(x), 1000)])
    torch.save(logits, TEACHER_CACHE)
    return logits


def main():
    method, epochs, knob = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    lr = float(sys.argv[4]) if len(sys.argv) > 4 else 0.05
    torch.set_num_threads(1)
    torch.manual_seed(1)
    x, y, vx, vy, _, _ = load()
    zt = teacher_logits(x, y, vx, vy)
    print(f"teacher logits: mean |z| {zt.abs().mean():.2f}, max |z| {zt.abs().max():.2f}")
    student = MODELS["cnn2"]()
    if method == "dkd":
        warmup = int(sys.argv[5]) if len(sys.argv) > 5 else 5
        loss = lambda out, i, e: F.cross_entropy(out, y[i]) + min(e / warmup, 1.0) * dkd_loss(
            out, zt[i], y[i], 1.0, knob, 4.0)
    elif method == "annealing":  # Jafari et al.: MSE(z_s, Φ·z_t), Φ = t/τ_max, t += 1 every ⌊E1/τ_max⌋
        tau_max = int(knob)
        k = epochs // tau_max
        loss = lambda out, i, e: F.mse_loss(out, min((1 + (e - 1) // k) / tau_max, 1.0) * zt[i])
    else:
        sys.exit(f"unknown method {method}")
    best = train(student, x, y, vx, vy, epochs, lr, loss, f"student cnn2 {method} {knob} lr={lr}")
    if method == "annealing":
        student.load_state_dict(best)
        train(student, x, y, vx, vy, epochs, lr, lambda out, i, e: F.cross_entropy(out, y[i]),
              "student cnn2 annealing stage II")


if __name__ == "__main__":
    main()
