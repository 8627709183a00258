#!/usr/bin/python3
"""Markdown tables of scripts/bench.sh's logs.

  bench_tables.py steps OUT/steps.log   kdbench vs PyTorch samples/s per model, method, batch and
                                        threads: the median over the repetitions (each one the
                                        median window of one process) and the spread (min-max)
  bench_tables.py grid OUT/grid.log     the quickstart grid's wall and CPU time on both sides
  bench_tables.py grid-all OUT/grid-all.log OUT/grid-all.h5
                                        all-methods-fmnist the same way, and per task kind and
                                        method the seconds and test accuracy at the best
                                        validation epoch of both sides (kdbench's from its
                                        results file, bench/pytorch_grid.py's from its log)
  bench_tables.py roofline OUT/steps.log OUT/roofline.log
                                        achieved GFLOP/s of each model's nokd step against this
                                        CPU's FMA peak and sgemm (kdbench_roofline), and the
                                        step bench's peak RSS per model
"""
import os
import re
import statistics
import sys
from collections import defaultdict


def fail(message):
    print(f"bench_tables.py: {message}", file=sys.stderr)
    sys.exit(2)


def parse_steps(path):
    """{(alloc, model, method, batch, threads): {"kdbench": [rates], "pytorch": [rates]}}"""
    cells, order = defaultdict(lambda: defaultdict(list)), []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            fields = dict(t.split("=", 1) for t in line.split() if "=" in t)
            try:
                key = (fields["alloc"], fields["model"], fields["method"], int(fields["batch"]),
                       int(fields["threads"]))
                side = "kdbench" if fields["impl"] == "kdbench" else "pytorch"
                cells[key][side].append(float(fields["samples_per_s"]))
            except (KeyError, ValueError):
                fail(f"{path}:{number}: not a step-bench line: {line.strip()[:80]}")
            if key not in order:
                order.append(key)
    return cells, order


def summary(rates):
    if not rates:
        return "—", None
    m = statistics.median(rates)
    return f"{m:.0f} ({min(rates):.0f}–{max(rates):.0f})", m


def steps_table(path):
    cells, order = parse_steps(path)
    reps = max(len(v) for c in cells.values() for v in c.values())
    print(f"Training-step samples/s, median over {reps} alternating repetitions (min–max); "
          "allocator thresholds 1 GiB on both sides (as kdbench sets them):\n")
    print("| model | method | batch | threads | kdbench | PyTorch | kdbench / PyTorch |")
    print("|---|---|---|---|---|---|---|")
    for key in order:
        alloc, model, method, batch, threads = key
        if alloc != "heap" or method == "data":
            continue
        (k_text, k), (p_text, p) = summary(cells[key]["kdbench"]), summary(cells[key]["pytorch"])
        ratio = f"{k / p:.2f}" if k and p else "—"
        print(f"| {model} | {method} | {batch} | {threads} | {k_text} | {p_text} | {ratio} |")
    data_rows = [k for k in order if k[2] == "data"]
    if data_rows:
        print("\nkdbench's data path alone (train::batch, and crop + flip for images), 1 thread, "
              "against its nokd training step:\n")
        print("| model | batch | data path samples/s | nokd step samples/s | data path share of "
              "the step |")
        print("|---|---|---|---|---|")
    for key in data_rows:
        (d_text, d), (n_text, n) = (summary(cells[key]["kdbench"]),
                                    summary(cells[key[:2] + ("nokd",) + key[3:]]["kdbench"]))
        share = f"{100 * n / d:.1f} %" if d and n else "—"
        print(f"| {key[1]} | {key[3]} | {d_text} | {n_text} | {share} |")
    print("\nThe allocator setting (nokd, 1 thread): samples/s with the thresholds at 1 GiB (heap) "
          "and at glibc's defaults (default):\n")
    print("| model | batch | kdbench heap | kdbench default | PyTorch heap | PyTorch default "
          "| ratio heap | ratio default |")
    print("|---|---|---|---|---|---|---|---|")
    for key in order:
        alloc, model, method, batch, threads = key
        heap_key = ("heap",) + key[1:]
        if alloc != "default" or heap_key not in cells:
            continue
        values = [summary(cells[k][side]) for k in (heap_key, key) for side in ("kdbench", "pytorch")]
        (kh_t, kh), (ph_t, ph), (kd_t, kd), (pd_t, pd) = values
        ratio = lambda a, b: f"{a / b:.2f}" if a and b else "—"
        print(f"| {model} | {batch} | {kh_t} | {kd_t} | {ph_t} | {pd_t} | {ratio(kh, ph)} "
              f"| {ratio(kd, pd)} |")


