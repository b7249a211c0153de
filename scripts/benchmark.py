#!/usr/bin/python3
"""Prints qnnsim's speed and memory figures so anyone can reproduce them.

Each figure is the median wall time of several runs of the real `qnnsim run`
command pinned to one core, and the peak resident memory of that process.
Run after scripts/setup.sh:  /usr/bin/python3 scripts/benchmark.py
"""
import argparse
import glob
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_timed(cmd):
    """Wall seconds, processor seconds (user and system) and peak RSS (MiB) of
    one run of cmd. On a shared machine the processor time is the steadier
    figure: wall time also counts the time other work held the core."""
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"benchmark: {' '.join(cmd)} failed:\n{proc.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def run_once(cmd):
    """Wall seconds and peak RSS (MiB) of one run of cmd."""
    wall, _, mem = run_timed(cmd)
    return wall, mem


# Eyeriss computes in 16-bit fixed point: every tensor of a trace at 16 bits.
ALL_16_BIT = [arg for t in ("weights", "inputs", "outputs", "accumulator") for arg in ("--bits", f"{t}=16")]


def one_core(cmd):
    return ["taskset", "-c", "0"] + cmd if shutil.which("taskset") else cmd


def search_line(binary, arch, workload, extra):
    """The `search time` line of `qnnsim map` (the mapper's own timer)."""
    cmd = one_core([binary, "map", arch, workload] + extra)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")).stdout
    line = [l for l in out.splitlines() if l.startswith("search time")][0]
    return line[len("search time: "):]


