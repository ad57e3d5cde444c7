#!/usr/bin/env python3
"""Runs bench/op_bench and prints, as a markdown table, each op's median
time in minitf and on the bare oneDNN primitive, and their ratio.

  python3 scripts/op_bench_ratios.py --bench build/bench/op_bench
  python3 scripts/op_bench_ratios.py --filter 'batch:64/' --min-time 0.2

Cases pair by name: BM_Minitf<Op>/<args> with BM_Onednn<Op>/<args>. A case
without a twin (a bare-only variant) gets a row with "-" on the other side.
Extra arguments after "--" go to the benchmark program as they are.
"""
import argparse
import json
import subprocess
import sys

_TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def run_bench(args):
    cmd = [
        args.bench,
        "--benchmark_format=json",
        f"--benchmark_repetitions={args.repetitions}",
        "--benchmark_report_aggregates_only=true",
        # Repetitions of different cases interleaved: a load change on the
        # shared machine hits both sides of a pair alike.
        "--benchmark_enable_random_interleaving=true",
    ]
    if args.filter:
        cmd.append(f"--benchmark_filter={args.filter}")
    if args.min_time is not None:
        cmd.append(f"--benchmark_min_time={args.min_time}")
    cmd += args.extra
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout)


def medians(report):
    """{(side, op, args): median ms} from the JSON's median aggregates."""
    result = {}
    for b in report["benchmarks"]:
        if b.get("aggregate_name") != "median" or b.get("error_occurred"):
            continue
        name = b["run_name"].removesuffix("/real_time")
        head, _, rest = name.partition("/")
        for side in ("Minitf", "Onednn"):
            prefix = "BM_" + side
            if head.startswith(prefix):
                op = head[len(prefix):]
                result[(side, op, rest)] = b["real_time"] * _TO_MS[b["time_unit"]]
    return result


def table(times):
    keys = sorted({(op, rest) for _, op, rest in times},
                  key=lambda k: (k[1].rsplit(":", 1)[-1].zfill(4), k))
    lines = ["| op | case | minitf ms | oneDNN ms | ratio |",
             "|---|---|---:|---:|---:|"]
    for op, rest in keys:
        m = times.get(("Minitf", op, rest))
        o = times.get(("Onednn", op, rest))
        ratio = f"{m / o:.2f}" if m is not None and o is not None else "-"
        fmt = lambda t: "-" if t is None else f"{t:.4f}" if t < 0.1 else f"{t:.3f}"
        lines.append(f"| {op} | {rest} | {fmt(m)} | {fmt(o)} | {ratio} |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", default="build/bench/op_bench")
    p.add_argument("--filter", default="", help="--benchmark_filter regex")
    p.add_argument("--repetitions", type=int, default=5)
    p.add_argument("--min-time", type=float, default=None,
                   help="--benchmark_min_time per repetition, seconds")
    p.add_argument("extra", nargs="*", help="after --: passed to the bench")
    args = p.parse_args()
    report = run_bench(args)
    ctx = report["context"]
    print(f"{ctx['date']}, {ctx['num_cpus']} CPUs, load average "
          f"{', '.join(f'{x:.2f}' for x in ctx.get('load_avg', []))}; "
          f"medians of {args.repetitions} repetitions\n")
    times = medians(report)
    if not times:
        sys.exit("no median aggregates in the benchmark's output")
    print(table(times))


if __name__ == "__main__":
    main()
