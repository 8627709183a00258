#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (checked in; rerun after
a format or fixture changes). Seeds are small valid inputs in each target's input layout (see the
comment at the top of fuzz_<target>.cpp), taken from the shipped grids and the test fixtures, so
the fuzzer starts from inputs that reach deep into the parser instead of rediscovering the format.
"""
import gzip
import json
import pathlib
import shutil
import struct

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "fuzz" / "corpus"


def write(target, name, data):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def gz(data):
    return gzip.compress(data, mtime=0)


def idx_images(count, rows, cols):
    pixels = bytes((i * 37 + 11) % 256 for i in range(count * rows * cols))
    return struct.pack(">IIII", 0x803, count, rows, cols) + pixels


def idx_labels(labels):
    return struct.pack(">II", 0x801, len(labels)) + bytes(labels)


def idx_input(images, labels):
    # Two bytes give the split point between the images file and the labels file.
    return struct.pack(">H", len(images)) + images + labels


def cifar_records(count, cifar100):
    out = b""
    for i in range(count):
        labels = bytes([i % 20, i % 100]) if cifar100 else bytes([i % 10])
        out += labels + bytes((i + p) % 256 for p in range(3072))
    return out


def safetensors(tensors, metadata=None):
    # tensors: (name, dtype, shape, raw bytes), laid out one after another.
    header, data = {}, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def main():
    shutil.rmtree(corpus, ignore_errors=True)
    images, labels = idx_images(3, 4, 5), idx_labels([0, 9, 4])
    write("idx", "raw", idx_input(images, labels))
    write("idx", "gzip", idx_input(gz(images), gz(labels)))
    write("idx", "gzip_images_raw_labels", idx_input(gz(images), labels))
    write("idx", "one_pixel", idx_input(idx_images(1, 1, 1), idx_labels([3])))
    write("idx", "bad_label", idx_input(idx_images(1, 2, 2), idx_labels([10])))

    write("cifar", "cifar10", b"\x00" + cifar_records(1, False))
    write("cifar", "cifar100", b"\x01" + cifar_records(1, True))
    write("cifar", "cifar10_gzip", b"\x00" + gz(cifar_records(2, False)))
    write("cifar", "cifar100_gzip_two_files",
          b"\x03" + gz(cifar_records(1, True)) + gz(cifar_records(1, True)))

    for ini in sorted((root / "suite" / "grids").glob("*.ini")):
        write("grid", ini.stem, ini.read_bytes())

    jsonl = root / "tests" / "unit" / "results" / "data" / "schema1_71ab462.jsonl"
    records = [json.loads(line) for line in jsonl.read_text().splitlines() if line.strip()]
    for n, record in enumerate(records):
        write("results", f"schema1_{n}", json.dumps(record).encode())
    # Today's record: the fields added since schema 1 as well.
    current = dict(records[0], device_name="cpu", device_memory=0,
                   gang={"size": 2, "ranks": [1, 2], "hosts": ["a", "b"]})
    write("results", "current", json.dumps(current).encode())

    write("safetensors", "every_dtype", safetensors([
        ("w", "F32", [2, 2], struct.pack("<4f", 1, -2, 0.5, 3)),
        ("h", "F16", [2], struct.pack("<2H", 0x3E00, 0xB400)),
        ("b", "BF16", [1, 2], struct.pack("<2H", 0x3FC0, 0xC040)),
        ("position_ids", "I64", [1, 3], struct.pack("<3q", 0, 1, 2))], {"format": "pt"}))
    write("safetensors", "scalar_and_empty", safetensors([
        ("s", "F32", [], struct.pack("<f", 0.125)), ("e", "F16", [0], b"")]))

    header = b"dataset,teacher,student,method,assistants,accuracy,source\n"
    write("paper_numbers", "quoted_and_comments",
          b"# typed from the papers\r\n" + header +
          b'glue-sst2,*,bert-L4-H512,annealing,,89.6,"Annealing-KD, Tab. 3"\r\n'
          b'cifar10,resnet110,resnet8,takd,resnet56 resnet20,88.9,"a ""quoted"" name"\n')
    write("paper_numbers", "header_only", header)
    write("paper_numbers", "duplicate", header + b"c,t,s,kd,,1,x\nc,t,s,kd,,2,y\n")

    # text: a max_length byte, then a mail (every path of parse_mail) or plain text.
    write("text", "plain_mail", b"\x10From a@b  Thu Aug 22 2002\nSubject: Re: =?iso-8859-1?Q?Caf=E9?=\n"
          b"\t=?utf-8?B?w6k=?=\nFrom: a@b\n\nHello, my dog is cute.\n")
    write("text", "multipart_mail",
          b"\x20Subject: spam\nContent-Type: multipart/mixed; boundary=\"outer\"\n\n--outer\n"
          b"Content-Type: multipart/alternative; boundary=inner\n\n--inner\n"
          b"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
          b"na=EFve =93quoted=94 soft=\nbreak\n--inner\nContent-Type: text/html\n"
          b"Content-Transfer-Encoding: base64\n\nPHA+SGkgJmFtcDsgYnllPC9wPg==\n--inner--\n--outer\n"
          b"Content-Type: message/rfc822\n\nSubject: inner\n\n<b>x</b> &#233;\n--outer--\n")
    write("text", "html_mail", b"\x08Subject: h\nContent-Type: text/html\n\n<html><style>p{}</style>"
          b"<script>a<b</script><!-- c --><p>Buy&nbsp;n\xf6w &#x263A; &lt;3</p></html>\n")
    write("text", "unicode_text", "\x05H\u00e9ll\u00f2 \u039f\u0394\u039f\u03a3 \u4e2d\u6587 "
          "unwanted!! a[SEP]b \U0001F914\u200b\u3000x".encode() + b" \xff\xe4\xb8 \x00\x07")


if __name__ == "__main__":
    main()
