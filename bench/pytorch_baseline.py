#!/usr/bin/python3
"""The same training as one kdbench task, written as the Python script a researcher would write:
cnn2 / cnn4 / resnet8 on Fashion-MNIST (12,000 training images, batch 128, SGD momentum 0.9,
1 intra-op thread, no augmentation), then evaluation on 6,000 val + 10,000 test images at batch 256
(kdbench's eval_batch_size).
Prints seconds per epoch (train + eval), the number kdbench records in results.h5 `seconds`.

usage: pytorch_baseline.py MODEL [EPOCHS]
"""
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_models import cnn, resnet  # noqa: E402  (one definition per model for every bench script)

torch.set_num_threads(1)
torch.manual_seed(1)
DATA = "/usr/share/datasets/fashion-mnist"


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load():
    x = idx(f"{DATA}/train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    y = idx(f"{DATA}/train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    tx = idx(f"{DATA}/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    ty = idx(f"{DATA}/t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
    perm = np.random.default_rng(0).permutation(len(y))
    val, train = perm[:6000], perm[6000:6000 + 12000]
    mean, std = x[train].mean() / 255, x[train].std() / 255
    norm = lambda a: (torch.from_numpy(a.astype(np.float32)) / 255 - mean) / std
    return (norm(x[train]), torch.from_numpy(y[train]), norm(x[val]), torch.from_numpy(y[val]),
            norm(tx), torch.from_numpy(ty))


MODELS = {"cnn2": lambda: cnn([16, "P", 16, "P"]), "cnn4": lambda: cnn([16, 16, "P", 32, 32, "P"]),
          "cnn8": lambda: cnn([16, 16, "P", 32, 32, "P", 64, 64, "P", 128, 128, "P"], hidden=(64,)),
          "resnet8": lambda: resnet(8), "resnet20": lambda: resnet(20)}


def main():
    name, epochs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2
    x, y, vx, vy, tx, ty = load()
    net = MODELS[name]()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    for epoch in range(epochs):
        start = time.perf_counter()
        net.train()
        for idx_ in torch.randperm(len(y)).split(128):
            loss = F.cross_entropy(net(x[idx_]), y[idx_])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            accs = [(torch.cat([net(a[i:i + 256]) for i in range(0, len(a), 256)]).argmax(1) == b).float().mean()
                    for a, b in ((vx, vy), (tx, ty))]
        print(f"{name} epoch {epoch + 1}: {time.perf_counter() - start:.2f} s  val {accs[0]:.4f} test {accs[1]:.4f}")


if __name__ == "__main__":
    main()
