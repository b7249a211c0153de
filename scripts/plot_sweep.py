#!/usr/bin/python3
"""Draws a qnnsim sweep's Pareto front and the energy breakdown of chosen points to a PNG.

Reads the SQLite results database of a sweep. The left panel scatters every
successful point of one workload on two objectives and highlights the Pareto
front (accuracy, from a spec's `accuracy:` section, is one of them; points that
fail a constraint on their results are drawn apart and left off the front); the right panel stacks each chosen point's energy by component. The
front is also printed, one point a line: hash prefix, the two objectives, and
the point's parameters.

  /usr/bin/python3 scripts/plot_sweep.py results.db [-o front.png] [--x energy] [--y latency]
      [--workload NAME] [--sweep NAME] [--points HASHPREFIX ...] [--log] [--title TEXT]
"""
import argparse
import json
import math
import os
import pathlib
import sqlite3
import sys

# name: (column, axis label, unit, maximised?). Everything else is minimised.
# The database keeps energy in pJ; plots and the printed front show joules.
OBJECTIVES = {
    "energy": ("energy_j", "energy", "J", False),
    "latency": ("latency_s", "latency", "s", False),
    "edp": ("edp_js", "energy-delay product", "J·s", False),
    "area": ("area_mm2", "area", "mm²", False),
    "throughput": ("throughput_gops", "throughput", "GOPS", True),
    "accuracy": ("accuracy_fraction", "top-1 accuracy", "fraction", True),
}
# Joules from the database's picojoules.
COLUMN_SQL = {"energy_j": "energy_pj * 1e-12 AS energy_j", "edp_js": "edp_pj_s * 1e-12 AS edp_js"}
SI_UNITS = ("J", "s", "J·s")  # linear ticks read better as 2 mJ than as 0.002
# The component types qnnsim reports, in the order they stack, so that one
# component keeps its colour from plot to plot; others follow by name.
COMPONENTS = ("dram", "glb", "noc", "link", "spad", "mac", "vector", "leakage")
LOG_SPAN = 30   # an axis whose values span more than this factor is drawn logarithmic
MAX_BARS = 8    # more bars than this would make their parameter labels unreadable
HASH_CHARS = 8  # enough to tell points apart; --points accepts any prefix


def fail(message):
    """Bad input ends with one line and exit code 2, as qnnsim itself does."""
    print(f"plot_sweep: error: {message}", file=sys.stderr)
    sys.exit(2)


