#!/usr/bin/env python3
"""Host checks of the Linux comparison's pieces (docs/ipc-performance.md,
"Linux side by side"), without QEMU: linuxbench run as a plain program on
this host, compare.py on small CSVs made here, and fetch-kernel.sh with a
stand-in apt-get (no network).

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
FETCH_KERNEL = os.path.join(TOP, "tools", "bench", "linux", "fetch-kernel.sh")


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


# Stands in for apt-get and sudo in FetchKernel: logs its arguments; as
# `apt-get download PACKAGE=VERSION` it writes the file apt would name, with
# content that is not the package, or fails if FAKE_APT_FAIL is set.
FAKE_TOOL = """#!/bin/sh
echo "$(basename "$0") $*" >> "$FAKE_LOG"
[ -z "$FAKE_APT_FAIL" ] || exit 100
if [ "$(basename "$0")" = apt-get ] && [ "$1" = download ]; then
    for a in "$@"; do
        case "$a" in *=*) printf 'not a package' > "${a%%=*}_${a#*=}_amd64.deb" ;; esac
    done
fi
"""


class FetchKernel(unittest.TestCase):
    """fetch-kernel.sh only downloads (apt-get download of the pinned package
    and version, no install, no sudo), and keeps nothing whose SHA-256 is not
    the pinned one."""

    def fetch(self, d, *args, fail=False):
        bin_dir = os.path.join(d, "bin")
        os.makedirs(bin_dir, exist_ok=True)
        for tool in ("apt-get", "sudo"):
            path = os.path.join(bin_dir, tool)
            with open(path, "w") as f:
                f.write(FAKE_TOOL)
            os.chmod(path, 0o755)
        env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"],
                   FAKE_LOG=os.path.join(d, "log"), FAKE_APT_FAIL="1" if fail else "")
        r = subprocess.run(["bash", FETCH_KERNEL, *args], capture_output=True, text=True,
                           env=env, timeout=60)
        if not os.path.exists(env["FAKE_LOG"]):
            return r, []
        with open(env["FAKE_LOG"]) as f:
            return r, f.read().splitlines()

    def pins(self):
        with open(FETCH_KERNEL) as f:
            text = f.read()
        return {k: text.split(f"\n{k}=", 1)[1].split("\n", 1)[0] for k in ("package", "version")}

    def test_wrong_checksum(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "kernel")
            r, log = self.fetch(d, out)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("does not have the pinned SHA-256", r.stderr)
            self.assertEqual(os.listdir(out), [])  # the bad file is gone, nothing unpacked
            pins = self.pins()
            self.assertEqual(log, [f"apt-get download -q {pins['package']}={pins['version']}"])
            self.assertEqual(r.stdout, "")

    def test_download_fails(self):
        with tempfile.TemporaryDirectory() as d:
            r, log = self.fetch(d, os.path.join(d, "kernel"), fail=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("snapshot.debian.org", r.stderr)
            self.assertIn("LINUX_KERNEL=PATH", r.stderr)
            self.assertEqual(len(log), 1)
            self.assertTrue(log[0].startswith("apt-get download "), log)

    def test_usage(self):
        with tempfile.TemporaryDirectory() as d:
            r, log = self.fetch(d)
            self.assertEqual(r.returncode, 2)
            self.assertIn("usage: fetch-kernel.sh DIR", r.stderr)
            self.assertEqual(log, [])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    LINUXBENCH = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
