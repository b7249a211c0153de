#!/usr/bin/python3
"""Prints qnnsim's speed and memory figures so anyone can reproduce them.

Each figure is the median wall time of several runs of the real `qnnsim run`
command pinned to one core, and the peak resident memory of that process.
Run after scripts/setup.sh:  /usr/bin/python3 scripts/benchmark.py
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_once(cmd):
    """Wall seconds and peak RSS (MiB) of one run of cmd."""
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"benchmark: {' '.join(cmd)} failed:\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024.0


def measure(binary, arch, workload, batch, repeats, json_out=None):
    cmd = [binary, "run", arch, workload, "--quiet", "--batch", str(batch)]
    if json_out:
        cmd += ["--json", json_out]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    runs = [run_once(cmd) for _ in range(repeats)]
    return statistics.median(w for w, _ in runs), max(m for _, m in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "qnnsim"))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    arch = os.path.join(ROOT, "arch", "systolic_ws.yaml")

    print("qnnsim benchmark: `qnnsim run` on arch/systolic_ws.yaml, one core, median of "
          f"{args.repeats} runs\n")
    print(f"{'workload':<16} {'batch':>5} {'MACs':>14} {'wall s':>8} {'peak MiB':>9} {'sim cycles':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        rows = [("resnet18_cifar", 1), ("vgg_small", 1)]
        rows += [("resnet18_cifar", b) for b in (4, 16, 64)]
        base = None
        for name, batch in rows:
            wl = os.path.join(ROOT, "workloads", name + ".yaml")
            wall, mem = measure(args.binary, arch, wl, batch, args.repeats, out)
            with open(out) as f:
                summary = json.load(f)["summary"]
            print(f"{name:<16} {batch:>5} {summary['macs']:>14,} {wall:>8.3f} {mem:>9.1f} {summary['cycles']:>12,}")
            if name == "resnet18_cifar" and batch == 1:
                base = wall
            if name == "resnet18_cifar" and batch == 64:
                print(f"\nbatch 1 -> 64: MACs grow 64x, wall time grows {wall / base:.1f}x")

    # The mapper alone (`qnnsim map`), per layer; its own timer, one core.
    print("\nmapper search time (qnnsim map, EDP objective)")
    for name in ("alexnet", "vgg16", "resnet50", "mobilenet_v1"):
        cmd = [args.binary, "map", arch, os.path.join(ROOT, "workloads", name + ".yaml")]
        if shutil.which("taskset"):
            cmd = ["taskset", "-c", "0"] + cmd
        out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                             env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")).stdout
        line = [l for l in out.splitlines() if l.startswith("search time")][0]
        print(f"  {name:<14} {line[len('search time: '):]}")


if __name__ == "__main__":
    main()
