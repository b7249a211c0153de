#!/usr/bin/python3
"""Eyeriss v1 as a level design (arch/levels/eyeriss_v1.yaml) on AlexNet.

Runs the level mapper on AlexNet's CONV layers at batch 4 (minimising the
energy-delay product) and writes configs/validation/eyeriss_v1_levels.md:
per layer, the PEs the chosen mapping uses, the global buffer's and DRAM's
traffic and the compute time at 200 MHz, beside the published figures of
configs/validation/eyeriss_v1_alexnet.yaml (Chen et al., JSSC 2017, Table V).

The published figures come from the chip's own row-stationary mappings; the
mapper chooses its own, so the comparison is reported, not held. What --check
holds is what the design promises whatever the mapping: every level's blocks
within its size and the buffer's split (100 KB inputs and partial sums, 8 KB
filters), DRAM traffic at least each tensor once, and the layer's MACs.
Exits non-zero when one of those fails.
Run after scripts/setup.sh:  /usr/bin/python3 scripts/eyeriss_levels.py
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DESIGN = os.path.join(ROOT, "arch", "levels", "eyeriss_v1.yaml")
PUBLISHED = os.path.join(ROOT, "configs", "validation", "eyeriss_v1_alexnet.yaml")
OUT = os.path.join(ROOT, "configs", "validation", "eyeriss_v1_levels.md")
CLOCK_HZ = 200e6   # core clock of the published table (JSSC 2017)
VALUE_BYTES = 2    # 16-bit values; the published traffic counts 16-bit accesses
COUNTS = ("reads", "fills", "updates", "drains")


def run(binary, workload, batch):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "levels.json")
        cmd = [binary, "levels", DESIGN, "--search", "--workload", workload, "--batch", str(batch),
               "--objective", "edp", "--json", out]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"eyeriss_levels: {' '.join(cmd[1:])} failed:\n{done.stderr}")
        with open(out) as f:
            return json.load(f)


def traffic_mb(level):
    return sum(t[c] for t in level["tensors"].values() for c in COUNTS) * VALUE_BYTES / 1e6


def check(layer, design, problems):
    """The design's promises for one mapped layer; appends what breaks."""
    levels = {l["name"]: l for l in layer["levels"]}
    for spec in design["levels"]:
        blocks = {t: v["block"] for t, v in levels[spec["name"]].get("tensors", {}).items()}
        if "size" in spec and sum(blocks.values()) > spec["size"]:
            problems.append(f"{layer['name']}: {spec['name']} holds {sum(blocks.values())} values, size {spec['size']}")
        for part in spec.get("partitions", []):
            held = sum(blocks.get(t, 0) for t in part["keeps"])
            if held > part["size"]:
                problems.append(f"{layer['name']}: {spec['name']} holds {held} values of {'+'.join(part['keeps'])}, "
                                f"partition {part['size']}")
    # DRAM sends every weight and input at least once and takes every output once.
    dram = levels[design["levels"][0]["name"]]["tensors"]
    for t in ("weights", "inputs"):
        if dram[t]["reads"] < dram[t]["block"]:
            problems.append(f"{layer['name']}: DRAM sends {dram[t]['reads']} {t}, fewer than the {dram[t]['block']} there are")
    if dram["outputs"]["updates"] < dram["outputs"]["block"]:
        problems.append(f"{layer['name']}: DRAM takes {dram['outputs']['updates']} outputs of {dram['outputs']['block']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qnnsim", default=os.path.join(ROOT, "build", "qnnsim"))
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--check", action="store_true", help="exit non-zero if a promise of the design breaks")
    args = ap.parse_args()
    with open(PUBLISHED) as f:
        published = yaml.safe_load(f)
    with open(DESIGN) as f:
        design = yaml.safe_load(f)
    result = run(args.qnnsim, os.path.join(ROOT, published["workload"]), published["batch"])
    layers = {l["name"]: l for l in result["layers"]}
    problems = []
    rows = ["| layer | active PEs | GLB MB | DRAM MB | compute ms | total ms | bound | mapping (EDP) |",
            "|---|---|---|---|---|---|---|---|"]
    for name, pub in published["layers"].items():
        layer = layers[name]
        check(layer, design, problems)
        macs = layer["computes"]
        published_macs = float(pub["macs"])  # YAML reads 0.42e9 as text
        if abs(macs - published_macs) > 0.005e9:  # the published MACs are rounded to 0.01 G
            problems.append(f"{name}: {macs} MACs, published {published_macs:.3g}")
        levels = {l["name"]: l for l in layer["levels"]}
        sim = {"active_pes": layer["compute"]["instances_used"], "glb_mb": traffic_mb(levels["glb"]),
               "dram_mb": traffic_mb(levels["dram"]), "compute_ms": layer["compute_cycles"] / CLOCK_HZ * 1e3,
               "total_ms": layer["cycles"] / CLOCK_HZ * 1e3}
        cells = []
        for key, pkey, fmt in (("active_pes", "active_pes", "{:.0f}"), ("glb_mb", "glb_mb", "{:.1f}"),
                               ("dram_mb", "dram_mb", "{:.2f}"), ("compute_ms", "processing_ms", "{:.1f}"),
                               ("total_ms", "total_ms", "{:.1f}")):
            err = sim[key] / pub[pkey] - 1
            cells.append(f"{fmt.format(sim[key])} / {fmt.format(pub[pkey])} ({err:+.0%})")
        rows.append(f"| {name} | " + " | ".join(cells) + f" | {layer['bound']} | `" + layer["mapping"].replace(" | ", " / ")
                    + "` |")
    text = "\n".join([
        "# Eyeriss v1 as a level design on AlexNet",
        "",
        "Written by `scripts/eyeriss_levels.py`; do not edit by hand. Run: `qnnsim levels "
        "arch/levels/eyeriss_v1.yaml --search --workload workloads/alexnet.yaml --batch 4 --objective edp`. "
        "Each cell is *simulated / published (error)*; published: Chen et al., IEEE JSSC 2017, Table V, "
        "as recorded in `eyeriss_v1_alexnet.yaml`.",
        "",
        *rows,
        "",
        "- active PEs: the compute units the mapping uses.",
        "- GLB and DRAM: every read, fill, update and drain of 16-bit values, in MB (the published columns "
        "count 16-bit accesses). DRAM traffic is not run-length coded here; the chip's is.",
        "- compute ms: the mapping's steps at 200 MHz, beside the published processing time (DRAM hidden); "
        "total ms: as long as the slower of those steps and DRAM's 64-bit bus (one word a cycle, transfers "
        "overlapping computation), beside the published total; bound: which of the two sets it.",
        "",
        "The chip runs its own row-stationary mappings; the mapper chooses its own within the dimensions the "
        "array may spread, so where a mapping differs the traffic differs with it. Reported, not held.",
        "",
    ])
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    print(text)
    if args.check and problems:
        sys.exit("eyeriss_levels: " + "; ".join(problems))


if __name__ == "__main__":
    main()
