#!/usr/bin/python3
"""Energy per inference and latency of one network at several bit widths.

Runs `qnnsim run` with `--bits` setting weights, inputs and outputs to each
width (1 bit runs as a 1-bit uniform code), on the systolic and Eyeriss
configs and on a variant of the systolic one whose PEs are Bit Fusion-style
fused MACs (16 2x2-bit bricks, so 8x8 bits at most), and prints a table. A
width a MAC class cannot execute prints why instead of figures. Then the
mixed-precision VGG-7 trace on the same architectures.

Run after scripts/setup.sh:  /usr/bin/python3 scripts/precision_sweep.py [--workload resnet18]
"""
import argparse
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYSTOLIC_MAC = ("mac:\n      class: IntMAC\n      weight_bits: 8\n      input_bits: 8\n"
                "      accumulator_bits: 32  # TPU v1 accumulates in 32 bits")
FUSED_MAC = "mac:\n      class: BitFusionMAC\n      bricks: 16\n      accumulator_bits: 32"


def architectures(tmp):
    """(label, arch path, accumulator bits) of the three designs."""
    with open(os.path.join(ROOT, "arch", "systolic_ws.yaml")) as f:
        systolic = f.read()
    if SYSTOLIC_MAC not in systolic:
        raise SystemExit("precision_sweep: arch/systolic_ws.yaml no longer has the MAC block this script replaces")
    fused = os.path.join(tmp, "systolic_fused.yaml")
    with open(fused, "w") as f:
        f.write(systolic.replace("name: systolic_ws", "name: systolic_fused").replace(SYSTOLIC_MAC, FUSED_MAC)
                .replace("energy_table: horowitz_45nm", f"energy_table: {ROOT}/configs/energy/horowitz_45nm.yaml"))
    return [("systolic_ws (int8 MACs)", os.path.join(ROOT, "arch", "systolic_ws.yaml"), 32),
            ("systolic, fused 2x2 bricks", fused, 32),
            ("eyeriss_v1 (16-bit MACs)", os.path.join(ROOT, "arch", "eyeriss_v1.yaml"), 16)]


def run(arch, workload, bits, acc, out):
    cmd = [os.path.join(ROOT, "build", "qnnsim"), "run", arch, workload, "--quiet", "--json", out,
           "--bits", f"accumulator={acc}"]
    if bits:
        cmd += [arg for t in ("weights", "inputs", "outputs") for arg in ("--bits", f"{t}={bits}")]
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return None, done.stderr.strip().split("': ")[-1].split(" (architecture")[0]
    with open(out) as f:
        return json.load(f)["summary"], None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="resnet18")
    args = parser.parse_args()
    workload = os.path.join(ROOT, "workloads", args.workload + ".yaml")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        archs = architectures(tmp)
        print(f"{args.workload}, batch 1: energy per inference and latency by bit width (weights, inputs, outputs)\n")
        print(f"{'architecture':<28} {'bits':>4} {'energy mJ':>10} {'latency ms':>11} {'DRAM MB':>8}")
        for label, arch, acc in archs:
            for bits in (16, 8, 4, 2, 1):
                s, why = run(arch, workload, bits, acc, out)
                if s is None:
                    print(f"{label:<28} {bits:>4}  not executable: {why}")
                    continue
                print(f"{label:<28} {bits:>4} {s['energy_pj'] / 1e9:>10.3f} {s['latency_s'] * 1e3:>11.3f} "
                      f"{s['dram_bytes'] / 1e6:>8.2f}")
        print("\nvgg7_mixed (8-4-2-1-1-1 bits over its convolutions), batch 1")
        print(f"{'architecture':<28} {'energy mJ':>10} {'latency ms':>11} {'DRAM MB':>8}")
        for label, arch, acc in archs:
            s, why = run(arch, os.path.join(ROOT, "workloads", "vgg7_mixed.yaml"), None, acc, out)
            if s is None:
                print(f"{label:<28}  not executable: {why}")
                continue
            print(f"{label:<28} {s['energy_pj'] / 1e9:>10.3f} {s['latency_s'] * 1e3:>11.3f} {s['dram_bytes'] / 1e6:>8.2f}")


if __name__ == "__main__":
    main()
