#!/usr/bin/python3
"""Reference BERT for test_models' BertReference cases: the encoder and classification head written
out in plain PyTorch tensor operations (no transformers package exists here; this follows Hugging
Face's modeling_bert.py operation by operation), with random weights, saved the way a Hugging Face
checkpoint directory is: config.json + model.safetensors (the format written by hand, so the C++
reader is checked against an independent writer). Also writes inputs.safetensors with the inputs,
the expected logits and last hidden states, and bare.safetensors: the same encoder as a bare
BertModel file (no "bert." prefix, LayerNorm gamma/beta, no classifier, an unused "cls." tensor),
and mlm.safetensors: the encoder with Hugging Face's masked-LM head (cls.predictions.*, the decoder
tied to the word embeddings, so not stored), whose logits inputs.safetensors holds as mlm_logits.

usage: bert_reference.py OUT_DIR
"""
import json
import math
import pathlib
import struct
import sys

import torch

LAYERS, HIDDEN, HEADS, INTER, VOCAB, POSITIONS, TYPES, LABELS = 2, 32, 4, 64, 50, 16, 2, 3
EPS = 1e-12


def weights():
    g = torch.Generator().manual_seed(20261129)
    w = {}

    def put(name, *shape, scale=0.3):
        w[name] = torch.randn(*shape, generator=g) * scale

    put("bert.embeddings.word_embeddings.weight", VOCAB, HIDDEN)
    put("bert.embeddings.position_embeddings.weight", POSITIONS, HIDDEN)
    put("bert.embeddings.token_type_embeddings.weight", TYPES, HIDDEN)
    put("bert.embeddings.LayerNorm.weight", HIDDEN)
    put("bert.embeddings.LayerNorm.bias", HIDDEN)
    for i in range(LAYERS):
        p = f"bert.encoder.layer.{i}."
        for part in ("query", "key", "value"):
            put(p + f"attention.self.{part}.weight", HIDDEN, HIDDEN)
            put(p + f"attention.self.{part}.bias", HIDDEN)
        put(p + "attention.output.dense.weight", HIDDEN, HIDDEN)
        put(p + "attention.output.dense.bias", HIDDEN)
        put(p + "attention.output.LayerNorm.weight", HIDDEN)
        put(p + "attention.output.LayerNorm.bias", HIDDEN)
        put(p + "intermediate.dense.weight", INTER, HIDDEN)
        put(p + "intermediate.dense.bias", INTER)
        put(p + "output.dense.weight", HIDDEN, INTER)
        put(p + "output.dense.bias", HIDDEN)
        put(p + "output.LayerNorm.weight", HIDDEN)
        put(p + "output.LayerNorm.bias", HIDDEN)
    put("bert.pooler.dense.weight", HIDDEN, HIDDEN)
    put("bert.pooler.dense.bias", HIDDEN)
    put("classifier.weight", LABELS, HIDDEN)
    put("classifier.bias", LABELS)
    return w


def linear(x, w, p):
    return x @ w[p + ".weight"].T + w[p + ".bias"]


def layer_norm(x, w, p):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + EPS) * w[p + ".weight"] + w[p + ".bias"]


def forward(w, ids, mask, types):
    n, t = ids.shape
    x = (w["bert.embeddings.word_embeddings.weight"][ids]
         + w["bert.embeddings.token_type_embeddings.weight"][types]
         + w["bert.embeddings.position_embeddings.weight"][torch.arange(t)][None])
    x = layer_norm(x, w, "bert.embeddings.LayerNorm")
    additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    d = HIDDEN // HEADS
    for i in range(LAYERS):
        p = f"bert.encoder.layer.{i}."

        def heads(y):
            return y.view(n, t, HEADS, d).permute(0, 2, 1, 3)

        q = heads(linear(x, w, p + "attention.self.query"))
        k = heads(linear(x, w, p + "attention.self.key"))
        v = heads(linear(x, w, p + "attention.self.value"))
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + additive, -1)
        context = (probs @ v).permute(0, 2, 1, 3).reshape(n, t, HIDDEN)
        a = layer_norm(linear(context, w, p + "attention.output.dense") + x, w,
                       p + "attention.output.LayerNorm")
        h = linear(a, w, p + "intermediate.dense")
        h = 0.5 * h * (1.0 + torch.erf(h / math.sqrt(2.0)))  # GELU, erf form
        x = layer_norm(linear(h, w, p + "output.dense") + a, w, p + "output.LayerNorm")
    pooled = torch.tanh(linear(x[:, 0], w, "bert.pooler.dense"))
    return linear(pooled, w, "classifier"), x


def mlm_head_weights():
    # Drawn after weights() from a generator of its own: the classifier's reference is unchanged.
    g = torch.Generator().manual_seed(20261130)
    return {"cls.predictions.transform.dense.weight": torch.randn(HIDDEN, HIDDEN, generator=g) * 0.3,
            "cls.predictions.transform.dense.bias": torch.randn(HIDDEN, generator=g) * 0.3,
            "cls.predictions.transform.LayerNorm.weight": torch.randn(HIDDEN, generator=g) * 0.3,
            "cls.predictions.transform.LayerNorm.bias": torch.randn(HIDDEN, generator=g) * 0.3,
            "cls.predictions.bias": torch.randn(VOCAB, generator=g) * 0.3}


def mlm_logits(w, hidden):
    """BertLMPredictionHead: dense, GELU (erf), LayerNorm, then the word embeddings + bias."""
    h = linear(hidden, w, "cls.predictions.transform.dense")
    h = 0.5 * h * (1.0 + torch.erf(h / math.sqrt(2.0)))
    h = layer_norm(h, w, "cls.predictions.transform.LayerNorm")
    return h @ w["bert.embeddings.word_embeddings.weight"].T + w["cls.predictions.bias"]


DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def write_safetensors(path, tensors):
    header, data = {}, b""
    for name, t in tensors.items():
        raw = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # the format pads the header to 8 bytes
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    w = weights()
    ids = torch.tensor([[2, 7, 11, 3, 0, 0], [2, 5, 9, 13, 17, 3], [2, 49, 3, 8, 4, 3]])
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]])
    types = torch.tensor([[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1]])
    with torch.no_grad():
        logits, hidden = forward(w, ids, mask, types)
    write_safetensors(out / "model.safetensors", w)
    bare = {}
    for name, t in w.items():
        if name.startswith("classifier."):
            continue
        name = name[len("bert."):]
        name = name.replace("LayerNorm.weight", "LayerNorm.gamma")
        name = name.replace("LayerNorm.bias", "LayerNorm.beta")
        bare[name] = t
    bare["cls.predictions.bias"] = torch.zeros(VOCAB)
    write_safetensors(out / "bare.safetensors", bare)
    mlm = {n: t for n, t in w.items() if not n.startswith("classifier.")}
    mlm.update(mlm_head_weights())
    write_safetensors(out / "mlm.safetensors", mlm)
    with torch.no_grad():
        mlm_out = mlm_logits(mlm, hidden)
    write_safetensors(out / "inputs.safetensors",
                      {"input_ids": ids, "attention_mask": mask, "token_type_ids": types,
                       "logits": logits, "hidden": hidden, "mlm_logits": mlm_out})
    (out / "config.json").write_text(json.dumps({
        "architectures": ["BertForSequenceClassification"], "hidden_act": "gelu",
        "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
        "intermediate_size": INTER, "vocab_size": VOCAB, "max_position_embeddings": POSITIONS,
        "type_vocab_size": TYPES, "layer_norm_eps": EPS, "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "pad_token_id": 0, "model_type": "bert"}, indent=1))


if __name__ == "__main__":
    main()