def number(value):
    """A finite float, or None for NULL or anything that is not a number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def fmt(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def open_db(path):
    # sqlite3.connect would quietly create a missing file, so check first and open read-only.
    if not os.path.isfile(path):
        fail(f"{path}: no such database")
    try:
        db = sqlite3.connect(pathlib.Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        db.execute("SELECT hash FROM points LIMIT 1")
        db.execute("SELECT energy_pj FROM points LIMIT 1")  # older databases kept energy_j, in J
    except sqlite3.Error as e:
        fail(f"{path}: not a qnnsim sweep database ({e})")
    db.row_factory = sqlite3.Row
    return db


def load_points(db, sweep):
    """Every point (of one sweep, if given) as a dict, with its parameters parsed."""
    # Databases from before sweeps measured accuracy lack its columns: NULL for them.
    have = {r[1] for r in db.execute("PRAGMA table_info(points)")}
    wanted = [o[0] for o in OBJECTIVES.values()] + ["constraint_violations"]
    columns = ", ".join(COLUMN_SQL.get(c, c) if c in have or c in COLUMN_SQL else f"NULL AS {c}" for c in wanted)
    rows = [dict(r) for r in db.execute(f"SELECT hash, sweep, status, workload, params, {columns} FROM points")]
    if sweep is not None:
        names = sorted({r["sweep"] or "" for r in rows})
        rows = [r for r in rows if r["sweep"] == sweep]
        if not rows:
            fail(f"no points of sweep '{sweep}'; the database holds: {', '.join(names) or 'no points'}")
    if not rows:
        fail("the database holds no points")
    table = {}  # the params table, for points whose JSON is missing or unreadable
    for r in db.execute("SELECT hash, name, value FROM params"):
        table.setdefault(r["hash"], {})[r["name"]] = r["value"]
    for r in rows:
        try:
            params = json.loads(r["params"] or "")
        except (TypeError, ValueError):
            params = None
        r["params"] = params if isinstance(params, dict) else table.get(r["hash"], {})
        r["hash"], r["workload"] = str(r["hash"]), r["workload"] or "(none)"
        for objective in OBJECTIVES.values():
            r[objective[0]] = number(r[objective[0]])
    return rows


def choose_workload(rows, wanted):
    counts = {}
    for r in rows:
        counts[r["workload"]] = counts.get(r["workload"], 0) + 1
    if wanted is None:
        return min(counts, key=lambda w: (-counts[w], w))  # the most points; ties by name
    if wanted not in counts:
        listed = ", ".join(f"{w} ({n} points)" for w, n in sorted(counts.items()))
        fail(f"unknown workload '{wanted}'; available: {listed}")
    return wanted


def pareto_front(points, kx, ky, max_x, max_y):
    """The points no other point beats on both objectives, in order of increasing x."""
    def key(p):  # both objectives turned into ones to minimise
        return (-p[kx] if max_x else p[kx], -p[ky] if max_y else p[ky])
    front = []
    for p in sorted(points, key=key):
        # Sorted by x then y, a point is on the front if its y beats every point
        # before it; the last front point holds the best y so far. Exact
        # duplicates of a front point do not dominate each other, so they stay.
        if not front or key(p)[1] < key(front[-1])[1] or key(p) == key(front[-1]):
            front.append(p)
    return sorted(front, key=lambda p: (p[kx], p[ky]))


def staircase(front, kx, ky, max_x, max_y):
    """The front as a step line: between neighbours, through the corner both dominate."""
    def worse(a, b, maximised):
        return min(a, b) if maximised else max(a, b)
    xs, ys = [front[0][kx]], [front[0][ky]]
    for a, b in zip(front, front[1:]):
        xs += [worse(a[kx], b[kx], max_x), b[kx]]
        ys += [worse(a[ky], b[ky], max_y), b[ky]]
    return xs, ys


def spread(items, k):
    """At most k items, evenly spaced and always including both ends."""
    if len(items) <= k:
        return list(items)
    return [items[i] for i in sorted({round(i * (len(items) - 1) / (k - 1)) for i in range(k)})]


def log_axis(values, forced, name):
    lo, hi = min(values), max(values)
    if lo <= 0:
        if forced:
            print(f"plot_sweep: {name} has values <= 0; its axis stays linear", file=sys.stderr)
        return False
    return forced or hi / lo > LOG_SPAN


def label_offsets(anchors, size=10.0):
    """Offsets (in points) for labels at display positions `anchors`, each
    moved up past any label already placed within `size` of it, so that no two
    labels overlap however close their points are."""
    placed, offsets = [], []
    for x, y in anchors:
        dy = 4.0
        while any(abs(x + 4 - px) < size and abs(y + dy - py) < size for px, py in placed):
            dy += size
        placed.append((x + 4, y + dy))
        offsets.append((4, dy))
    return offsets


def label_front(ax, points):
    """Numbers the points drawn as bars on the right, labels apart."""
    ax.figure.canvas.draw()  # scales and limits settled, so display positions are final
    to_points = 72.0 / ax.figure.dpi
    anchors = [tuple(v * to_points for v in ax.transData.transform(p)) for p in points]
    for i, (p, off) in enumerate(zip(points, label_offsets(anchors)), 1):
        ax.annotate(str(i), p, xytext=off, textcoords="offset points", fontsize=8)


def resolve_points(prefixes, ok, workload):
    chosen = []
    for prefix in prefixes:
        matches = [p for p in ok if p["hash"].startswith(prefix)]
        if not matches:
            fail(f"no successful point of workload '{workload}' has a hash starting '{prefix}'")
        if len(matches) > 1:
            fail(f"hash prefix '{prefix}' is ambiguous: {', '.join(p['hash'][:12] for p in matches)}")
        chosen.append(matches[0])
    return chosen


def label_names(points):
    """The parameters that tell points apart (all, if none does), each under the
    last part of its dotted name when that part is unambiguous."""
    names = sorted({n for p in points for n in p["params"]})
    varying = [n for n in names if len({repr(p["params"].get(n)) for p in points}) > 1] or names
    tails = [n.rsplit(".", 1)[-1] for n in varying]
    return [(n, t if tails.count(t) == 1 else n) for n, t in zip(varying, tails)]


def energy_breakdown(db, points):
    """{hash: {component: joules}}; a point without per-component rows shows its total."""
    found = {p["hash"]: {} for p in points}
    marks = ",".join("?" * len(found))
    for r in db.execute(f"SELECT hash, component, energy_pj * 1e-12 AS energy_j FROM energy WHERE hash IN ({marks})",
                        list(found)):
        if number(r["energy_j"]) is not None:
            found[r["hash"]][str(r["component"])] = number(r["energy_j"])
    for p in points:
        if not found[p["hash"]] and p["energy_j"] is not None:
            found[p["hash"]]["total (no breakdown)"] = p["energy_j"]
    return found


def energy_unit(joules):
    for scale, unit in ((1.0, "J"), (1e-3, "mJ"), (1e-6, "µJ"), (1e-9, "nJ")):
        if joules >= scale:
            return scale, unit
    return 1e-12, "pJ"


def draw(args, db, ok, violating, n_failed, n_missing, front, bars, sweeps, workload):
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only; no display is needed or wanted
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        sys.exit("plot_sweep: python3-matplotlib is missing; scripts/setup.sh installs it")

    (kx, xname, xunit, max_x), (ky, yname, yunit, max_y) = OBJECTIVES[args.x], OBJECTIVES[args.y]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(16, 7), gridspec_kw={"width_ratios": [1, 1.1]},
                                   constrained_layout=True)

    competing = [p for p in ok if p not in violating]
    ax.scatter([p[kx] for p in competing], [p[ky] for p in competing], s=18, c="#9aa5b1",
               label=f"points ({len(competing)})")
    if violating:
        ax.scatter([p[kx] for p in violating], [p[ky] for p in violating], s=22, c="#ff7f0e", marker="x",
                   label=f"fail a constraint on results ({len(violating)}): off the front")
    xs, ys = staircase(front, kx, ky, max_x, max_y)
    ax.plot(xs, ys, c="#d62728", lw=1.2, zorder=2)
    ax.scatter([p[kx] for p in front], [p[ky] for p in front], s=40, c="#d62728", zorder=3,
               label=f"Pareto front ({len(front)})")
    not_drawn = [f"{n_failed} failed"] + ([f"{n_missing} without {args.x}/{args.y}"] if n_missing else [])
    ax.plot([], [], " ", label=", ".join(not_drawn) + ": not drawn")
    log_x = log_axis([p[kx] for p in ok], args.log, args.x)
    log_y = log_axis([p[ky] for p in ok], args.log, args.y)
    ax.set_xscale("log" if log_x else "linear")
    ax.set_yscale("log" if log_y else "linear")
    label_front(ax, [(p[kx], p[ky]) for p in bars])
    for axis, name, unit, log, maximised in ((ax.xaxis, xname, xunit, log_x, max_x),
                                             (ax.yaxis, yname, yunit, log_y, max_y)):
        if not log and unit in SI_UNITS:  # the ticks carry the unit
            axis.set_major_formatter(matplotlib.ticker.EngFormatter(unit=unit))
            unit = None
        axis.set_label_text(f"{name}{f' ({unit})' if unit else ''}, {'higher' if maximised else 'lower'} is better")
    ax.set_title(f"{args.x} vs {args.y}: {len(ok)} points, {n_failed} failed")
    ax.grid(True, which="major", alpha=0.3)
    ax.grid(True, which="minor", alpha=0.08)
    ax.legend(loc="best", fontsize=9)

    energy = energy_breakdown(db, bars)
    components = {}
    for parts in energy.values():
        for c, j in parts.items():
            components[c] = components.get(c, 0.0) + j
    order = list(COMPONENTS) + sorted(c for c in components if c not in COMPONENTS)
    colours = plt.get_cmap("tab20" if len(order) > 10 else "tab10")
    scale, unit = energy_unit(max((sum(parts.values()) for parts in energy.values()), default=0.0))
    bottom = [0.0] * len(bars)
    for n, c in enumerate(order):
        if c in components:
            heights = [energy[p["hash"]].get(c, 0.0) / scale for p in bars]
            bx.bar(range(len(bars)), heights, 0.7, bottom=bottom, label=c, color=colours(n % colours.N))
            bottom = [b + h for b, h in zip(bottom, heights)]
    # Zero-height segments on top of a stack would pin the axis to its top (matplotlib's
    # sticky bar edges), so set the headroom here.
    bx.set_ylim(0, max(bottom, default=0.0) * 1.05 or 1.0)
    pad = max(0.0, (4 - len(bars)) / 2)  # a lone bar should not fill the panel
    bx.set_xlim(-0.6 - pad, len(bars) - 0.4 + pad)
    names = label_names(ok)
    bx.set_xticks(range(len(bars)), [
        "\n".join([f"{i}: {p['hash'][:HASH_CHARS]}"] + [f"{short}={fmt(p['params'][n])}" for n, short in names
                                                         if n in p["params"]])
        for i, p in enumerate(bars, 1)], fontsize=8)
    bx.set_ylabel(f"energy ({unit})")
    bx.set_title("energy by component, " + ("chosen points" if args.points else "along the front"))
    handles, labels = bx.get_legend_handles_labels()  # listed top to bottom, as stacked
    bx.legend(handles[::-1], labels[::-1], fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    bx.grid(True, axis="y", alpha=0.3)

    where = f"sweep {args.sweep}" if args.sweep else ("sweep " if len(sweeps) == 1 else "sweeps ") + ", ".join(sweeps)
    fig.suptitle(args.title or f"{where}: {workload}")
    try:
        fig.savefig(args.output, dpi=110)
    except (OSError, ValueError) as e:
        fail(f"cannot write {args.output}: {e}")
    return log_x, log_y


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", metavar="DB", help="sweep results database (SQLite)")
    parser.add_argument("-o", "--output", metavar="FILE.png", help="the PNG to write (default: DB's name with .png)")
    parser.add_argument("--x", default="energy", choices=OBJECTIVES, help="objective on x (default energy)")
    parser.add_argument("--y", default="latency", choices=OBJECTIVES, help="objective on y (default latency)")
    parser.add_argument("--workload", help="the workload to plot (default: the one with most points)")
    parser.add_argument("--sweep", help="only the points of this sweep")
    parser.add_argument("--points", nargs="+", metavar="HASHPREFIX", help="the points whose energy to break down "
                        f"(default: up to {MAX_BARS} spread along the front)")
    parser.add_argument("--log", action="store_true", help=f"log axes (default: log where values span over {LOG_SPAN}x)")
    parser.add_argument("--title", help="the figure's title")
    args = parser.parse_args()  # argparse itself exits 2 on an unknown objective or option
    if args.x == args.y:
        fail(f"--x and --y are both '{args.x}'; a front needs two different objectives")
    args.output = args.output or os.path.splitext(args.db)[0] + ".png"

    db = open_db(args.db)
    try:
        rows = load_points(db, args.sweep)
        workload = choose_workload(rows, args.workload)
        rows = [r for r in rows if r["workload"] == workload]
        kx, ky = OBJECTIVES[args.x][0], OBJECTIVES[args.y][0]
        n_failed = sum(r["status"] != "ok" for r in rows)
        ok = [r for r in rows if r["status"] == "ok" and r[kx] is not None and r[ky] is not None]
        n_missing = len(rows) - n_failed - len(ok)
        if not ok:
            fail(f"no successful points with {args.x} and {args.y} for workload '{workload}' "
                 f"({n_failed} failed, {n_missing} without figures)")
        # Drawn, but not on the front: a design that misses the spec's accuracy
        # or clipping bound is no trade-off anyone would pick.
        violating = [r for r in ok if r["constraint_violations"]]
        competing = [r for r in ok if not r["constraint_violations"]]
        if not competing:
            fail(f"every successful point of workload '{workload}' fails a constraint on its results "
                 f"(first: {violating[0]['constraint_violations']}); no front to draw")
        front = pareto_front(competing, kx, ky, OBJECTIVES[args.x][3], OBJECTIVES[args.y][3])
        bars = resolve_points(args.points, ok, workload) if args.points else spread(front, MAX_BARS)
        sweeps = sorted({r["sweep"] or "?" for r in rows})
        log_x, log_y = draw(args, db, ok, violating, n_failed, n_missing, front, bars, sweeps, workload)
    except sqlite3.Error as e:
        fail(f"{args.db}: {e}")

    left_off = f", {len(violating)} failing a constraint on results left off" if violating else ""
    print(f"pareto front of {workload}: {len(front)} of {len(ok)} ok points ({n_failed} failed{left_off}), "
          f"x={args.x} ({'max' if OBJECTIVES[args.x][3] else 'min'}), y={args.y} "
          f"({'max' if OBJECTIVES[args.y][3] else 'min'})")
    for p in front:
        params = " ".join(f"{n}={fmt(v)}" for n, v in sorted(p["params"].items()))
        print(f"  {p['hash'][:HASH_CHARS]}  {args.x}={p[kx]:.6g}  {args.y}={p[ky]:.6g}  {params}")
    print(f"wrote {args.output} (x {'log' if log_x else 'linear'}, y {'log' if log_y else 'linear'})")


if __name__ == "__main__":
    main()
