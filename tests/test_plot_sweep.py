#!/usr/bin/python3
"""scripts/plot_sweep.py on a small synthetic sweep database whose Pareto fronts are known.

Run by ctest; on its own:  /usr/bin/python3 tests/test_plot_sweep.py
"""
import hashlib
import json
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts", "plot_sweep.py")

# The schema the sweep runner writes.
SCHEMA = """
CREATE TABLE sweeps(name TEXT PRIMARY KEY, spec TEXT, created_at TEXT);
CREATE TABLE points(hash TEXT PRIMARY KEY, sweep TEXT, point_index INTEGER, params TEXT,
  status TEXT, error TEXT, arch TEXT, workload TEXT, batch INTEGER,
  energy_pj REAL, latency_s REAL, edp_pj_s REAL, area_mm2 REAL, throughput_gops REAL, gops_per_w REAL,
  pe_utilization_fraction REAL, macs INTEGER, dram_bytes REAL, cycles INTEGER, wall_s REAL, finished_at TEXT);
CREATE TABLE params(hash TEXT, name TEXT, value TEXT, PRIMARY KEY(hash, name));
CREATE TABLE layers(hash TEXT, layer_index INTEGER, name TEXT, type TEXT, macs INTEGER, cycles INTEGER, latency_s REAL,
  energy_pj REAL, pe_utilization_fraction REAL, dram_bytes REAL, PRIMARY KEY(hash, layer_index));
CREATE TABLE energy(hash TEXT, component TEXT, energy_pj REAL, PRIMARY KEY(hash, component));
"""

# lenet5 in sweep s1: name -> (energy mJ, latency ms, throughput GOPS, area mm2).
# On energy vs latency (both minimised) the front is A, B, D, F: C ties B's
# latency at more energy, H and E are beaten by B and D, G by F.
# On energy (min) vs throughput (max) it is A, B, C, E, G.
LENET = {
    "A": (1.0, 9.0, 10, 0.1), "B": (2.0, 5.0, 30, 0.5), "C": (3.0, 5.0, 40, 1.0), "D": (4.0, 2.0, 20, 2.0),
    "E": (5.0, 6.0, 50, 5.0), "F": (8.0, 1.0, 45, 10.0), "G": (9.0, 1.5, 60, 20.0), "H": (2.5, 7.0, 5, 50.0),
}
FRONT_ENERGY_LATENCY = ["A", "B", "D", "F"]
FRONT_ENERGY_THROUGHPUT = ["A", "B", "C", "E", "G"]
COMPONENTS = {"dram": 0.5, "spad": 0.3, "glb": 0.15, "mac": 0.05}  # shares of each point's energy


def digest(name):
    return hashlib.sha1(name.encode()).hexdigest()


def add_point(db, name, sweep, index, workload, figures, params):
    h = digest(name)
    if figures is None:
        db.execute("INSERT INTO points(hash, sweep, point_index, params, status, error, arch, workload, batch) "
                   "VALUES(?,?,?,?,'failed','mapper found no mapping','systolic_ws',?,1)",
                   (h, sweep, index, json.dumps(params), workload))
    else:
        energy_mj, latency_ms, gops, area = figures
        e, t = energy_mj * 1e9, latency_ms * 1e-3  # the database holds pJ and s
        db.execute("INSERT INTO points(hash, sweep, point_index, params, status, arch, workload, batch, energy_pj, "
                   "latency_s, edp_pj_s, area_mm2, throughput_gops) VALUES(?,?,?,?,'ok','systolic_ws',?,1,?,?,?,?,?)",
                   (h, sweep, index, json.dumps(params), workload, e, t, e * t, area, gops))
        db.executemany("INSERT INTO energy VALUES(?,?,?)", [(h, c, e * share) for c, share in COMPONENTS.items()])
    db.executemany("INSERT INTO params VALUES(?,?,?)", [(h, n, str(v)) for n, v in params.items()])
    return h