def parse_grid_log(path):
    """({side: (wall s, CPU s, peak RSS MiB)}, [bench/pytorch_grid.py's task lines])"""
    totals, tasks = {}, []
    pattern = re.compile(r"^(kdbench|pytorch) total: wall ([\d.]+) s, cpu ([\d.]+)\+([\d.]+) s, "
                         r"peak rss[a-z ]* (\d+) KiB")
    with open(path) as f:
        for line in f:
            m = pattern.match(line)
            if m:
                totals[m[1]] = (float(m[2]), float(m[3]) + float(m[4]), int(m[5]) / 1024)
            elif line.startswith(("teacher ", "assistant ", "student ")):
                tasks.append(line.strip())
    for side in ("kdbench", "pytorch"):
        if side not in totals:
            fail(f"{path}: no '{side} total' line (did that run fail? read the log)")
    return totals, tasks


def totals_rows(name, totals):
    print(f"| {name} | wall s | CPU s | peak RSS MiB |")
    print("|---|---|---|---|")
    for side, label in (("kdbench", "kdbench, mpirun -np 2, 1 thread per rank"),
                        ("pytorch", "PyTorch script, one process, one thread per core")):
        wall, cpu, rss = totals[side]
        print(f"| {label} | {wall:.0f} | {cpu:.0f} | {rss:.0f} |")
    (kw, kc, _), (pw, pc, _) = totals["kdbench"], totals["pytorch"]
    print(f"\nPyTorch / kdbench: wall {pw / kw:.2f}x, CPU {pc / kc:.2f}x\n")


def grid_table(path):
    totals, tasks = parse_grid_log(path)
    totals_rows("quickstart grid (8 tasks)", totals)
    for t in tasks:
        print(f"    {t}")


# A task line of bench/pytorch_grid.py --grid all-methods-fmnist: "teacher cnn8 seed 1: ...",
# "assistant cnn4 takd from cnn8 seed 2: ...", "student cnn2 nokd seed 1: ...",
# "student cnn2 dkd from cnn8 seed 3: 41.0 s, test 85.12".
TASK_LINE = re.compile(r"^(teacher|assistant|student) (\S+)(?: (\S+))?(?: from (\S+))? seed (\d+): "
                       r"([\d.]+) s, test ([\d.]+)$")


def grid_all_table(log_path, h5_path):
    os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")  # kdbench's readers open it so too
    import h5py  # only this table reads HDF5 (Debian's python3-h5py)

    totals, lines = parse_grid_log(log_path)
    # (kind, model, method, teacher) -> {"kdbench"|"pytorch": {seed: (seconds, test %)}}
    cells, order = defaultdict(lambda: defaultdict(dict)), []
    for line in lines:
        m = TASK_LINE.match(line)
        if not m:
            fail(f"{log_path}: not a task line of pytorch_grid.py: {line[:80]}")
        key = (m[1], m[2], m[3] or "-", m[4] or "-")
        cells[key]["pytorch"][int(m[5])] = (float(m[6]), float(m[7]))
        if key not in order:
            order.append(key)
    with h5py.File(h5_path, "r") as f:
        for name, run in f["runs"].items():
            a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in run.attrs.items()}
            if a["status"] != "DONE":
                fail(f"{h5_path}: run {name} is {a['status']}, not DONE")
            key = (a["kind"], a["model"], a["method"] or "-", a["teacher_model"] or "-")
            cells[key]["kdbench"][int(a["seed"])] = (float(a["wall_seconds"]),
                                                     100 * float(a["test_acc_at_best_val"]))
            if key not in order:
                order.append(key)
    for key in order:
        k, p = cells[key]["kdbench"], cells[key]["pytorch"]
        if sorted(k) != sorted(p):
            fail(f"{' '.join(key)}: kdbench ran seeds {sorted(k)}, PyTorch {sorted(p)}: not the same grid")
    tasks = sum(len(c["kdbench"]) for c in cells.values())
    totals_rows(f"all-methods-fmnist grid ({tasks} tasks)", totals)
    print("Per task, summed seconds over the seeds (kdbench: the run's own wall time on its rank) "
          "and mean test accuracy at the best validation epoch:\n")
    print("| task | method | teacher | seeds | kdbench s | PyTorch s | kdbench test % "
          "| PyTorch test % |")
    print("|---|---|---|---|---|---|---|---|")
    for key in order:
        kind, model, method, teacher = key
        k, p = cells[key]["kdbench"], cells[key]["pytorch"]
        total = lambda side, i: sum(v[i] for v in side.values())
        print(f"| {kind} {model} | {method} | {teacher} | {len(k)} | {total(k, 0):.0f} "
              f"| {total(p, 0):.0f} | {total(k, 1) / len(k):.2f} | {total(p, 1) / len(p):.2f} |")


