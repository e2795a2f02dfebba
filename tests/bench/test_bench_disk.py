#!/usr/bin/env python3
"""Host checks of the disk comparison's pieces (docs/disk-performance.md), without QEMU:
linuxdisk run as a plain program on an image file in a temporary directory (usage errors,
every row at the check size, the spinner, a disk too small), and disk.py's parsing of the
guests' lines and its table.

Usage: test_bench_disk.py LINUXDISK   (run by `make bench-disk-check`)
"""
import os
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tools", "bench"))
import disk  # noqa: E402
import fs  # noqa: E402
import storage  # noqa: E402

LINUXDISK = None  # set from the command line
CHECK_AREA = 4 << 20


class LinuxdiskOptions(unittest.TestCase):
    """Bad input gives the usage text and status 2, and nothing is measured."""

    def test_bad_options(self):
        for args in (["-x"], ["-z", "huge"], ["-r", "0"], ["-r", "11"], ["-m", "net"], ["extra"]):
            with self.subTest(args=args):
                r = subprocess.run([LINUXDISK, *args], capture_output=True, text=True,
                                   timeout=60)
                self.assertEqual(r.returncode, 2)
                self.assertIn("usage: linuxdisk", r.stderr)
                self.assertNotIn("DISK,", r.stdout)


class LinuxdiskRun(unittest.TestCase):
    """The check-sized rows on an image file: every row, in order, with the requests and bytes
    lib/diskbench gives them; with -s the spinner's count is there too."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.image = os.path.join(self.dir.name, "disk.img")

    def tearDown(self):
        self.dir.cleanup()

    def run_disk(self, size, *args):
        with open(self.image, "wb") as f:
            f.truncate(size)
        return subprocess.run([LINUXDISK, "-d", self.image, "-z", "check", *args],
                              capture_output=True, text=True, timeout=120)

    def test_rows(self):
        r = self.run_disk(8 << 20, "-r", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = storage.parse(r.stdout, "DISK")
        self.assertEqual([line[1] for line in lines], disk.ROWS * 2)
        expected = {"seq-write-128k-qd1": 32, "seq-read-128k-qd1": 32,
                    "seq-write-128k-qd32": 32, "seq-read-128k-qd32": 32,
                    "rand-read-4k-qd1": 64, "rand-read-4k-qd32": 256}
        for target, row, requests, nbytes, ticks, spin in lines:
            with self.subTest(row=row):
                self.assertEqual(target, "disk")
                self.assertEqual(requests, expected[row])
                self.assertEqual(nbytes, requests * (4096 if row.startswith("rand") else 131072))
                self.assertGreater(ticks, 0)
                self.assertEqual(spin, 0)
        # The writes left the image stamped (diskbench.c's stamp: "missive!" ^ block number).
        with open(self.image, "rb") as f:
            f.seek(5 * 4096)
            stamp = int.from_bytes(f.read(8), "little")
        self.assertEqual(stamp, 0x6d69737369766521 ^ 5)
        self.assertIn("# linuxdisk: done", r.stdout)

    def test_spinner(self):
        r = self.run_disk(8 << 20, "-s")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = storage.parse(r.stdout, "DISK")
        self.assertEqual([line[1] for line in lines], disk.ROWS)
        # The spinner runs in the lowest class beside the rows: it counts, in multiples of its
        # three instructions, and never more than the ticks of the row.
        self.assertGreater(sum(line[5] for line in lines), 0)
        for line in lines:
            self.assertEqual(line[5] % 3, 0)

    def test_disk_too_small(self):
        r = self.run_disk(CHECK_AREA // 2)
        self.assertEqual(r.returncode, 1)
        self.assertIn("the rows need 4194304", r.stderr)
        self.assertNotIn("DISK,", r.stdout)


class LinuxdiskFilesystemRows(unittest.TestCase):
    """-m fs on a directory of this host (no mount): every lib/fsbench row, in order, with its
    operation counts at the check size, and the directory left with the big file only."""

    def test_fs_rows(self):
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run([LINUXDISK, "-m", "fs", "-d", d, "-z", "check", "-s"],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = storage.parse(r.stdout, "FS")
            self.assertEqual([line[1] for line in lines],
                             ["write-fsync-64m", "read-64m", "create-10k", "stat-10k",
                              "list-10k", "delete-10k"])
            counts = [(line[2], line[3]) for line in lines]
            self.assertEqual(counts, [(8, 1 << 20), (8, 1 << 20)] + [(100, 0)] * 4)
            self.assertEqual(sorted(os.listdir(os.path.join(d, "bench"))), ["big", "dir"])
            self.assertEqual(os.listdir(os.path.join(d, "bench", "dir")), [])
            self.assertEqual(os.path.getsize(os.path.join(d, "bench", "big")), 1 << 20)


class Parsing(unittest.TestCase):
    """disk.py reads both systems' lines, keeps the best of repeated rows, and its table
    divides the right figures."""

    LOG = ("noise\nDISK,ahci:rand-read-4k-qd1,4096,16777216,9000000,1000000\n"
           "DISK,ahci:rand-read-4k-qd1,4096,16777216,8000000,0\n"
           "DISK,ramdisk:rand-read-4k-qd1,4096,16777216,4096000,0\n"
           "DISK,rand-read-4k-qd1,4096,16777216,40960000,0\n"
           "DISK,broken,1,2\n")

    def test_parse_and_best(self):
        lines = storage.parse(self.LOG, "DISK")
        self.assertEqual(len(lines), 4)
        b = storage.best(lines)
        self.assertEqual(b[("ahci", "rand-read-4k-qd1")][4], 8000000)
        self.assertEqual(b[("disk", "rand-read-4k-qd1")][4], 40960000)

    def test_table(self):
        lines = storage.best(storage.parse(self.LOG, "DISK"))
        results = {("missive", "icount"): {k: v for k, v in lines.items() if k[0] != "disk"},
                   ("linux", "icount"): {k: v for k, v in lines.items() if k[0] == "disk"},
                   ("missive", "wall"): lines, ("linux", "wall"): lines, "tsc_hz": 1e9}
        row = [t for t in disk.table(results) if t.startswith("| AHCI | `rand-read-4k-qd1`")][0]
        cells = [c.strip() for c in row.split("|")[2:-1]]
        # Linux: 16 MiB in 40.96 ms; Missive: in 8 ms; instructions 10,000 against 1,953
        # (8,000,000 / 4096), the ramdisk 1,000.
        self.assertEqual(cells[1], "390.6")
        self.assertEqual(cells[2], "2,000.0")
        self.assertEqual(cells[3], "5.12×")
        self.assertEqual(cells[4], "10,000")
        self.assertEqual(cells[5], "1,953")
        self.assertEqual(cells[6], "0.20×")
        self.assertEqual(cells[7], "1,000")

    def test_table_nvme(self):
        """The NVMe rows: Missive's nvme: lines against Linux's (renamed nvme: by disk.py)."""
        log = ("DISK,nvme:seq-read-128k-qd32,2048,268435456,1000000000,0\n"
               "DISK,nvme:seq-read-128k-qd32,2048,268435456,500000000,0\n")
        lines = storage.best(storage.parse(log, "DISK"))
        results = {("missive", "wall"): lines, ("linux", "wall"): {
            ("nvme", "seq-read-128k-qd32"): ("nvme", "seq-read-128k-qd32", 2048, 268435456,
                                             1000000000, 0)}, "tsc_hz": 1e9}
        row = [t for t in disk.table(results)
               if t.startswith("| NVMe | `seq-read-128k-qd32`")][0]
        cells = [c.strip() for c in row.split("|")[2:-1]]
        self.assertEqual(cells[1], "256.0")
        self.assertEqual(cells[2], "512.0")
        self.assertEqual(cells[3], "2.00×")

    def test_boot_order(self):
        """Wall rounds interleave the systems, the order reversed every other round, so neither
        system's boots are always the earlier ones; one round is the plain order."""
        self.assertEqual(disk.boot_order(["linux", "missive"], 1),
                         [(0, "linux"), (0, "missive")])
        self.assertEqual(disk.boot_order(["linux", "missive"], 3),
                         [(0, "linux"), (0, "missive"), (1, "missive"), (1, "linux"),
                          (2, "linux"), (2, "missive")])
        self.assertEqual(disk.boot_order(["missive"], 2), [(0, "missive"), (1, "missive")])