def build_db(path):
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.execute("INSERT INTO sweeps VALUES('s1', '{}', '2024-01-01T00:00:00Z')")
    db.execute("INSERT INTO sweeps VALUES('s2', '{}', '2024-01-01T00:00:00Z')")
    hashes = {}
    for i, (name, figures) in enumerate(LENET.items()):
        params = {"arch.pe_array.rows": 8 * (i + 1), "arch.pe_array.cols": 16, "bits.weights": 8, "tag": name}
        hashes[name] = add_point(db, name, "s1", i, "lenet5", figures, params)
    for i, name in enumerate(["X", "Y"]):  # failed: NULL figures
        hashes[name] = add_point(db, name, "s1", 8 + i, "lenet5", None, {"arch.pe_array.rows": 1000 + i, "tag": name})
    for i, name in enumerate(["t1", "t2", "t3"]):  # a second, smaller workload in another sweep
        hashes[name] = add_point(db, name, "s2", i, "tiny", (1.0 + i, 3.0 - i, 1, 1.0), {"tag": name})
    # Unreadable JSON: the parameters come from the params table instead.
    db.execute("UPDATE points SET params = '{broken' WHERE hash = ?", (hashes["t2"],))
    db.commit()
    db.close()
    assert len({h[:8] for h in hashes.values()}) == len(hashes), "hash prefixes must differ"
    return hashes


def run(*args):
    return subprocess.run(["/usr/bin/python3", SCRIPT, *args], capture_output=True, text=True)


def front_lines(stdout):
    """The printed front: the indented lines, each '  HASH  X=..  Y=..  params'."""
    return [line.split() for line in stdout.splitlines() if line.startswith("  ")]


