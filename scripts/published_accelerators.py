#!/usr/bin/python3
"""Runs every shipped design and sets its simulated figures beside the published ones.

The rows (design, figure, published value, source, how to read the simulated
value, tolerance and why) are in configs/validation/published_accelerators.yaml.
Each distinct run is made once with `qnnsim run ... --json`; the figures are
read from its JSON report. Writes configs/validation/published_accelerators.md
and the README's "Published accelerators" table (between its markers).

  --check     exit 1 when a held figure is outside its tolerance (ctest runs this)
  --no-write  print the table only

Run after scripts/setup.sh:  /usr/bin/python3 scripts/published_accelerators.py
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = os.path.join(ROOT, "configs", "validation", "published_accelerators.yaml")
MARKDOWN = os.path.join(ROOT, "configs", "validation", "published_accelerators.md")
README = os.path.join(ROOT, "README.md")
BEGIN = "<!-- published-accelerators: written by scripts/published_accelerators.py -->"
END = "<!-- published-accelerators: end -->"


def run_key(run):
    return json.dumps(run, sort_keys=True)


def run_qnnsim(binary, run, json_path):
    cmd = [binary, "run", run["arch"], run["workload"], "--batch", str(run["batch"]), "--quiet", "--json", json_path]
    for tensor, bits in run.get("bits", {}).items():
        cmd += ["--bits", f"{tensor}={bits}"]
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"published_accelerators: {' '.join(cmd)} failed:\n{done.stderr}")
    with open(json_path) as f:
        return json.load(f)


def dotted(report, key):
    value = report
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            sys.exit(f"published_accelerators: the report has no '{key}'")
        value = value[part]
    return float(value)


def read_figure(report, how):
    """The simulated figure a row names, in the report's units."""
    if how.startswith("layers_ms:["):
        names = how[len("layers_ms:["):-1].split(",")
        by_name = {layer["name"]: layer for layer in report["layers"]}
        missing = [n for n in names if n not in by_name]
        if missing:
            sys.exit(f"published_accelerators: the report has no layer {', '.join(missing)}")
        return sum(by_name[n]["latency_s"] for n in names) * 1e3
    if how == "onchip_tops_per_w":
        # A chip's published efficiency counts its own power, not the DRAM's:
        # ops / pJ is TOPS/W.
        s = report["summary"]
        onchip_pj = s["energy_pj"] - report["energy_breakdown_pj"].get("dram", 0.0)
        return s["ops"] / onchip_pj
    if how == "inferences_per_s":
        return report["batch"] / report["summary"]["latency_s"]
    if how == "onchip_inferences_per_j":
        # Inferences per joule of the chip's own energy, without the DRAM's.
        onchip_pj = report["summary"]["energy_pj"] - report["energy_breakdown_pj"].get("dram", 0.0)
        return report["batch"] / (onchip_pj * 1e-12)
    return dotted(report, how)


def evaluate(binary, rows):
    reports = {}
    with tempfile.TemporaryDirectory() as tmp:
        for row in rows:
            for run in (row["run"], row.get("reduction_from")):
                if run is not None and run_key(run) not in reports:
                    reports[run_key(run)] = run_qnnsim(binary, run, os.path.join(tmp, f"run{len(reports)}.json"))
    results = []
    for row in rows:
        report = reports[run_key(row["run"])]
        simulated = read_figure(report, row["read"]) * row.get("scale", 1.0)
        if "reduction_from" in row:
            # A published reduction (4x smaller, 4x faster): the baseline's figure over this run's.
            simulated = read_figure(reports[run_key(row["reduction_from"])], row["read"]) / read_figure(report, row["read"])
        published = row.get("published")
        if "published_from" in row:
            published = read_figure(report, row["published_from"])
        error = None if published is None else (simulated - published) / published
        tolerance = row.get("tolerance")
        held = tolerance is not None and error is not None
        ok = (not held) or abs(error) <= tolerance
        results.append(dict(row, simulated=simulated, published=published, error=error, held=held, ok=ok))
    return results


def number(x):
    if x is None:
        return "—"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.1f}"
    return f"{x:.3g}"


def table_lines(results):
    lines = ["| design | figure | source | published | simulated | error | held to |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        unit = r["unit"]
        error = "—" if r["error"] is None else f"{r['error']:+.1%}"
        held = f"±{r['tolerance']:.0%}" if r["held"] else "reported"
        if r["held"] and not r["ok"]:
            held += " **FAILS**"
        lines.append(f"| `{r['design']}` | {r['figure']} | {r['source']} | {number(r['published'])} {unit} | "
                     f"{number(r['simulated'])} {unit} | {error} | {held} |")
    return lines


def reasons(results):
    out = []
    for r in results:
        out.append(f"- `{r['design']}`, {r['figure']}: {' '.join(r['why'].split())}")
    return out


def write_markdown(results):
    lines = ["# Published accelerators: simulated against published",
             "",
             "Written by `scripts/published_accelerators.py` from `published_accelerators.yaml` beside this "
             "file; do not edit by hand.",
             "",
             *table_lines(results),
             "",
             "Why each tolerance is what it is:",
             "",
             *reasons(results),
             ""]
    with open(MARKDOWN, "w") as f:
        f.write("\n".join(lines))


def write_readme(results):
    with open(README) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit(f"published_accelerators: README.md lacks the markers {BEGIN} ... {END}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    body = "\n".join([BEGIN, *table_lines(results), END])
    with open(README, "w") as f:
        f.write(head + body + tail)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qnnsim", default=os.path.join(ROOT, "build", "qnnsim"), help="the qnnsim binary")
    parser.add_argument("--check", action="store_true", help="exit 1 when a held figure is outside its tolerance")
    parser.add_argument("--no-write", action="store_true", help="print the table, write no file")
    args = parser.parse_args()
    with open(ROWS) as f:
        rows = yaml.safe_load(f)["rows"]
    results = evaluate(os.path.abspath(args.qnnsim), rows)
    print("\n".join(table_lines(results)))
    if not args.no_write:
        write_markdown(results)
        write_readme(results)
        print(f"wrote {os.path.relpath(MARKDOWN, ROOT)} and the README table")
    failed = [r for r in results if not r["ok"]]
    for r in failed:
        print(f"published_accelerators: {r['design']}, {r['figure']}: {r['error']:+.1%} is outside "
              f"±{r['tolerance']:.0%}", file=sys.stderr)
    if args.check and failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
