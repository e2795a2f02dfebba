#!/usr/bin/env python3
"""The pause a swap of the disk driver causes (docs/disk-performance.md, "Swap pause").

    python3 tools/bench/swap.py [--build build] [--runs 3] [--modes icount,wall]

Boots Missive on the storage benchmarks' machine (tools/bench/storage.py: q35, its AHCI
controller, one CPU, TCG) with the test initrd and etc/tests/swap-pause.manifest: blocktest
writes 4 KiB at a time, at queue depth 1, and swaps the AHCI driver for a second copy of itself
(bin/ahci-v2) half-way; it prints the gap between the completion of the write before the swap
and that of the first one after it, and the longest gap before it, in rdtsc ticks. Under
-icount shift=0 a tick is a guest instruction, while the guest runs: when it halts, QEMU warps
the clock forward by the real time that passes, so the figure counts the idle time too (no idle
spinner here: a swap's waits are part of the pause). Without icount rdtsc is the host's TSC,
converted with benchcsv.host_tsc_hz(). The serial console goes to a file, so console output
costs what it costs on `make run`. Prints one line per run and the median of each mode.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcsv  # noqa: E402
import storage  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINE = re.compile(r"^blocktest: pause: .* gap across it (\d+) ticks, longest gap (\d+) ticks, "
                  r"longest before it (\d+) ticks", re.M)
DONE = re.compile(r"^blocktest: pause: \d+ passed, \d+ failed$", re.M)
TROUBLE = re.compile(r"KERNEL PANIC|^fault:|FAIL", re.M)


def make_iso(build):
    iso = os.path.join(build, "swap-pause.iso")
    subprocess.run(["bash", os.path.join(REPO, "tools", "mkiso.sh"), iso,
                    os.path.join(build, "kernel.elf"), os.path.join(build, "initrd-test.cpio"),
                    "loglevel=warn", "init=bin/procsrv", "--",
                    "manifest=etc/tests/swap-pause.manifest"],
                   check=True, stdout=subprocess.DEVNULL)
    return iso


def run(build, iso, mode, n):
    """One boot: (gap across the swap, longest gap before it) in ticks."""
    image, log = os.path.join(build, "swap-pause.img"), os.path.join(build, f"swap-{mode}.log")
    storage.fresh_image(image, 64 << 20)
    cmd = storage.QEMU + storage.disk_args(image) + ["-serial", f"file:{log}", "-cdrom", iso]
    if mode == "icount":
        cmd += ["-icount", "shift=0"]
    text, error = storage.boot(cmd, log, DONE, TROUBLE, 300, f"swap pause, {mode} run {n}")
    m = LINE.search(text)
    if error or not m or not re.search(r"^blocktest: pause: \d+ passed, 0 failed$", text, re.M):
        sys.exit(f"swap.py: {mode} run {n}: {error or 'no pause line'}\n{storage.tail(text)}")
    return int(m.group(1)), int(m.group(3))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--modes", default="icount,wall")
    args = ap.parse_args()
    iso = make_iso(args.build)
    hz = None
    for mode in args.modes.split(","):
        gaps = []
        for n in range(1, args.runs + 1):
            across, before = run(args.build, iso, mode, n)
            gaps.append(across)
            if mode == "icount":
                print(f"  icount: the swap's gap {across:,} instructions (longest write before "
                      f"it {before:,})")
            else:
                hz = hz or benchcsv.host_tsc_hz()
                print(f"  wall: the swap's gap {across / hz * 1e3:.1f} ms (longest write before "
                      f"it {before / hz * 1e3:.2f} ms)")
        median = statistics.median(gaps)
        if mode == "icount":
            print(f"swap pause, icount: median {median:,.0f} instructions of {len(gaps)} runs")
        else:
            print(f"swap pause, wall clock: median {median / hz * 1e3:.1f} ms of {len(gaps)} runs")


if __name__ == "__main__":
    main()