class PlotSweep(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.db = os.path.join(cls.tmp.name, "sweep.db")
        cls.hashes = build_db(cls.db)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def out(self, name):
        return os.path.join(self.tmp.name, name)

    def assert_png(self, path):
        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(data[12:16], b"IHDR")
        width, height = struct.unpack(">II", data[16:24])
        self.assertGreater(width, height)  # two panels side by side
        self.assertGreater(len(data), 20_000)

    def assert_ok(self, done):
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("Traceback", done.stderr)

    def assert_front(self, stdout, names, x, y):
        lines = front_lines(stdout)
        self.assertEqual([line[0] for line in lines], [self.hashes[n][:8] for n in names], stdout)
        for line, name in zip(lines, names):
            self.assertTrue(line[1].startswith(x + "=") and line[2].startswith(y + "="), line)
            self.assertIn(f"tag={name}", line[3:])

    def test_default_front_and_png(self):
        done = run(self.db)  # default output: the database's name with .png
        self.assert_ok(done)
        self.assert_png(self.out("sweep.png"))
        self.assert_front(done.stdout, FRONT_ENERGY_LATENCY, "energy", "latency")
        lines = front_lines(done.stdout)
        self.assertAlmostEqual(float(lines[0][1].split("=")[1]), 1.0e-3)  # A's energy in joules
        self.assertAlmostEqual(float(lines[0][2].split("=")[1]), 9.0e-3)
        self.assertIn("lenet5: 4 of 8 ok points (2 failed)", done.stdout)
        self.assertIn("(x linear, y linear)", done.stdout)  # both span under 30x

    def test_maximised_throughput(self):
        done = run(self.db, "-o", self.out("tp.png"), "--x", "energy", "--y", "throughput", "--log")
        self.assert_ok(done)
        self.assert_png(self.out("tp.png"))
        self.assert_front(done.stdout, FRONT_ENERGY_THROUGHPUT, "energy", "throughput")
        self.assertIn("(x log, y log)", done.stdout)

    def test_wide_range_goes_log(self):
        # Area spans 500x, latency 9x: only x turns logarithmic.
        done = run(self.db, "-o", self.out("area.png"), "--x", "area", "--y", "latency")
        self.assert_ok(done)
        self.assertIn("(x log, y linear)", done.stdout)

    def test_labels_apart_and_log_past_30x(self):
        import importlib.util
        spec = importlib.util.spec_from_file_location("plot_sweep", SCRIPT)
        plot = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(plot)
        anchors = [(100, 100), (101, 100), (100, 102), (300, 300)]
        labels = [(x + dx, y + dy) for (x, y), (dx, dy) in zip(anchors, plot.label_offsets(anchors))]
        for i in range(len(labels)):
            for j in range(i):
                apart = abs(labels[i][0] - labels[j][0]) >= 10 or abs(labels[i][1] - labels[j][1]) >= 10
                self.assertTrue(apart, f"labels {j} and {i} overlap: {labels}")
        self.assertEqual(labels[3], (304, 304))  # a lone point keeps its label beside it
        self.assertTrue(plot.log_axis([1.0, 40.0], False, "x"))
        self.assertFalse(plot.log_axis([1.0, 20.0], False, "x"))

    def test_chosen_points_and_other_workload(self):
        done = run(self.db, "-o", self.out("pts.png"), "--points", self.hashes["C"][:6], self.hashes["H"][:10],
                   "--title", "chosen")
        self.assert_ok(done)
        self.assert_png(self.out("pts.png"))
        done = run(self.db, "-o", self.out("tiny.png"), "--workload", "tiny", "--sweep", "s2")
        self.assert_ok(done)
        self.assert_front(done.stdout, ["t1", "t2", "t3"], "energy", "latency")  # each trades energy for latency

    def assert_bad(self, done, *phrases):
        self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        for phrase in phrases:
            self.assertIn(phrase, done.stderr)

    def test_bad_input(self):
        self.assert_bad(run(self.out("missing.db")), "no such database")
        self.assertFalse(os.path.exists(self.out("missing.db")))  # not created by looking
        with open(self.out("text.db"), "w") as f:
            f.write("not a database\n" * 100)
        self.assert_bad(run(self.out("text.db")), "not a qnnsim sweep database")
        self.assert_bad(run(self.db, "--x", "power"), "invalid choice")
        self.assert_bad(run(self.db, "--x", "energy", "--y", "energy"), "two different objectives")
        self.assert_bad(run(self.db, "--workload", "resnet"), "unknown workload 'resnet'", "lenet5 (10 points)",
                        "tiny (3 points)")
        self.assert_bad(run(self.db, "--sweep", "s9"), "no points of sweep 's9'", "s1, s2")
        self.assert_bad(run(self.db, "--points", "zzzz"), "hash starting 'zzzz'")
        self.assert_bad(run(self.db, "--points", self.hashes["X"][:8]), "no successful point")  # failed
        self.assert_bad(run(self.db, "-o", self.out("no/such/dir.png")), "cannot write")
        failed = self.out("failed.db")
        db = sqlite3.connect(failed)
        db.executescript(SCHEMA)
        add_point(db, "X", "s1", 0, "lenet5", None, {"rows": 4})
        db.commit()
        db.close()
        self.assert_bad(run(failed), "no successful points", "1 failed")

    def test_accuracy_axis_leaves_off_points_failing_a_constraint(self):
        # A sweep with an accuracy: section: P is cheapest but fails its
        # constraint on accuracy; on energy (min) vs accuracy (max) the front
        # is Q, R (S is beaten by Q). An older file's points have no accuracy.
        path = self.out("accuracy.db")
        db = sqlite3.connect(path)
        db.executescript(SCHEMA)
        for column in ("accuracy_fraction REAL", "adc_clip_fraction REAL", "constraint_violations TEXT"):
            db.execute(f"ALTER TABLE points ADD COLUMN {column}")
        hashes = {}
        points = {"P": (1.0, 0.10, "accuracy >= 0.5"), "Q": (2.0, 0.90, None), "R": (3.0, 0.95, None),
                  "S": (2.5, 0.85, None)}
        for i, (name, (energy_mj, accuracy, violation)) in enumerate(points.items()):
            hashes[name] = add_point(db, name, "acc", i, "cnn", (energy_mj, 1.0, 1, 1.0), {"tag": name})
            db.execute("UPDATE points SET accuracy_fraction = ?, constraint_violations = ? WHERE hash = ?",
                       (accuracy, violation, hashes[name]))
        db.commit()
        db.close()
        done = run(path, "--x", "energy", "--y", "accuracy", "-o", self.out("accuracy.png"))
        self.assert_ok(done)
        self.assert_png(self.out("accuracy.png"))
        lines = front_lines(done.stdout)
        self.assertEqual([line[0] for line in lines], [hashes[n][:8] for n in ("Q", "R")], done.stdout)
        self.assertIn("1 failing a constraint on results left off", done.stdout)
        self.assertIn("y=accuracy (max)", done.stdout)
        # The synthetic file of the other cases predates the columns: it has no accuracy to plot.
        self.assert_bad(run(self.db, "--y", "accuracy", "-o", self.out("none.png")), "no successful points")


if __name__ == "__main__":
    sys.exit(unittest.main(verbosity=2))