def measure(binary, arch, workload, batch, repeats, json_out=None, extra=()):
    cmd = [binary, "run", arch, workload, "--quiet", "--batch", str(batch)] + list(extra)
    if json_out:
        cmd += ["--json", json_out]
    runs = [run_once(one_core(cmd)) for _ in range(repeats)]
    return statistics.median(w for w, _ in runs), max(m for _, m in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "qnnsim"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sweep-only", action="store_true", help="only the sweep rate (a few seconds)")
    parser.add_argument("--mapper-only", action="store_true",
                        help="only the mapper's time a layer and its batch 64 / batch 1 ratio (a minute or two)")
    parser.add_argument("--batch-only", action="store_true",
                        help="only ResNet-50's batch 64 / batch 1 ratios, the mapper's and the whole run's (a minute)")
    parser.add_argument("--levels-only", action="store_true",
                        help="only ResNet-50 on the level designs, in closed form and simulated (half a minute)")
    args = parser.parse_args()
    if args.levels_only:
        level_designs_resnet50(args.binary)
        return
    if args.sweep_only:
        sweep_speed(args.binary, args.repeats)
        return
    if args.batch_only:
        mapper_batch_ratio(args.binary)
        run_batch_ratio(args.binary, args.repeats)
        return
    if args.mapper_only:
        mapper_per_layer(args.binary)
        mapper_batch_ratio(args.binary)
        return
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
    print("\nmapper search time on systolic_ws (qnnsim map, EDP objective)")
    for name in ("alexnet", "vgg16", "resnet50", "mobilenet_v1"):
        print(f"  {name:<14} {search_line(args.binary, arch, os.path.join(ROOT, 'workloads', name + '.yaml'), [])}")

    import_resnet50(args.binary, args.repeats)

    # Eyeriss v1 end to end (map and simulate), batch 1, every tensor at 16 bits.
    eyeriss = os.path.join(ROOT, "arch", "eyeriss_v1.yaml")
    print("\nEyeriss v1 (arch/eyeriss_v1.yaml), batch 1, 16-bit: whole run and mapper search")
    print(f"{'workload':<14} {'wall s':>7} {'peak MiB':>9} {'sim ms':>8}  mapper")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        for name in ("alexnet", "vgg16", "resnet50", "mobilenet_v1"):
            wl = os.path.join(ROOT, "workloads", name + ".yaml")
            wall, mem = measure(args.binary, eyeriss, wl, 1, args.repeats, out, ALL_16_BIT)
            with open(out) as f:
                latency_ms = json.load(f)["summary"]["latency_s"] * 1e3
            print(f"{name:<14} {wall:>7.3f} {mem:>9.1f} {latency_ms:>8.1f}  {search_line(args.binary, eyeriss, wl, ALL_16_BIT)}")

    # In-memory chips, 16-bit as ISAAC and PUMA: the stages simulated as SystemC threads.
    print("\nin-memory chips, 16-bit weights and inputs, layer-pipelined")
    print(f"{'arch':<8} {'workload':<10} {'batch':>5} {'wall s':>7} {'peak MiB':>9} {'images/s':>9} {'mJ/image':>9} {'ADC share':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        for chip, name, batch in (("isaac", "vgg16", 1), ("isaac", "vgg16", 16), ("isaac", "resnet50", 16),
                                  ("puma", "vgg16", 1), ("puma", "resnet50", 16)):
            wall, mem = measure(args.binary, os.path.join(ROOT, "arch", chip + ".yaml"),
                                os.path.join(ROOT, "workloads", name + ".yaml"), batch, args.repeats, out, ALL_16_BIT)
            with open(out) as f:
                report = json.load(f)
            per_image_mj = report["summary"]["energy_pj"] / batch * 1e-9
            imc = report["in_memory"]
            print(f"{chip:<8} {name:<10} {batch:>5} {wall:>7.3f} {mem:>9.1f} {imc['images_per_s']:>9.1f} "
                  f"{per_image_mj:>9.2f} {imc['adc_energy_fraction']:>9.1%}")

    eval_speed(args.binary, args.repeats)
    mapper_per_layer(args.binary)
    mapper_batch_ratio(args.binary)
    run_batch_ratio(args.binary, args.repeats)
    sweep_speed(args.binary, args.repeats)
    shipped_designs_resnet50(args.binary, args.repeats)
    level_designs_resnet50(args.binary)


# The widths each shipped level design's words take (a trace's values may not
# be wider than the words a level keeps them in): Eyeriss v1's 16-bit fixed
# point; Simba's 8-bit weights and activations with 24-bit partial sums.
LEVEL_DESIGN_BITS = {
    "eyeriss_v1": ALL_16_BIT,
    "simba_like": ["--bits", "accumulator=24"],
}


def level_designs_resnet50(binary):
    """ResNet-50 end to end (qnnsim run: every layer mapped by the level search
    for EDP and costed, pooling and adds on the vector unit) on every shipped
    level design (arch/levels), at the widths of each design's words
    (LEVEL_DESIGN_BITS), one core, one run; then again with `time: simulated`
    (a copy of the file with the key added), the SystemC level engine stepping
    every layer, which has no target: it says what the schedule costs."""
    print("\nResNet-50, batch 1, qnnsim run on every shipped level design (arch/levels; the level search, EDP; "
          "widths as each design's words), one core")
    print(f"{'design':<22} {'wall s':>7} {'cpu s':>6} {'target':>7} {'peak MiB':>9} {'search s':>9} {'ms a layer':>11} "
          f"{'model ms':>9} {'mJ':>8}")
    targets = {"eyeriss_v1": 1.0}  # issue 14: the tree runs ResNet-50 on Eyeriss v1 in under 1 s
    wl = os.path.join(ROOT, "workloads", "resnet50.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.json")
        designs = []
        for path in sorted(glob.glob(os.path.join(ROOT, "arch", "levels", "*.yaml"))):
            name = os.path.splitext(os.path.basename(path))[0]
            designs.append((name, name, path))
        for name, _, path in list(designs):
            simulated = os.path.join(tmp, name + ".yaml")
            with open(path) as f, open(simulated, "w") as g:
                g.write(f.read() + "\ntime: simulated\n")
            designs.append((name + " simulated", name, simulated))
        for label, name, path in designs:
            if name not in LEVEL_DESIGN_BITS:
                sys.exit(f"benchmark.py: give the widths of {path}'s words in LEVEL_DESIGN_BITS")
            wall, cpu, mem = run_timed(one_core([binary, "run", path, wl, "--objective", "edp", "--quiet", "--json", out]
                                                + LEVEL_DESIGN_BITS[name]))
            with open(out) as f:
                report = json.load(f)
            array_layers = sum(1 for l in report["layers"] if l["macs"] > 0)
            search_s = report["level_design"]["search_s"]
            target = targets.get(label)
            target_text = f"< {target:g}" if target is not None else ""
            mark = "" if target is None else ("  (met)" if wall < target else "  (MISSED)")
            print(f"{label:<22} {wall:>7.2f} {cpu:>6.2f} {target_text:>7} {mem:>9.1f} {search_s:>9.2f} "
                  f"{1e3 * search_s / max(array_layers, 1):>11.0f} {report['summary']['latency_s'] * 1e3:>9.2f} "
                  f"{report['summary']['energy_pj'] * 1e-9:>8.2f}{mark}")


# Issue 17: importing a ResNet-50-sized model takes under 1 s and 200 MB.
IMPORT_TARGET_S, IMPORT_TARGET_MIB = 1.0, 200.0


def import_resnet50(binary, repeats):
    """`qnnsim import` of ResNet-50 (102 MB of float weights) as two models:
    written from the shipped trace by scripts/trace_to_onnx.py, and
    torchvision's stock export (scripts/export_torchvision.py: Identity
    weights, shape subgraphs to fold). One core, median wall time, peak RSS."""
    print(f"\nqnnsim import of ResNet-50 (target < {IMPORT_TARGET_S:g} s and < {IMPORT_TARGET_MIB:g} MiB), one core")
    with tempfile.TemporaryDirectory() as tmp:
        models = [("from workloads/resnet50.yaml", os.path.join(tmp, "resnet50_trace.onnx"))]
        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "trace_to_onnx.py"),
                        os.path.join(ROOT, "workloads", "resnet50.yaml"), models[0][1]],
                       check=True, stdout=subprocess.DEVNULL)
        export = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "export_torchvision.py"), tmp,
                                 "resnet50"], capture_output=True, text=True)
        if export.returncode == 0:
            models.append(("torchvision's stock export", os.path.join(tmp, "resnet50.onnx")))
        else:
            print("  (torchvision's export skipped: python3-torch or python3-torchvision missing; scripts/setup.sh)")
        for what, model in models:
            runs = [run_once(one_core([binary, "import", model, "-o", os.path.join(tmp, "r50.yaml")]))
                    for _ in range(repeats)]
            wall, mem = statistics.median(w for w, _ in runs), max(m for _, m in runs)
            met = wall < IMPORT_TARGET_S and mem < IMPORT_TARGET_MIB
            print(f"  {what:<30} {os.path.getsize(model) / 1e6:>4.0f} MB  {wall:.3f} s  peak {mem:.0f} MiB  "
                  f"({'met' if met else 'MISSED'})")


