#!/usr/bin/python3
"""Checks that two qnnsim binaries give byte-identical reports.

A change meant to make the mapper or the run faster must not change what they
choose or report. This runs `qnnsim run ... --json` and `qnnsim map` with both
binaries over the PE-array designs and workloads below, at batch 1 and 64, and
the shipped LeNet-5 sweep (every row of its results file), and compares the
outputs byte for byte (the map command's timer figures and
the report's provenance left out). Exit status 0 when every pair is identical.

  /usr/bin/python3 scripts/same_reports.py --before OLD_BINARY --after build/qnnsim
"""
import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DESIGNS = ("systolic_ws", "eyeriss_v1", "tpu_v1")
WORKLOADS = ("resnet50", "mobilenet_v1", "vgg16", "lenet5")
BATCHES = (1, 64)
# Eyeriss computes in 16-bit fixed point: every tensor of a trace at 16 bits.
SIXTEEN_BIT = {"eyeriss_v1"}
ALL_16_BIT = [arg for t in ("weights", "inputs", "outputs", "accumulator") for arg in ("--bits", f"{t}=16")]
ENV = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")


def outputs(binary, design, workload, batch, tmp):
    """The JSON report of `qnnsim run` and the text of `qnnsim map` (without its timer line)."""
    arch = os.path.join(ROOT, "arch", design + ".yaml")
    wl = os.path.join(ROOT, "workloads", workload + ".yaml")
    extra = (ALL_16_BIT if design in SIXTEEN_BIT else []) + ["--batch", str(batch)]
    out = os.path.join(tmp, "report.json")
    run = subprocess.run([binary, "run", arch, wl, "--quiet", "--json", out] + extra, capture_output=True, env=ENV)
    if run.returncode != 0:
        return ("run failed", run.stderr), ""
    with open(out, "rb") as f:
        report = f.read()
    # Provenance (the last key) names the binary's commit and the command line; everything before it is compared.
    report = report[:report.find(b'"provenance"')]
    mapped = subprocess.run([binary, "map", arch, wl] + extra, capture_output=True, text=True, env=ENV)
    # The timer's figures (the closing line, each layer's "search ms" column) are left out.
    lines = [l for l in mapped.stdout.splitlines() if not l.startswith("search time")]
    # (A time's width moves the columns after it, so fields are compared, not their padding.)
    rows = [l.split() for l in lines]
    text = "\n".join(" ".join(r[:1] + r[2:] if len(r) > 1 and re.fullmatch(r"[0-9.]+", r[1]) else r) for r in rows)
    return report, text + mapped.stderr


# Columns that say when or how long a point ran, and the tables of who ran the sweep: not results.
NOT_RESULTS = {"wall_s", "finished_at"}
NOT_RESULT_TABLES = {"provenance", "sweeps"}


def sweep_rows(binary, spec, tmp):
    """Every row of every results table of `qnnsim sweep SPEC -j 2`, sorted, as Python reprs (floats in full)."""
    db = os.path.join(tmp, "sweep.db")
    for leftover in (db, db + "-wal", db + "-shm"):
        if os.path.exists(leftover):
            os.remove(leftover)
    subprocess.run([binary, "sweep", spec, "-j", "2", "--db", db], check=True, capture_output=True, env=ENV)
    c = sqlite3.connect(db)
    rows = {}
    for (table,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        if table in NOT_RESULT_TABLES:
            continue
        columns = [r[1] for r in c.execute(f"PRAGMA table_info({table})") if r[1] not in NOT_RESULTS]
        rows[table] = (columns, sorted(repr(r) for r in c.execute(f"SELECT {', '.join(columns)} FROM {table}")))
    c.close()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the binary to compare against")
    parser.add_argument("--after", default=os.path.join(ROOT, "build", "qnnsim"))
    args = parser.parse_args()
    differ = 0
    with tempfile.TemporaryDirectory() as tmp:
        for design in DESIGNS:
            for workload in WORKLOADS:
                for batch in BATCHES:
                    a = outputs(args.before, design, workload, batch, tmp)
                    b = outputs(args.after, design, workload, batch, tmp)
                    same_report, same_map = a[0] == b[0], a[1] == b[1]
                    verdict = "same" if same_report and same_map else (
                        "DIFFERENT " + ("report " if not same_report else "") + ("mapping" if not same_map else ""))
                    print(f"{design:<12} {workload:<13} batch {batch:>2}: {verdict}", flush=True)
                    differ += verdict != "same"
        spec = os.path.join(ROOT, "configs", "sweeps", "lenet5_systolic.yaml")
        same_sweep = sweep_rows(args.before, spec, tmp) == sweep_rows(args.after, spec, tmp)
        print(f"sweep lenet5_systolic, every results row: {'same' if same_sweep else 'DIFFERENT'}")
        differ += not same_sweep
    print(f"{differ} of {len(DESIGNS) * len(WORKLOADS) * len(BATCHES) + 1} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
