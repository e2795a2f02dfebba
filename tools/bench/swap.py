#!/usr/bin/env python3
"""The pause a swap of the disk driver causes (docs/disk-performance.md, "Swap pause").

    python3 tools/bench/swap.py [--build build] [--runs 3] [--modes icount,wall]

Boots Missive on the storage benchmarks' machine (tools/bench/storage.py: q35, its AHCI
controller, one CPU, TCG) with the test initrd and etc/tests/swap-pause.manifest: blocktest
writes 4 KiB at a time, at queue depth 1, while a second blocktest (swapafter, as the shell
would) swaps the AHCI driver for a second copy of itself (bin/ahci-v2). The writer prints the
gap across the handover (from the completion of the last write before its session was opened
again to that of the write that reopened it) and its eight longest gaps with their times; the
swapper prints when it asked and when procsrv answered. So each run gives: the handover's gap,
the gap the request fell in (procsrv building the new instance), and the longest gap of the
whole stream, in rdtsc ticks; the pause is the longer of the first two. Under
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
GAP = re.compile(r"^blocktest: pause: gap (\d+) ticks from tsc (\d+) to (\d+)$", re.M)
ASKED = re.compile(r"^blocktest: swapafter: .* asked at tsc (\d+), answered at tsc (\d+)$", re.M)
# Both programs done (the swapper says its line a second after the swap, the writer may end
# before or after it).
DONE = re.compile(r"(?=.*^blocktest: pause: \d+ passed, \d+ failed$)"
                  r"(?=.*^blocktest: swapafter: \d+ passed, \d+ failed$)", re.M | re.S)
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
    """One boot: (gap across the handover, gap the request fell in, longest gap) in ticks; the
    request's gap is 0 if it is not among the eight longest (then it is shorter than they)."""
    image, log = os.path.join(build, "swap-pause.img"), os.path.join(build, f"swap-{mode}.log")
    storage.fresh_image(image, 64 << 20)
    cmd = storage.QEMU + storage.disk_args(image) + ["-serial", f"file:{log}", "-cdrom", iso]
    if mode == "icount":
        cmd += ["-icount", "shift=0"]
    text, error = storage.boot(cmd, log, DONE, TROUBLE, 300, f"swap pause, {mode} run {n}")
    m = LINE.search(text)
    if error or not m or not re.search(r"^blocktest: pause: \d+ passed, 0 failed$", text, re.M):
        sys.exit(f"swap.py: {mode} run {n}: {error or 'no pause line'}\n{storage.tail(text)}")
    asked = ASKED.search(text)
    request = 0
    for g in GAP.finditer(text):
        if asked and int(g.group(2)) <= int(asked.group(1)) < int(g.group(3)):
            request = int(g.group(1))
    return int(m.group(1)), request, int(m.group(2))


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
            across, request, longest = run(args.build, iso, mode, n)
            gaps.append(max(across, request))
            load = open("/proc/loadavg").read().split()[0]
            if mode == "icount":
                print(f"  icount: the swap's pause {max(across, request):,} instructions "
                      f"(handover {across:,}, request {request:,}; longest gap of the stream "
                      f"{longest:,}; load {load})")
            else:
                hz = hz or benchcsv.host_tsc_hz()
                ms = [x / hz * 1e3 for x in (max(across, request), across, request, longest)]
                print(f"  wall: the swap's pause {ms[0]:.1f} ms (handover {ms[1]:.1f} ms, request "
                      f"{ms[2]:.1f} ms; longest gap of the stream {ms[3]:.1f} ms; load {load})")
        median = statistics.median(gaps)
        if mode == "icount":
            print(f"swap pause, icount: median {median:,.0f} instructions of {len(gaps)} runs")
        else:
            print(f"swap pause, wall clock: median {median / hz * 1e3:.1f} ms of {len(gaps)} runs")


if __name__ == "__main__":
    main()
