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
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcsv  # noqa: E402
import plausible  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DONE = re.compile(r"^ipcbench: done, (\d+) benchmarks, (\d+) failed", re.M)
TROUBLE = re.compile(r"KERNEL PANIC|^fault:|killed$|ipcbench: (FAIL|cannot|no memory)", re.M)


def make_iso(build, kernel_args=""):
    iso = os.path.join(build, "bench.iso")
    subprocess.run(["bash", os.path.join(REPO, "tools", "mkiso.sh"), iso,
                    os.path.join(build, "kernel.elf"), os.path.join(build, "initrd.cpio"),
                    "loglevel=warn", *kernel_args.split(), "init=bin/procsrv", "--",
                    "manifest=etc/bench.manifest"],
                   check=True, stdout=subprocess.DEVNULL)
    return iso


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace").replace("\r\n", "\n")
    except FileNotFoundError:
        return ""


def boot(iso, log, mode, smp, timeout):
    """Boots iso until ipcbench is done, trouble shows or timeout; returns (log text, error)."""
    if os.path.exists(log):
        os.remove(log)
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "qemu64",
           "-m", "512M", "-smp", str(smp), "-no-reboot", "-display", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", f"file:{log}", "-serial", "null", "-monitor", "none", "-cdrom", iso]
    if mode == "icount":
        cmd += ["-icount", "shift=0"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    error = None
    while True:
        time.sleep(0.5)
        text = read(log)
        if DONE.search(text):
            break
        if TROUBLE.search(text):
            time.sleep(1)  # the rest of the report
            error = "trouble: " + TROUBLE.search(read(log)).group(0)
            break
        if proc.poll() is not None:
            error = f"QEMU ended with status {proc.returncode}: {proc.stderr.read().decode()}"
            break
        if time.monotonic() - start > timeout:
            error = f"timed out after {timeout} s"
            break
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    print(f"bench-missive: {mode}: {time.monotonic() - start:.0f} s, log {log}")
    return read(log), error


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
    iso = make_iso(args.build, args.kernel_args)
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
