#!/usr/bin/env python3
"""Host checks of the Linux comparison's pieces (docs/ipc-performance.md,
"Linux side by side"), without QEMU: linuxbench run as a plain program on
this host, and compare.py on small CSVs made here.

Usage: test_bench_linux.py LINUXBENCH   (run by `make bench-linux-check`)
"""
import os
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools", "bench"))
import benchcsv  # noqa: E402

LINUXBENCH = None  # set from the command line
COMPARE = os.path.join(TOP, "tools", "bench", "compare.py")


class LinuxbenchOptions(unittest.TestCase):
    """Bad input gives the usage text and status 2, and nothing is measured."""

    def run_bench(self, *args):
        return subprocess.run([LINUXBENCH, *args], capture_output=True, text=True, timeout=60)

    def test_unknown_option(self):
        r = self.run_bench("-x")
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage: linuxbench", r.stderr)
        self.assertNotIn("CSV,", r.stdout)

    def test_bad_counts_and_sets(self):
        for args in (["-n", "0"], ["-n", "ten"], ["-n", "12x"], ["-w", "-1"], ["-s", "3cpu"],
                     ["extra"]):
            with self.subTest(args=args):
                r = self.run_bench(*args)
                self.assertEqual(r.returncode, 2)
                self.assertIn("usage: linuxbench", r.stderr)


class LinuxbenchRun(unittest.TestCase):
    """A short 1-CPU run on this host prints every 1-CPU benchmark in the
    shared format, with figures that are ordered as statistics must be."""

    def test_one_cpu_set(self):
        r = subprocess.run([LINUXBENCH, "-n", "200", "-w", "20", "-s", "1cpu"],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = {row["benchmark"]: row for row in benchcsv.parse_serial(r.stdout)}
        expected = ["null-syscall", "null-syscall-enosys"] + [
            f"{t}-{kind}-1cpu" for t in ("pipe", "unix", "futex") for kind in ("rtt", "oneway")]
        self.assertEqual(sorted(rows), sorted(expected))
        for name, row in rows.items():
            with self.subTest(name=name):
                self.assertEqual(row["iterations"], 200)
                self.assertLessEqual(row["min"], row["median"])
                self.assertLessEqual(row["median"], row["p99"])
                self.assertLessEqual(row["min"], row["mean"])
                self.assertGreaterEqual(row["stddev"], 0)
                self.assertGreater(row["median"], 0)  # a system call costs something
        # A round trip holds a one-way trip and more.
        for t in ("pipe", "unix", "futex"):
            self.assertGreater(rows[f"{t}-rtt-1cpu"]["median"], rows[f"{t}-oneway-1cpu"]["median"])


def write(path, rows, unit):
    """Writes a results CSV of (benchmark, median) pairs; the other figures
    are derived from the median so that each row is plausible."""
    benchcsv.write_csv(path, [
        {"benchmark": b, "unit": unit, "iterations": 10000, "min": m * 0.9, "median": m,
         "mean": m, "p99": m * 1.1, "stddev": 1.0, "overhead": 7.0} for b, m in rows])


class Compare(unittest.TestCase):
    """compare.py pairs the right benchmarks, computes Linux ÷ Missive, and
    reports missing files, rows and unreadable files instead of failing."""

    def compare(self, d):
        r = subprocess.run([sys.executable, COMPARE, "--results", d], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(d, "compare.md")) as f:
            return f.read()

    def test_pairs_and_ratios(self):
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "missive-icount.csv"),
                  [("null-syscall", 100), ("call-rtt-inter-as", 400),
                   ("call-rtt-cross-cpu", 1000)], "instructions")
            write(os.path.join(d, "linux-icount.csv"),
                  [("null-syscall", 300), ("pipe-rtt-1cpu", 12000), ("unix-rtt-1cpu", 16000),
                   ("futex-rtt-1cpu", 10000), ("pipe-rtt-2cpu", 15000)], "instructions")
            text = self.compare(d)
        self.assertIn("| `null-syscall` | 100 | `null-syscall` | 300 | 90 / 270 | 3.0× |", text)
        self.assertIn("| `call-rtt-inter-as` | 400 | `pipe-rtt-1cpu` | 12,000 |", text)
        self.assertIn("| `call-rtt-inter-as` | 400 | `futex-rtt-1cpu` | 10,000 | 360 / 9,000 "
                      "| 25.0× |", text)
        self.assertIn("| `call-rtt-cross-cpu` | 1,000 | `pipe-rtt-2cpu` | 15,000 | "
                      "900 / 13,500 | 15.0× |", text)
        # Rows one side lacks: a dash in the table and one line under Missing.
        self.assertIn("| `call-rtt-cross-cpu` | 1,000 | `unix-rtt-2cpu` | — | 900 / — | — |", text)
        self.assertEqual(text.count("icount: Linux has no `unix-rtt-2cpu`"), 1)
        self.assertEqual(text.count("icount: Missive has no `call-oneway-inter-as`"), 1)
        self.assertIn("missive-wall.csv`: not found", text)
        self.assertIn("linux-wall.csv`: not found", text)

    def test_nothing_and_garbage(self):
        with tempfile.TemporaryDirectory() as d:
            text = self.compare(d)
            self.assertEqual(text.count("No results for this mode."), 2)
            with open(os.path.join(d, "linux-wall.csv"), "w") as f:
                f.write("not,a,results,file\n1,2,3,4\n")
            with open(os.path.join(d, "missive-wall.csv"), "w") as f:
                f.write(",".join(benchcsv.HEADER) + "\nnull-syscall,ns,10,x,1,1,1,1,1\n")
            text = self.compare(d)
        self.assertIn("linux-wall.csv`: unreadable (its header is not", text)
        self.assertIn("missive-wall.csv`: unreadable (ValueError", text)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    LINUXBENCH = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
