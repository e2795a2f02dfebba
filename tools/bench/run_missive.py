#!/usr/bin/env python3
"""Runs ipcbench on Missive in QEMU and collects its figures (`make bench-missive`,
docs/ipc-performance.md).

    python3 tools/bench/run_missive.py --build build/bench [--results results]
        [--modes icount,wall] [--timeout 900] [--smp 2] [--kernel-args 'idlepoll=0']

For each mode boots BUILD/bench.iso (made here from BUILD/kernel.elf and BUILD/initrd.cpio,
procsrv starting etc/bench.manifest) headless with -smp 2 and COM2 (a second -serial, for
irq-latency): mode icount under -icount shift=0 (figures in instructions), mode wall without
(TCG's rdtsc is the host's TSC; figures in ns via benchcsv.host_tsc_hz()). The serial log
goes to BUILD/bench-MODE.log, the figures to RESULTS/missive-MODE.csv. Exits non-zero if a
run times out, ipcbench reports a failure or a benchmark is missing; implausible icount
figures (plausible.py) fail too, wall-clock ones only warn (TCG's timing is noisy).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcsv  # noqa: E402
import plausible  # noqa: E402
import storage  # noqa: E402  (booting and watching the serial log)

DONE = re.compile(r"^ipcbench: done, (\d+) benchmarks, (\d+) failed", re.M)
TROUBLE = re.compile(r"KERNEL PANIC|^fault:|killed$|ipcbench: (FAIL|cannot|no memory)", re.M)


def boot(iso, log, mode, smp, timeout):
    """Boots iso until ipcbench is done, trouble shows or timeout; returns (log text, error)."""
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "qemu64",
           "-m", "512M", "-smp", str(smp), "-no-reboot", "-display", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", f"file:{log}", "-serial", "null", "-monitor", "none", "-cdrom", iso]
    if mode == "icount":
        cmd += ["-icount", "shift=0"]
    # ipcbench does not power off: QEMU is stopped as soon as it is done.
    return storage.boot(cmd, log, DONE, TROUBLE, timeout, f"bench-missive: {mode}", poll=0.5,
                        grace=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build/bench")
    ap.add_argument("--results", default="results")
    ap.add_argument("--modes", default="icount,wall")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--kernel-args", default="",
                    help="more kernel options, e.g. idlepoll=0 (docs/smp.md)")
    args = ap.parse_args()
    iso = storage.make_iso(args.build, "bench", "etc/bench.manifest",
                           kernel_args=args.kernel_args)
    failed = False
    tsc_hz = None
    for mode in args.modes.split(","):
        text, error = boot(iso, os.path.join(args.build, f"bench-{mode}.log"), mode, args.smp,
                           args.timeout)
        done = DONE.search(text)
        if not error and done and done.group(2) != "0":
            error = f"ipcbench reports {done.group(2)} failures"
        rows = benchcsv.parse_serial(text)
        issues = plausible.problems(rows)
        if error:
            print(f"bench-missive: {mode}: FAILED: {error}")
            for line in text.strip().splitlines()[-10:]:
                print(f"  | {line}")
            failed = True
            continue
        for issue in issues:
            print(f"bench-missive: {mode}: {'FAILED' if mode == 'icount' else 'warning'}: {issue}")
        failed |= bool(issues) and mode == "icount"
        if mode == "wall" and tsc_hz is None:
            tsc_hz = benchcsv.host_tsc_hz()
            print(f"bench-missive: host TSC {tsc_hz / 1e9:.3f} GHz")
        path = os.path.join(args.results, f"missive-{mode}.csv")
        benchcsv.write_csv(path, benchcsv.to_unit(rows, mode, tsc_hz))
        print(f"bench-missive: {mode}: {len(rows)} benchmarks -> {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
