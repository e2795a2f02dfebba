#!/usr/bin/env python3
"""Boots Debian's Linux kernel with the linuxbench initramfs in QEMU, once under
-icount shift=0 (instructions) and once without (wall-clock time), and writes
results/linux-icount.csv and results/linux-wall.csv in the format of
tools/bench/benchcsv.py. docs/ipc-performance.md, "Linux side by side", tells
the method.

Usage: run.py --kernel VMLINUZ --initrd CPIO [--build DIR] [--results DIR]
              [--modes icount,wall] [--iterations N] [--warmup N] [--timeout S]
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchcsv  # noqa: E402  (tools/bench, beside this directory)

# What every boot must print: the 1-CPU set, then the 2-CPU set.
EXPECTED = ["null-syscall", "null-syscall-enosys"] + [
    f"{t}-{kind}-{cpus}cpu" for cpus in (1, 2) for t in ("pipe", "unix", "futex")
    for kind in ("rtt", "oneway")]

# The QEMU configuration Missive's benchmarks use, with two CPUs. maxcpus=1
# keeps Linux from starting the second CPU at boot, which hangs under icount
# (QEMU-NOTES); linuxbench brings it online after the 1-CPU set.
QEMU = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "qemu64",
        "-m", "512M", "-smp", "2", "-display", "none", "-no-reboot",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
KERNEL_ARGS = "console=ttyS0 quiet maxcpus=1"


def boot(mode, args):
    """Boots the kernel once in mode (icount or wall); returns the serial log's
    text. Exits the program if QEMU fails or outlives the timeout."""
    serial = os.path.join(args.build, f"serial-{mode}.txt")
    if os.path.exists(serial):
        os.remove(serial)
    cmd = QEMU + (["-icount", "shift=0"] if mode == "icount" else []) + [
        "-kernel", args.kernel, "-initrd", args.initrd,
        "-append", f"{KERNEL_ARGS} -- -n {args.iterations} -w {args.warmup}",
        "-serial", f"file:{serial}"]
    print(f"bench-linux: {mode}: {' '.join(cmd)}", flush=True)
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        sys.exit(f"bench-linux: {mode}: QEMU did not end within {args.timeout} s; "
                 f"see {serial}")
    print(f"bench-linux: {mode}: QEMU ended after {time.monotonic() - start:.0f} s "
          f"with status {proc.returncode}", flush=True)
    with open(serial, errors="replace") as f:
        text = f.read()
    # linuxbench powers off when done (status 0); it reports a failure with
    # code v through isa-debug-exit, which ends QEMU with (v << 1) | 1.
    if proc.returncode != 0:
        code = f" (linuxbench's code {proc.returncode >> 1})" if proc.returncode & 1 else ""
        sys.exit(f"bench-linux: {mode}: QEMU ended with status {proc.returncode}{code}; "
                 f"see {serial}")
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True, help="the vmlinuz to boot")
    ap.add_argument("--initrd", required=True, help="the initramfs with linuxbench as /init")
    ap.add_argument("--build", default="build/bench-linux", help="where serial logs go")
    ap.add_argument("--results", default="results", help="where the CSVs go")
    ap.add_argument("--modes", default="icount,wall")
    ap.add_argument("--iterations", type=int, default=10000)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--timeout", type=int, default=900, help="seconds per boot")
    args = ap.parse_args()
    modes = args.modes.split(",")
    if any(m not in ("icount", "wall") for m in modes):
        ap.error(f"unknown mode in {args.modes!r} (icount, wall)")
    os.makedirs(args.build, exist_ok=True)

    failed = False
    for mode in modes:
        text = boot(mode, args)
        for line in text.splitlines():
            if line.startswith("# ") or line.startswith("linuxbench:"):
                print(f"bench-linux: {mode}: guest {line}")
        rows = benchcsv.parse_serial(text)
        missing = [n for n in EXPECTED if n not in {r["benchmark"] for r in rows}]
        if missing:
            print(f"bench-linux: {mode}: missing from the guest's output: {', '.join(missing)}",
                  file=sys.stderr)
            failed = True
        if not rows:
            continue
        tsc_hz = benchcsv.host_tsc_hz() if mode == "wall" else None
        if tsc_hz:
            print(f"bench-linux: host TSC {tsc_hz / 1e6:.1f} MHz")
        path = os.path.join(args.results, f"linux-{mode}.csv")
        benchcsv.write_csv(path, benchcsv.to_unit(rows, mode, tsc_hz))
        print(f"bench-linux: wrote {path} ({len(rows)} benchmarks)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
