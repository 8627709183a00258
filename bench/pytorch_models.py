"""kdbench's models as a PyTorch researcher would write them (nn.Module, eager), for the bench
scripts' side-by-side rows: the same architectures, parameter counts and initialisation rules as
models/cnn.cpp, models/resnet.cpp and models/bert.cpp (docs/methods.md §10, §10a).

make(name, classes, shape): shape is (channels, height, width) for images, (vocab, tokens) for
BERT names (bert-L{layers}-H{hidden}[-A{heads}]).
"""
import math
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

# TAKD's plain CNNs, the layer strings of models/cnn.cpp: "Ck" conv3x3 + BN + ReLU, "P" max-pool 2,
# "FCk" a hidden Linear + ReLU; the classifier follows.
CNN_SPECS = {
    "cnn2": ([16, "P", 16, "P"], ()),
    "cnn4": ([16, 16, "P", 32, 32, "P"], ()),
    "cnn6": ([16, 16, "P", 32, 32, "P", 64, 64, "P"], ()),
    "cnn8": ([16, 16, "P", 32, 32, "P", 64, 64, "P", 128, 128, "P"], (64,)),
    "cnn10": ([32, 32, "P", 64, 64, "P", 128, 128, "P", 256, 256, 256, 256, "P"], (128,)),
}


def conv_bn(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


def cnn(spec, hidden=(), in_channels=1, side=28, classes=10):
    layers, c, hw = [], in_channels, side
    for s in spec:
        if s == "P":
            layers.append(nn.MaxPool2d(2))
            hw //= 2
        else:
            layers += conv_bn(c, s)
            c = s
    layers.append(nn.Flatten())
    width = c * hw * hw
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU(inplace=True)]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, classes))


def he_conv(cin, cout, k, stride):  # the reference code's N(0, sqrt(2 / (k*k*cout))), no bias
    conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
    nn.init.normal_(conv.weight, 0.0, math.sqrt(2.0 / (k * k * cout)))
    return conv


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = he_conv(cin, cout, 3, stride), nn.BatchNorm2d(cout)
        self.c2, self.b2 = he_conv(cout, cout, 3, 1), nn.BatchNorm2d(cout)
        self.short = nn.Sequential()
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(he_conv(cin, cout, 1, stride), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.b1(self.c1(x)))
        return F.relu(self.b2(self.c2(out)) + self.short(x))


def resnet(depth, in_channels=1, classes=10):
    n, c = (depth - 2) // 6, 16
    layers = [he_conv(in_channels, 16, 3, 1), nn.BatchNorm2d(16), nn.ReLU()]
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for i in range(n):
            layers.append(Block(c, cout, stride if i == 0 else 1))
            c = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes))


class BertLayer(nn.Module):
    """Hugging Face's BertLayer: post-LayerNorm self-attention and a GELU feed-forward."""

    def __init__(self, h, heads, eps=1e-12, p=0.1):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.attn_norm = nn.Linear(h, h), nn.LayerNorm(h, eps=eps)
        self.inter, self.out, self.out_norm = nn.Linear(h, 4 * h), nn.Linear(4 * h, h), nn.LayerNorm(h, eps=eps)
        self.dropout = nn.Dropout(p)

    def forward(self, x, additive_mask):
        n, t, h = x.shape
        split = lambda y: y.view(n, t, self.heads, h // self.heads).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + additive_mask
        context = (self.dropout(scores.softmax(-1)) @ v).transpose(1, 2).reshape(n, t, h)
        x = self.attn_norm(self.dropout(self.attn_out(context)) + x)
        return self.out_norm(self.dropout(self.out(F.gelu(self.inter(x)))) + x)


class BertClassifier(nn.Module):
    def __init__(self, layers, hidden, heads, classes, vocab=30522, positions=512, eps=1e-12, p=0.1):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden, padding_idx=0)
        self.position, self.token_type = nn.Embedding(positions, hidden), nn.Embedding(2, hidden)
        self.emb_norm, self.dropout = nn.LayerNorm(hidden, eps=eps), nn.Dropout(p)
        self.layers = nn.ModuleList(BertLayer(hidden, heads, eps, p) for _ in range(layers))
        self.pooler, self.classifier = nn.Linear(hidden, hidden), nn.Linear(hidden, classes)
        for m in self.modules():  # BERT's initialisation
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)
        with torch.no_grad():
            self.word.weight[0].zero_()

    def forward(self, ids, mask, types):
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.dropout(self.emb_norm(self.word(ids) + self.position(positions) + self.token_type(types)))
        additive = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, additive)
        return self.classifier(self.dropout(torch.tanh(self.pooler(x[:, 0]))))


def make(name, classes, shape):
    if name in CNN_SPECS:
        spec, hidden = CNN_SPECS[name]
        return cnn(spec, hidden, in_channels=shape[0], side=shape[1], classes=classes)
    m = re.fullmatch(r"resnet(\d+)", name)
    if m and (int(m[1]) - 2) % 6 == 0 and int(m[1]) >= 8:
        return resnet(int(m[1]), in_channels=shape[0], classes=classes)
    m = re.fullmatch(r"bert-L(\d+)-H(\d+)(?:-A(\d+))?", name)
    if m:
        hidden = int(m[2])
        return BertClassifier(int(m[1]), hidden, int(m[3]) if m[3] else max(1, hidden // 64), classes,
                              vocab=shape[0])
    raise ValueError(f"unknown model '{name}' (cnn2..cnn10, resnet6n+2, bert-L*-H*)")