class FsTable(unittest.TestCase):
    """fs.py's table: MiB/s for the big file's rows, operations per second for the others, and
    instructions per operation with the spinner left out."""

    def test_table(self):
        log = ("FS,write-fsync-64m,512,67108864,2000000000,0\n"
               "FS,hmfs:write-fsync-64m,512,67108864,1000000000,0\n"
               "FS,create-10k,10000,0,500000000,100000000\n"
               "FS,hmfs:create-10k,10000,0,1000000000,0\n")
        lines = storage.best(storage.parse(log, "FS"))
        linux = {k: v for k, v in lines.items() if k[0] == "disk"}
        missive = {k: v for k, v in lines.items() if k[0] == "hmfs"}
        results = {("linux", "icount"): linux, ("linux", "wall"): linux,
                   ("missive", "icount"): missive, ("missive", "wall"): missive, "tsc_hz": 1e9}
        rows = {r.split("|")[1].strip(): [c.strip() for c in r.split("|")[1:-1]]
                for r in fs.table(results) if r.startswith("| `")}
        # 64 MiB in 2 s and in 1 s; 512 chunks: 3,906,250 and 1,953,125 instructions each.
        self.assertEqual(rows["`write-fsync-64m`"][1:], ["MiB/s", "32.0", "64.0", "2.00×",
                                                          "3,906,250", "1,953,125", "0.50×"])
        # 10,000 files in 0.5 s and 1 s; (500M - 100M spun) / 10,000 = 40,000 against 100,000.
        self.assertEqual(rows["`create-10k`"][1:], ["operations/s", "20,000.0", "10,000.0",
                                                     "0.50×", "40,000", "100,000", "2.50×"])
        self.assertEqual(rows["`stat-10k`"][2:], ["—"] * 6)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    LINUXDISK = os.path.abspath(sys.argv.pop())
    unittest.main(verbosity=2)
