#!/usr/bin/python3
"""Checks qnnsim's level analysis against Timeloop's published reference outputs.

For each design in configs/validation/timeloop (a Timeloop example design and
the mapping Timeloop's mapper chose, written as a qnnsim level design), runs
`qnnsim levels --json` and compares every level's reads, fills and updates
per tensor, every level's energy, the cycles and the total energy with the
figures of the matching *_reference.yaml (Timeloop's timeloop-mapper.stats.txt,
source cited in each file). Writes configs/validation/timeloop/results.md.

Where qnnsim counts differently on purpose (README, "Accounting rules"):
  - padding is not fetched: input counts that touch the image's border are
    smaller than Timeloop's, which sizes the input as if the padding were data;
  - a buffer keeps the overlap (halo) of the block it held before whichever
    loop moved; Timeloop keeps it only when the innermost loop moved;
  - drain reads (a level reading outputs to send them up) are reported apart
    and not in the energy compared here, as Timeloop does not count them.
  - a cluster of instances sharing one wide access is laid out by numbering
    instances through the fan-outs, not along Timeloop's X/Y meshes; a level
    this changes states its own energy_tolerance and energy_rule.
So weights and outputs must match exactly, inputs within INPUT_TOLERANCE,
level energies within ENERGY_TOLERANCE (or the level's own, with its rule)
and cycles within CYCLE_TOLERANCE.
Exits non-zero when a figure is outside its tolerance.
Run after scripts/setup.sh:  /usr/bin/python3 scripts/validate_timeloop.py
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, "configs", "validation", "timeloop")
INPUT_TOLERANCE = 0.05   # the padding and halo rules above; the largest seen is stated in results.md
ENERGY_TOLERANCE = 0.02  # per level and in total (issue 14)
CYCLE_TOLERANCE = 0.05
TENSORS = ("weights", "inputs", "outputs")
COUNTS = ("reads", "fills", "updates")


def run_levels(binary, design):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "levels.json")
        done = subprocess.run([binary, "levels", design, "--json", out], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"validate_timeloop: qnnsim levels {design} failed:\n{done.stderr}")
        with open(out) as f:
            return json.load(f)


def ratio(ours, theirs):
    if theirs == 0:
        return 1.0 if ours == 0 else float("inf")
    return ours / theirs


def compare(design_name, ours, ref):
    """Rows of (what, timeloop, qnnsim, ratio, ok) for one design."""
    rows = []
    levels = {l["name"]: l for l in ours["levels"]}
    for name, want in ref["levels"].items():
        got = levels.get(name)
        if got is None:
            sys.exit(f"validate_timeloop: {design_name}: no level '{name}' in the qnnsim output")
        for tensor in TENSORS:
            if tensor not in want:
                continue
            for count in COUNTS:
                t, q = want[tensor][count], got["tensors"][tensor][count]
                limit = INPUT_TOLERANCE if tensor == "inputs" else 0.0
                rows.append((f"{name} {tensor} {count}", t, q, ratio(q, t), abs(ratio(q, t) - 1) <= limit))
        t, q = want["energy_pj"], got["energy_pj"]
        # A level whose energy follows a rule qnnsim does not share says which, and its own tolerance.
        limit = want.get("energy_tolerance", ENERGY_TOLERANCE)
        rule = f" ({want['energy_rule']})" if "energy_rule" in want else ""
        rows.append((f"{name} energy pJ{rule}", t, q, ratio(q, t), abs(ratio(q, t) - 1) <= limit))
    t, q = ref["compute_energy_pj"], ours["compute"]["energy_pj"]
    rows.append(("compute energy pJ", t, q, ratio(q, t), abs(ratio(q, t) - 1) <= ENERGY_TOLERANCE))
    rows.append(("computes", ref["computes"], ours["computes"], ratio(ours["computes"], ref["computes"]),
                 ours["computes"] == ref["computes"]))
    t, q = ref["cycles"], ours["cycles"]
    rows.append(("cycles", t, q, ratio(q, t), abs(ratio(q, t) - 1) <= CYCLE_TOLERANCE))
    t, q = ref["energy_pj"], ours["energy_pj"]
    # Timeloop prints the total to 0.01 uJ, so the comparison allows for that rounding.
    rows.append(("total energy pJ", t, q, ratio(q, t), abs(q - t) <= ENERGY_TOLERANCE * t + 5e3))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qnnsim", default=os.path.join(ROOT, "build", "qnnsim"))
    parser.add_argument("--out", default=os.path.join(FOLDER, "results.md"))
    args = parser.parse_args()

    lines = ["# qnnsim's level analysis beside Timeloop's reference outputs", "",
             "Written by scripts/validate_timeloop.py; the rules behind each tolerance are in its docstring",
             "and in the README (Accounting rules). Source of the Timeloop figures: the",
             "Accelergy-Project/timeloop-accelergy-exercises repository, commit 67b75f24.", ""]
    failures = 0
    for ref_path in sorted(glob.glob(os.path.join(FOLDER, "*_reference.yaml"))):
        with open(ref_path) as f:
            ref = yaml.safe_load(f)
        design = os.path.join(FOLDER, ref["design"])
        rows = compare(ref["design"], run_levels(args.qnnsim, design), ref)
        lines += [f"## {ref['design']}", "", "| figure | Timeloop | qnnsim | ratio |", "|---|---:|---:|---:|"]
        for what, t, q, r, ok in rows:
            mark = "" if ok else " **outside tolerance**"
            lines.append(f"| {what} | {t:,.0f} | {q:,.0f} | {r:.4f}{mark} |")
            if not ok:
                failures += 1
                print(f"validate_timeloop: {ref['design']}: {what}: Timeloop {t:,.2f}, qnnsim {q:,.2f} (ratio {r:.4f})",
                      file=sys.stderr)
        lines.append("")
    with open(args.out + ".tmp", "w") as f:
        f.write("\n".join(lines))
    os.replace(args.out + ".tmp", args.out)
    print(f"validate_timeloop: wrote {os.path.relpath(args.out, ROOT)}; {failures} figure(s) outside tolerance")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
