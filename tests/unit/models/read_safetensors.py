#!/usr/bin/python3
"""An independent reader for test_models' writer cases: parses a safetensors file with json and
struct only (no safetensors or torch package), checks the layout the format requires (8-byte
little-endian header length, JSON header, spans tiling the data buffer in order, the size of each
dtype times the shape) and prints per tensor its dtype, shape, element count and sum as JSON.

usage: read_safetensors.py FILE
"""
import json
import math
import struct
import sys

SIZES = {"F32": (4, "f"), "I64": (8, "q"), "F16": (2, "e")}


def main():
    raw = open(sys.argv[1], "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    covered, out = 0, {}
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = e["data_offsets"]
        assert begin == covered, f"{name}: starts at {begin}, previous tensor ended at {covered}"
        size, code = SIZES[e["dtype"]]
        count = math.prod(e["shape"])
        assert end - begin == size * count, f"{name}: span {end - begin} != {size} * {count}"
        values = struct.unpack(f"<{count}{code}", data[begin:end])
        out[name] = {"dtype": e["dtype"], "shape": e["shape"], "count": count,
                     "sum": float(sum(values))}
        covered = end
    assert covered == len(data), f"{len(data) - covered} data bytes belong to no tensor"
    print(json.dumps({"metadata": metadata, "tensors": out, "header_bytes": n}))


if __name__ == "__main__":
    main()