# Issue 19: `qnnsim sweep` of the shipped LeNet-5 systolic spec at 500 points/s or more on 2 cores.
SWEEP_TARGET_POINTS_S = 500.0


def sweep_rate(binary, spec, extra, tmp):
    """Points per second of one `qnnsim sweep -j 2`, from the sweep's own closing progress line
    (points run over the time spent running them; planning before is not counted), and the
    processor time of the whole command (the sweep and its workers, planning included) per point."""
    db = os.path.join(tmp, "sweep.db")
    for leftover in glob.glob(db + "*"):
        os.remove(leftover)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([binary, "sweep", spec, "-j", "2", "--db", db] + extra, check=True, capture_output=True,
                         text=True, env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = [l for l in out.splitlines() if l.startswith("progress:")][-1]
    points = int(last.split()[1].split("/")[0])
    return float(last.split(" points/s")[0].split()[-1]), cpu_s / points


def sweep_speed(binary, repeats):
    """The LeNet-5 systolic sweep (90 points), two cores: workers as shipped, and a process per point as before."""
    spec = os.path.join(ROOT, "configs", "sweeps", "lenet5_systolic.yaml")
    print(f"\nqnnsim sweep configs/sweeps/lenet5_systolic.yaml -j 2 (90 points), {repeats} runs; "
          f"target >= {SWEEP_TARGET_POINTS_S:g} points/s")
    with tempfile.TemporaryDirectory() as tmp:
        for what, extra in (("workers (default)", []), ("a process per point", ["--process-per-point"])):
            runs = [sweep_rate(binary, spec, extra, tmp) for _ in range(repeats)]
            rates = [r for r, _ in runs]
            cpu_ms = statistics.median(c for _, c in runs) * 1e3
            line = (f"  {what:<22} median {statistics.median(rates):>6.1f}  best {max(rates):>6.1f} points/s, "
                    f"{cpu_ms:.1f} ms of processor time a point")
            if not extra:
                median = statistics.median(rates)
                line += (f"  (target {SWEEP_TARGET_POINTS_S:g}: met)" if median >= SWEEP_TARGET_POINTS_S else
                         f"  (target {SWEEP_TARGET_POINTS_S:g}: MISSED by {1 - median / SWEEP_TARGET_POINTS_S:.0%}; "
                         f"2 cores at {SWEEP_TARGET_POINTS_S:g} points/s allow {2e3 / SWEEP_TARGET_POINTS_S:g} ms a point)")
            print(line)


# Issue 19: the mapper under 5 ms a layer on one core on every shipped PE-array
# design, and its cost independent of the batch (batch 64 within 1.5x of batch 1).
MAPPER_TARGET_MS_A_LAYER = 5.0
BATCH_RATIO_TARGET = 1.5
# Designs that compute in 16 bits get every tensor of a trace at 16 bits.
SIXTEEN_BIT_DESIGNS = {"eyeriss_v1", "eyeriss_v1_mesh", "isaac", "puma"}


def map_times(binary, arch, workload, extra):
    """Each array layer's search time in ms from `qnnsim map` (its own timer, one core), or None
    when the design has no PE-array mapper (in-memory chips, dataflow designs) or cannot take the layer.
    Vector layers (pooling, adds: their mapping has no DRAM loops) are left out."""
    out = subprocess.run(one_core([binary, "map", arch, workload] + extra), capture_output=True, text=True,
                         env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
    if out.returncode != 0:
        return None
    lines = out.stdout.splitlines()
    header = [i for i, l in enumerate(lines) if l.startswith("layer ")]
    if not header:
        return None
    times = []
    for l in lines[header[0] + 1:]:
        if not l.strip():
            break
        if " DRAM " in l:
            times.append(float(l.split()[1]))
    return times


def mapper_per_layer(binary):
    """The mapper's search time a layer (qnnsim map, EDP), max and mean over the array layers of ResNet-50, VGG-16 and
    MobileNet together, on every shipped design that has a PE-array mapper, batch 1, one core, one run each.
    A layer whose shape an earlier layer had takes that layer's mapping without a search."""
    print(f"\nmapper search time a layer (qnnsim map, batch 1, one core) over ResNet-50, VGG-16 and MobileNet; "
          f"target < {MAPPER_TARGET_MS_A_LAYER:g} ms a layer")
    print(f"{'design':<20} {'array layers':>12} {'max ms':>8} {'mean ms':>8}  slowest")
    for path in sorted(glob.glob(os.path.join(ROOT, "arch", "*.yaml"))):
        name = os.path.splitext(os.path.basename(path))[0]
        extra = ALL_16_BIT if name in SIXTEEN_BIT_DESIGNS else []
        times, slowest, skipped = [], ("", 0.0), []
        for wl in ("resnet50", "vgg16", "mobilenet_v1"):
            t = map_times(binary, path, os.path.join(ROOT, "workloads", wl + ".yaml"), extra)
            if t is None:
                skipped.append(wl)
                continue
            times += t
            if max(t) > slowest[1]:
                slowest = (wl, max(t))
        if not times:
            continue  # no PE-array mapper on this design
        worst = max(times)
        mark = "met" if worst < MAPPER_TARGET_MS_A_LAYER else f"MISSED by {worst / MAPPER_TARGET_MS_A_LAYER:.1f}x"
        note = f"  (does not take {', '.join(skipped)})" if skipped else ""
        print(f"{name:<20} {len(times):>12} {worst:>8.2f} {statistics.mean(times):>8.3f}  {slowest[0]}  ({mark}){note}")


def mapper_batch_ratio(binary):
    """The mapper's whole search for ResNet-50 at batch 64 over batch 1 (qnnsim map, one core, one run each:
    a batch-64 search takes tens of seconds)."""
    print(f"\nmapper search time for ResNet-50, batch 64 over batch 1 (qnnsim map, one core, one run each); "
          f"target <= {BATCH_RATIO_TARGET:g}x")
    wl = os.path.join(ROOT, "workloads", "resnet50.yaml")
    for name in ("systolic_ws", "eyeriss_v1"):
        arch = os.path.join(ROOT, "arch", name + ".yaml")
        extra = ALL_16_BIT if name in SIXTEEN_BIT_DESIGNS else []
        total = {b: sum(map_times(binary, arch, wl, extra + ["--batch", str(b)])) for b in (1, 64)}
        ratio = total[64] / total[1]
        mark = "met" if ratio <= BATCH_RATIO_TARGET else f"MISSED by {ratio / BATCH_RATIO_TARGET:.1f}x"
        print(f"  {name:<14} batch 1 {total[1]:>8.1f} ms  batch 64 {total[64]:>8.1f} ms  ratio {ratio:.2f}x  ({mark})")


def run_batch_ratio(binary, repeats):
    """ResNet-50 end to end (qnnsim run, search included, one core) at batch 64 over batch 1:
    issue 19 asks the whole run, not only the search, to stay within 1.5x."""
    print(f"\nqnnsim run of ResNet-50 end to end, batch 64 over batch 1 (one core, median of {repeats}); "
          f"target <= {BATCH_RATIO_TARGET:g}x")
    wl = os.path.join(ROOT, "workloads", "resnet50.yaml")
    for name in ("systolic_ws", "eyeriss_v1"):
        arch = os.path.join(ROOT, "arch", name + ".yaml")
        extra = ALL_16_BIT if name in SIXTEEN_BIT_DESIGNS else []
        wall = {b: measure(binary, arch, wl, b, repeats, extra=extra)[0] for b in (1, 64)}
        ratio = wall[64] / wall[1]
        mark = "met" if ratio <= BATCH_RATIO_TARGET else f"MISSED by {ratio / BATCH_RATIO_TARGET:.1f}x"
        print(f"  {name:<14} batch 1 {wall[1]:>7.3f} s  batch 64 {wall[64]:>7.3f} s  ratio {ratio:.2f}x  ({mark})")


def eval_speed(binary, repeats):
    """qnnsim eval on all 10,000 Fashion-MNIST test images (Debian's dataset-fashion-mnist), 8/8 bits:
    the integer path on one core, and ISAAC's crossbar numerics on two (issue 18: seconds, not minutes)."""
    print("\nqnnsim eval, 10,000 Fashion-MNIST test images, 8/8 bits, min-max on 1000 training images")
    print("(wall: the whole command; float, quantized, calibration: each phase's processor seconds)")
    print(f"{'model':<18} {'numerics':<26} {'wall s':>7} {'peak MiB':>9} {'float s':>8} {'quant s':>8} {'calib s':>8}"
          "  top-1 float / quantized")
    cases = [("lenet5_fashion", "integer, one core", one_core, []),
             ("mnist_cnn_fashion", "integer, one core", one_core, []),
             ("lenet5_fashion", "ISAAC crossbars, 2 jobs", list, ["--arch", "isaac", "--jobs", "2"])]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "eval.json")
        for model, numerics, cores, extra in cases:
            runs = [run_once(cores([binary, "eval", model, "--quiet", "--json", out] + extra)) for _ in range(repeats)]
            with open(out) as f:
                r = json.load(f)  # the phases' own processor times, from the last run
            print(f"{model:<18} {numerics:<26} {statistics.median(w for w, _ in runs):>7.2f} "
                  f"{max(m for _, m in runs):>9.1f} {r['float_cpu_s']:>8.2f} {r['quantized_cpu_s']:>8.2f} "
                  f"{r['calibration_cpu_s']:>8.2f}  "
                  f"{r['float_accuracy_fraction']:.2%} / {r['quantized_accuracy_fraction']:.2%}")


def placement_text(binary, arch, workload, extra):
    """What a design without a PE-array mapper does instead: a hybrid whose placement is searched
    (placement.search) says how many placements its search scored; any other places its layers by rule."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        subprocess.run([binary, "run", arch, workload, "--quiet", "--json", report] + extra, check=True,
                       capture_output=True, env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
        with open(report) as f:
            searched = json.load(f).get("hybrid", {}).get("placement_search")
    if searched is None:
        return "(no mapper: layers placed, not searched)"
    return (f"(placement search: {searched['placements_scored']} placements scored, "
            f"{searched['runs_simulated']} part runs simulated)")


def shipped_designs_resnet50(binary, repeats):
    """ResNet-50, batch 1, end to end (search included) on every shipped design, one core."""
    print("\nResNet-50 (workloads/resnet50.yaml), batch 1, end to end on every shipped design, one core")
    print(f"{'design':<14} {'wall s':>7} {'target':>7} {'peak MiB':>9}  mapper search")
    # A design that computes in 16 bits gets every tensor at 16 bits; one the
    # workload cannot run on says why instead of a figure.
    # Issue 19: under 0.2 s on Eyeriss v1 and on the systolic design (issue 14's
    # 1 s on Eyeriss v1 is the looser of its two).
    targets = {"eyeriss_v1": 0.2, "systolic_ws": 0.2}
    wl = os.path.join(ROOT, "workloads", "resnet50.yaml")
    for path in sorted(glob.glob(os.path.join(ROOT, "arch", "*.yaml"))):
        name = os.path.splitext(os.path.basename(path))[0]
        extra = ALL_16_BIT if name in SIXTEEN_BIT_DESIGNS else []
        probe = subprocess.run([binary, "run", path, wl, "--quiet"] + extra, capture_output=True, text=True,
                               env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
        if probe.returncode != 0:
            reason = (probe.stderr.strip().splitlines() or ["failed"])[-1]
            reason = reason.replace(ROOT + os.sep, "")  # the clone's own files, named as in the repository
            print(f"{name:<14} {'-':>7} {'':>7} {'':>9}  does not run ResNet-50: {reason[:100]}")
            continue
        wall, mem = measure(binary, path, wl, 1, repeats, extra=extra)
        target = targets.get(name)
        mark = "" if target is None else ("  (met)" if wall < target else "  (MISSED)")
        search = subprocess.run(one_core([binary, "map", path, wl] + extra), capture_output=True, text=True,
                                env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
        lines = [l for l in search.stdout.splitlines() if l.startswith("search time")]
        search_text = lines[0][len("search time: "):] if lines else placement_text(binary, path, wl, extra)
        target_text = f"< {target:g}" if target is not None else ""
        print(f"{name:<14} {wall:>7.3f} {target_text:>7} {mem:>9.1f}  {search_text}{mark}")


if __name__ == "__main__":
    main()
