"""Reference implementations for make_golden_losses.py: the formulas of docs/methods.md in plain
PyTorch (float64), written independently of kdbench's C++. Schedules are simulated epoch by epoch
as the papers describe them ("t += 1 every k epochs"), not with the closed forms the C++ uses.
"""
import warnings

import torch
import torch.nn.functional as F

D = torch.float64
# TAKD's elementmean KL is reduction="mean" on purpose; silence PyTorch's advice about it.
warnings.filterwarnings("ignore", message="reduction: 'mean' divides")


# ---------------------------------------------------------------- schedules (simulated)
def annealing_phi_sequence(e1, tau_max):
    k = e1 // tau_max
    t, out = 1, []
    for epoch in range(1, e1 + 1):
        out.append(min(t / tau_max, 1.0))
        if epoch % k == 0:
            t += 1
    return out


def continuation_t_sequence(n, t_max, epochs):
    k = n // t_max
    t, out = t_max, []
    for epoch in range(1, epochs + 1):
        out.append(max(t, 1))
        if epoch % k == 0:
            t -= 1
    return out


def continuation_phi(t, t_max):
    return 1.0 - (t - 1) / t_max


def continuation_psi(epoch, kind, psi_epochs, saturate_after=0):
    if saturate_after and epoch > saturate_after:
        return 1.0
    if kind == "step":
        return 0.0 if epoch <= psi_epochs else 1.0
    return min((epoch - 1) / psi_epochs, 1.0)


def prokd_checkpoint(epoch, e_s, e_t, every):
    c = -(-epoch * e_t // e_s)          # ceil
    c = -(-c // every) * every          # next saved teacher checkpoint
    return min(c, e_t)


def prokd_tau(epoch, e_s, tau_max):
    if e_s == 1:
        return 1.0
    return tau_max + (1.0 - tau_max) * (epoch - 1) / (e_s - 1)


# ---------------------------------------------------------------- losses (straight from formulas)
def ce(zs, y):
    return F.cross_entropy(zs, y)


def kl(zs, zt, tau, reduction):
    return F.kl_div(F.log_softmax(zs / tau, 1), F.softmax(zt / tau, 1),
                    reduction="batchmean" if reduction == "batchmean" else "mean")


def kd_like(zs, zt, y, weight, tau, reduction):
    return (1 - weight) * ce(zs, y) + weight * tau * tau * kl(zs, zt, tau, reduction)


def dkd(zs, zt, y, alpha, beta, tau, warmup, epoch, mask="offset"):
    # mdistiller's structure. p^ as the official code writes it (docs/methods.md §8),
    # softmax((z - 1000 onehot(y)) / tau) (mask="offset"), or with the target column removed
    # (mask="drop"): the two agree for ordinary logits, but a 1000 offset does not mask a target
    # whose rivals sit at -1e4.
    b, c = zs.shape
    gt = F.one_hot(y, c).to(D)
    other = 1 - gt
    ps, pt = F.softmax(zs / tau, 1), F.softmax(zt / tau, 1)
    bs = torch.stack([(ps * gt).sum(1), (ps * other).sum(1)], 1)
    bt = torch.stack([(pt * gt).sum(1), (pt * other).sum(1)], 1)
    tckd = F.kl_div(torch.log(bs), bt, reduction="sum") * tau ** 2 / b
    if mask == "offset":
        log_ps_hat = F.log_softmax((zs - 1000.0 * gt) / tau, 1)
        pt_hat = F.softmax((zt - 1000.0 * gt) / tau, 1)
    else:
        keep = torch.tensor([[j for j in range(c) if j != int(y[i])] for i in range(b)])
        log_ps_hat = F.log_softmax(torch.gather(zs, 1, keep) / tau, 1)
        pt_hat = F.softmax(torch.gather(zt, 1, keep) / tau, 1)
    nckd = F.kl_div(log_ps_hat, pt_hat, reduction="sum") * tau ** 2 / b
    return ce(zs, y) + min(epoch / warmup, 1.0) * (alpha * tckd + beta * nckd)


def pearson_rows(a, b, eps):
    a = a - a.mean(1, keepdim=True)
    b = b - b.mean(1, keepdim=True)
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1) + eps)


def dist(zs, zt, y, beta, gamma, tau):
    ys, yt = F.softmax(zs / tau, 1), F.softmax(zt / tau, 1)
    inter = 1 - pearson_rows(ys, yt, 1e-8).mean()
    intra = 1 - pearson_rows(ys.t(), yt.t(), 1e-8).mean()
    return ce(zs, y) + tau ** 2 * (beta * inter + gamma * intra)


def continuation(zs, zt, y, epoch, n, t_max, margin, psi_kind, psi_epochs, saturate_after=0):
    t = continuation_t_sequence(n, t_max, epoch)[-1]
    phi = continuation_phi(t, t_max)
    psi = continuation_psi(epoch, psi_kind, psi_epochs, saturate_after)
    per_sample = ((zs - phi * zt) ** 2).mean(1)
    hinge = torch.clamp(per_sample - margin * phi, min=0.0)
    return psi * ce(zs, y) + (1 - psi) * hinge.mean()


# ---------------------------------------------------------------- Combined-KD's perturbation
def adversarial(x, student, teacher, steps, eps):
    """steps signed-gradient ascent steps of size eps/steps on MSE(student, teacher), in the
    L-inf ball of radius eps around x."""
    adv = x.clone()
    for _ in range(steps):
        adv.requires_grad_(True)
        gain = F.mse_loss(student(adv), teacher(adv))
        (grad,) = torch.autograd.grad(gain, adv)
        adv = adv.detach() + (eps / steps) * grad.sign()
        adv = torch.max(torch.min(adv, x + eps), x - eps)
    return adv
