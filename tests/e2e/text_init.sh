#!/usr/bin/env bash
# [teacher] init = DIR: a Hugging Face BERT directory (config.json + model.safetensors, written
# here by Debian's python3-torch through bert_reference.py's safetensors writer: an encoder
# without a classifier, as a pretrained checkpoint is) starts the teacher under mpirun -np 2; the
# record says every encoder tensor was loaded and the classifier started fresh. A truncated
# model.safetensors and a config.json of another size are exit 2 with one line, nothing written.
set -euo pipefail
kdbench=$1; src=$2; work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
/usr/bin/python3 "$src/tests/e2e/make_text_data.py" .
/usr/bin/python3 - "$src/tests/unit/models" hf <<'PY'
import json, pathlib, sys
import torch
sys.path.insert(0, sys.argv[1])
from bert_reference import write_safetensors
out = pathlib.Path(sys.argv[2]); out.mkdir()
H, I, V, P = 64, 256, 27, 512   # bert-L1-H64 on the 27-token vocabulary
g = torch.Generator().manual_seed(5)
w = {}
def put(name, *shape):
    w[name] = torch.randn(*shape, generator=g) * 0.05
put("bert.embeddings.word_embeddings.weight", V, H)
put("bert.embeddings.position_embeddings.weight", P, H)
put("bert.embeddings.token_type_embeddings.weight", 2, H)
for p in ("bert.embeddings.LayerNorm", "bert.encoder.layer.0.attention.output.LayerNorm",
          "bert.encoder.layer.0.output.LayerNorm"):
    w[p + ".weight"] = torch.ones(H); w[p + ".bias"] = torch.zeros(H)
for name, (o, i) in {"attention.self.query": (H, H), "attention.self.key": (H, H),
                     "attention.self.value": (H, H), "attention.output.dense": (H, H),
                     "intermediate.dense": (I, H), "output.dense": (H, I)}.items():
    put(f"bert.encoder.layer.0.{name}.weight", o, i); put(f"bert.encoder.layer.0.{name}.bias", o)
put("bert.pooler.dense.weight", H, H); put("bert.pooler.dense.bias", H)
write_safetensors(out / "model.safetensors", w)
(out / "config.json").write_text(json.dumps({
    "hidden_act": "gelu", "hidden_size": H, "num_hidden_layers": 1, "num_attention_heads": 1,
    "intermediate_size": I, "vocab_size": V, "max_position_embeddings": P, "type_vocab_size": 2}))
(out / "tensors").write_text(str(len(w)))
PY
cat > grid.ini <<INI
[grid]
dataset   = glue-cola
data_dir  = $work/cola
vocab     = $work/vocab.txt
max_seq_length = 24
teachers  = bert-L1-H64
students  = bert-L1-H64
methods   = kd
seeds     = 1
results   = results.h5
artifacts = artifacts
[train]
epochs       = 2
batch_size   = 16
optimizer    = adamw
lr           = 1e-3
lr_schedule  = linear
warmup_ratio = 0.1
val_fraction = 0.2
threads      = 1
[teacher]
init = $work/hf
INI
mpirun -np 2 --oversubscribe "$kdbench" run grid.ini > run.log 2>&1 || { tail -20 run.log; exit 1; }
/usr/bin/python3 "$src/tests/e2e/h5check.py" done results.h5 2
/usr/bin/python3 - results.h5 "$(cat hf/tensors)" "$work/hf" <<'PY'
import json, sys
import h5py
f = h5py.File(sys.argv[1], "r")
seen = 0
for key, g in f["runs"].items():
    a = g.attrs
    config = json.loads(a["config"])
    if a["kind"] in (b"teacher", "teacher"):
        init = config["init"]
        assert init["dir"] == sys.argv[3], init
        assert init["tensors_loaded"] == int(sys.argv[2]), init
        assert init["initialised"] == ["classifier.weight", "classifier.bias"], init
        seen += 1
    else:
        assert "init" not in config, config  # [teacher] init only
assert seen == 1
print("init: the teacher started from", sys.argv[2], "tensors of the directory, a fresh classifier")
PY
# Another checkpoint in the directory is another teacher (the key hashes config and weights).
before=$("$kdbench" plan grid.ini | grep -c 'teacher ')
key1=$("$kdbench" plan grid.ini | awk '$2 == "teacher" {print $1}')
cp grid.ini plan.ini
cp -r hf hf2 && printf ' ' >> hf2/config.json
sed -i "s|^init = .*|init = $work/hf2|" plan.ini
key2=$("$kdbench" plan plan.ini | awk '$2 == "teacher" {print $1}')
[[ $before -ge 1 && -n $key1 && $key1 != "$key2" ]] || { echo "init dir not in the key: $key1 $key2"; exit 1; }

expect_exit2() {  # NAME PATTERN
  set +e
  "$kdbench" run bad.ini > bad.out 2> bad.err
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || { echo "$1: exit $rc, want 2"; cat bad.err; exit 1; }
  [[ $(wc -l < bad.err) -eq 1 ]] || { echo "$1: not one line:"; cat bad.err; exit 1; }
  grep -q -- "$2" bad.err || { echo "$1: no '$2' in:"; cat bad.err; exit 1; }
  [[ ! -e bad.h5 ]] || { echo "$1: results written"; exit 1; }
}
sed -e "s|^init = .*|init = $work/bad|" -e "s|^results   = .*|results   = bad.h5|" \
    -e "s|^artifacts = .*|artifacts = bad-artifacts|" grid.ini > bad.ini
cp -r hf bad && truncate -s -100 bad/model.safetensors
expect_exit2 truncated-safetensors "bad/model.safetensors"
rm -rf bad && cp -r hf bad && sed -i 's/"hidden_size": 64/"hidden_size": 128/' bad/config.json
expect_exit2 other-architecture "hidden_size 128"
echo "init: bad directories refused with exit 2 and one line"