def parse_roofline(path):
    """{("fma", threads): gflops, ("sgemm", threads, n): gflops}, medians over repetitions"""
    values = defaultdict(list)
    with open(path) as f:
        for number, line in enumerate(f, 1):
            fields = dict(t.split("=", 1) for t in line.split() if "=" in t)
            if fields.get("impl") == "kdbench":
                continue  # a step-bench line (the resnet110 RSS run), read by roofline_table
            try:
                if fields["impl"] != "roofline":
                    raise KeyError
                key = ((fields["kind"], int(fields["threads"])) if fields["kind"] == "fma" else
                       (fields["kind"], int(fields["threads"]), int(fields["n"])))
                values[key].append(float(fields["gflop_per_s"]))
            except (KeyError, ValueError):
                fail(f"{path}:{number}: not a kdbench_roofline line: {line.strip()[:80]}")
    return {k: statistics.median(v) for k, v in values.items()}, values


def roofline_table(steps_path, roofline_path):
    ceilings, _ = parse_roofline(roofline_path)
    isa = ""
    with open(roofline_path) as f:
        isa = next((t.split("=", 1)[1] for line in f for t in line.split() if t.startswith("isa=")),
                   "?")
    sizes = sorted({k[2] for k in ceilings if k[0] == "sgemm"})
    print(f"This CPU's ceilings, GFLOP/s (median over repetitions; FMA peak with {isa}):\n")
    print("| threads | FMA peak | " + " | ".join(f"sgemm {n}" for n in sizes) + " |")
    print("|---|---|" + "---|" * len(sizes))
    for t in sorted({k[1] for k in ceilings}):
        row = [f"{ceilings.get(('sgemm', t, n), float('nan')):.1f}" for n in sizes]
        print(f"| {t} | {ceilings.get(('fma', t), float('nan')):.1f} | " + " | ".join(row) + " |")
    gflops, rss, order = defaultdict(lambda: defaultdict(list)), defaultdict(float), []
    step_lines = []
    for path in (steps_path, roofline_path):
        with open(path) as f:
            step_lines += [(path, number, line) for number, line in enumerate(f, 1)]
    for path, number, line in step_lines:
        fields = dict(t.split("=", 1) for t in line.split() if "=" in t)
        if fields.get("impl") == "roofline":
            continue
        if fields.get("alloc") != "heap" or fields.get("method") != "nokd":
            continue
        try:
            key = (fields["model"], int(fields["batch"]), int(fields["threads"]))
            side = "kdbench" if fields["impl"] == "kdbench" else "pytorch"
            rate = float(fields["samples_per_s"])
            if side == "kdbench":
                gflops[key]["flops_per_sample"].append(float(fields["flop_per_sample"]))
                rss[fields["model"]] = max(rss[fields["model"]], float(fields["peak_rss_mib"]))
            gflops[key][side].append(rate)
        except (KeyError, ValueError):
            fail(f"{path}:{number}: not a step-bench line with flop_per_sample: "
                 f"{line.strip()[:80]}")
        if key not in order:
            order.append(key)
    largest = sizes[-1] if sizes else None
    print("\nAchieved GFLOP/s of the nokd training step (3 forward passes' worth of "
          "multiply-adds per sample, models::forward_macs), median over repetitions, against "
          f"the ceilings at the same thread count (sgemm at n = {largest}):\n")
    print("| model | batch | threads | kdbench GFLOP/s | PyTorch GFLOP/s | kdbench % of FMA peak "
          "| kdbench % of sgemm |")
    print("|---|---|---|---|---|---|---|")
    for key in order:
        model, batch, threads = key
        flops = statistics.median(gflops[key]["flops_per_sample"]) if gflops[key][
            "flops_per_sample"] else None
        if flops is None:
            continue
        k = statistics.median(gflops[key]["kdbench"]) * flops / 1e9
        p = (statistics.median(gflops[key]["pytorch"]) * flops / 1e9
             if gflops[key]["pytorch"] else None)
        peak, gemm = ceilings.get(("fma", threads)), ceilings.get(("sgemm", threads, largest))
        pct = lambda a, b: f"{100 * a / b:.1f} %" if a and b else "—"
        p_text = f"{p:.2f}" if p else "—"
        print(f"| {model} | {batch} | {threads} | {k:.2f} | {p_text} | {pct(k, peak)} "
              f"| {pct(k, gemm)} |")
    print("\nPeak resident set of one kdbench_step_bench process per model (MiB; every method, "
          "batch and thread count it ran):\n")
    print("| model | peak RSS MiB |")
    print("|---|---|")
    for model, mib in rss.items():
        print(f"| {model} | {mib:.0f} |")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "roofline":
        roofline_table(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) == 4 and sys.argv[1] == "grid-all":
        grid_all_table(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) != 3 or sys.argv[1] not in ("steps", "grid"):
        fail("usage: bench_tables.py steps|grid LOG | roofline STEPS_LOG ROOFLINE_LOG "
             "| grid-all LOG RESULTS_H5")
    (steps_table if sys.argv[1] == "steps" else grid_table)(sys.argv[2])


if __name__ == "__main__":
    main()
