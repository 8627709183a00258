#!/usr/bin/python3
"""Writes small dataset files, valid or broken in one named way, for tests/e2e/bad_inputs.sh.

  make_bad_data.py idx DIR [DEFECT FILE]     tiny Fashion-MNIST IDX files (200 train, 60 test)
  make_bad_data.py cifar10|cifar100 DIR [DEFECT FILE]   tiny CIFAR binaries (20 train, 10 test)

DEFECT (applied to FILE, one of the files written):
  magic, truncated-header, truncated-data, trailing, empty, zero-rows, huge-count, huge-side,
  label-10, label-255, count-mismatch, shape-mismatch, bad-gzip (IDX);
  odd-size, empty, label-10, label-100, coarse-20 (CIFAR).
"""
import gzip
import os
import struct
import sys

IDX_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 200),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 60)}


def idx_images(count, rows=28, cols=28, magic=0x803, claimed=None):
    header = struct.pack(">IIII", magic, claimed if claimed is not None else count, rows, cols)
    return header + bytes((i * 7) % 256 for i in range(count * rows * cols))


def idx_labels(count, magic=0x801, label=None, claimed=None):
    header = struct.pack(">II", magic, claimed if claimed is not None else count)
    return header + bytes(label if label is not None and i == count // 2 else i % 10
                          for i in range(count))


def write_idx(directory, defect, target):
    files = {}
    for images, labels, count in IDX_FILES.values():
        files[images] = idx_images(count)
        files[labels] = idx_labels(count)
    if defect:
        count = 200 if target.startswith("train") else 60
        is_images = "images" in target
        data = files[target]
        if defect == "magic":
            data = struct.pack(">I", 0x00000804) + data[4:]
        elif defect == "truncated-header":
            data = data[:6]
        elif defect == "truncated-data":
            data = data[:len(data) // 2]
        elif defect == "trailing":
            data = data + b"\0" * 5
        elif defect == "empty":
            data = b""
        elif defect == "zero-rows":
            data = idx_images(0, 0, 28)
        elif defect == "huge-count":  # claims 2^30 images (840 GB) in a small file
            data = (idx_images(count, claimed=1 << 30) if is_images else
                    idx_labels(count, claimed=1 << 30))
        elif defect == "huge-side":
            data = struct.pack(">IIII", 0x803, count, 1 << 15, 1 << 15) + b"\0" * 1000
        elif defect == "label-10":
            data = idx_labels(count, label=10)
        elif defect == "label-255":
            data = idx_labels(count, label=255)
        elif defect == "count-mismatch":
            data = idx_labels(count - 1)
        elif defect == "shape-mismatch":
            data = idx_images(count, 27, 28)
        elif defect == "bad-gzip":
            del files[target]
            target += ".gz"
            data = b"\x1f\x8b\x08\x00garbage that is no deflate stream" * 3
        else:
            sys.exit("unknown IDX defect " + defect)
        files[target] = data
    for name, data in files.items():
        with open(os.path.join(directory, name), "wb") as out:
            out.write(data)


def cifar_records(count, cifar100, label=None, coarse=None):
    out = bytearray()
    for i in range(count):
        fine = label if label is not None and i == count - 1 else i % 10
        if cifar100:
            out += bytes([coarse if coarse is not None and i == count - 1 else i % 20, fine])
        else:
            out += bytes([fine])
        out += bytes((i + j) % 256 for j in range(3072))
    return bytes(out)


def write_cifar(directory, cifar100, defect, target):
    if cifar100:
        sub, names = "cifar-100-binary", {"train.bin": 20, "test.bin": 10}
    else:
        sub = "cifar-10-batches-bin"
        names = {"data_batch_%d.bin" % i: 4 for i in range(1, 6)}
        names["test_batch.bin"] = 10
    os.makedirs(os.path.join(directory, sub), exist_ok=True)
    for name, count in names.items():
        data = cifar_records(count, cifar100)
        if defect and name == target:
            if defect == "odd-size":
                data = data[:-100]
            elif defect == "empty":
                data = b""
            elif defect in ("label-10", "label-100"):
                data = cifar_records(count, cifar100, label=int(defect.split("-")[1]))
            elif defect == "coarse-20":
                data = cifar_records(count, cifar100, coarse=20)
            else:
                sys.exit("unknown CIFAR defect " + defect)
        with open(os.path.join(directory, sub, name), "wb") as out:
            out.write(data)


def main():
    kind, directory = sys.argv[1], sys.argv[2]
    defect, target = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else (None, None)
    os.makedirs(directory, exist_ok=True)
    if kind == "idx":
        write_idx(directory, defect, target)
    else:
        write_cifar(directory, kind == "cifar100", defect, target)


if __name__ == "__main__":
    main()
