#!/usr/bin/env python3
"""Measures data-parallel scaling on this machine: bench/distributed_bench
alone (1 process x 1 thread) and under mpirun (N processes x 1 thread),
alternated --rounds times so that a load change hits both alike, and prints
the medians, the speedup of the job's images/s and the scaling efficiency
(speedup / N), with the collectives' time per step.

  python3 scripts/distributed_bench.py --bench build/bench/distributed_bench
  python3 scripts/distributed_bench.py --processes 2 --rounds 5 --steps 60
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def run(cmd, env):
    out = subprocess.run(cmd, env=env, check=True, capture_output=True,
                         text=True).stdout
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if len(lines) != 1:
        sys.exit(f"expected one JSON line from {' '.join(cmd)}, got:\n{out}")
    return json.loads(lines[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", default="build/bench/distributed_bench")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()

    env = dict(os.environ, OMP_NUM_THREADS="1")
    flags = [f"--steps={args.steps}", f"--batch={args.batch}", "--threads=1"]
    alone = [args.bench] + flags
    job = ["mpirun", "-np", str(args.processes), "--bind-to", "core",
           "-x", "OMP_NUM_THREADS"] + alone
    if os.geteuid() == 0:
        job.insert(1, "--allow-run-as-root")
    single, multi = [], []
    for _ in range(args.rounds):
        single.append(run(alone, env))
        multi.append(run(job, env))

    def median(runs, key):
        return statistics.median(r[key] for r in runs)

    one = median(single, "images_per_s")
    many = median(multi, "images_per_s")
    speedup = many / one
    print(f"| processes x threads | ms/step | images/s | allreduce agree "
          f"ms/step | allreduce transfer ms/step |")
    print("|---|---:|---:|---:|---:|")
    for name, runs in (("1 x 1", single), (f"{args.processes} x 1", multi)):
        print(f"| {name} | {median(runs, 'median_step_ms'):.1f} | "
              f"{median(runs, 'images_per_s'):.0f} | "
              f"{median(runs, 'agree_ms_per_step'):.2f} | "
              f"{median(runs, 'transfer_ms_per_step'):.2f} |")
    print(f"\nspeedup {speedup:.2f}x, scaling efficiency "
          f"{100 * speedup / args.processes:.1f}% (medians of {args.rounds} "
          f"alternated rounds of {args.steps} steps, batch {args.batch} per "
          f"process)")


if __name__ == "__main__":
    main()
