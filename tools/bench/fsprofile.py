#!/usr/bin/env python3
"""Where QEMU's host time goes during one row of `make bench-fs` (docs/fs-performance.md):
boots one system in fs.py's wall-clock configuration under `perf record` (all of QEMU's
threads, named by -name debug-threads=on), waits for the first pass's line of ROW, stops
perf and QEMU, and prints `perf report` of the row's own time only: the window of the row's
seconds (its ticks over the host's TSC frequency) that ends when its line appeared in the
serial log, on perf's CLOCK_MONOTONIC timestamps (the log is polled every 20 ms, so the
window's end is late by at most that).

    fsprofile.py --system linux|missive [--row write-fsync-64m] --build DIR
                 [--missive-build DIR --mkfs-hmfs PATH] [--linux-kernel K --linux-initrd I]
                 [--perf-data FILE] [--sort comm,dso,sym] [--call-graph] [--events E1,E2]

--events adds perf events (uprobes on QEMU's functions, made first with `perf probe -x
/usr/bin/qemu-system-x86_64 ...`, and removed after with `perf probe -d NAME`: they change
the host's tracing state until then) and prints how many fired in the row's window: e.g. CR3
writes, each of which empties TCG's soft TLB (docs/fs-performance.md, 2026-12-07 night).

The boot runs fs.py's wall rows (Missive: etc/fsbench-wall.manifest; Linux: -r 1); QEMU is
killed once the row's line is there, so the rows after it do not run.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcsv  # noqa: E402
import fs  # noqa: E402
import storage  # noqa: E402


def command(args, image, log):
    """QEMU's command line for args.system in fs.py's wall configuration, the disk image
    made afresh as fs.py makes it."""
    storage.fresh_image(image)
    disks = storage.disk_args(image)
    if args.system == "linux":
        subprocess.run(fs.MKFS_EXT4 + [image], check=True)
        return fs.QEMU + disks + ["-kernel", args.linux_kernel, "-initrd", args.linux_initrd,
                                  "-append", "console=ttyS0 quiet -- -m fs -z full -r 1",
                                  "-serial", f"file:{log}"]
    subprocess.run([args.mkfs_hmfs, image, f"{storage.DISK_BYTES >> 20}M"], check=True,
                   stdout=subprocess.DEVNULL)
    iso = storage.make_iso(args.missive_build, "fsbench-wall", "etc/fsbench-wall.manifest")
    return fs.QEMU + disks + ["-cdrom", iso, "-serial", f"file:{log}"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--system", required=True, choices=["linux", "missive"])
    ap.add_argument("--row", default="write-fsync-64m", choices=fs.ROWS)
    ap.add_argument("--build", default="build/bench-disk")
    ap.add_argument("--missive-build", default="build/bench")
    ap.add_argument("--mkfs-hmfs", default="build/tools/mkfs.hmfs")
    ap.add_argument("--linux-kernel")
    ap.add_argument("--linux-initrd")
    ap.add_argument("--perf-data")
    ap.add_argument("--sort", default="comm,dso,sym")
    ap.add_argument("--call-graph", action="store_true", help="perf record -g")
    ap.add_argument("--events", default="",
                    help="more perf events (e.g. uprobes made by perf probe -x QEMU FUNCTION), "
                         "comma-separated: their counts in the row's window are printed")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    if args.system == "linux" and not (args.linux_kernel and args.linux_initrd):
        ap.error("linux needs --linux-kernel and --linux-initrd")
    os.makedirs(args.build, exist_ok=True)
    events = [e for e in args.events.split(",") if e]
    log = os.path.join(args.build, f"{args.system}-fsprofile.log")
    data = args.perf_data or os.path.join(args.build, f"{args.system}-fsprofile.perf")
    cmd = command(args, os.path.join(args.build, "fs.img"), log)
    cmd[1:1] = ["-name", "bench,debug-threads=on"]
    if os.path.exists(log):
        os.remove(log)
    print("fsprofile: " + " ".join(cmd), flush=True)
    # perf starts QEMU, so every thread QEMU makes is recorded from its start.
    perf = subprocess.Popen(["perf", "record", "-q", "-k", "CLOCK_MONOTONIC",
                             "-e", "cpu-clock/freq=2000/", *[a for e in events for a in ("-e", e)],
                             *(["-g"] if args.call_graph else []), "-o", data, "--", *cmd],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    prefix = "FS," + ("hmfs:" if args.system == "missive" else "")
    row = re.compile(rf"^{re.escape(prefix + args.row)},(\d+),(\d+),(\d+),(\d+)\s*$", re.M)
    start, found = time.monotonic(), None
    try:
        while found is None and perf.poll() is None and time.monotonic() - start < args.timeout:
            time.sleep(0.02)
            found = row.search(storage.read(log))
    finally:  # also on Ctrl-C or an error: nothing left running
        end = time.monotonic()
        # QEMU ends on SIGTERM; perf then writes its data and ends.
        children = subprocess.run(["pgrep", "-P", str(perf.pid)], capture_output=True, text=True)
        for pid in children.stdout.split():
            os.kill(int(pid), signal.SIGTERM)
        perf.wait()
    if found is None:
        print(f"fsprofile: no {args.row} line in {log}:\n{storage.tail(storage.read(log))}")
        return 1
    seconds = int(found.group(3)) / benchcsv.host_tsc_hz()
    print(f"fsprofile: {found.group(0).strip()}: {seconds:.3f} s, "
          f"{int(found.group(2)) / seconds / 2**20:.1f} MiB/s; load average "
          f"{open('/proc/loadavg').read().split()[0]}; perf data {data}", flush=True)
    window = f"{end - seconds:.6f},{end:.6f}"
    if events:
        script = subprocess.run(["perf", "script", "-i", data, "--time", window, "-F",
                                 "time,event"], capture_output=True, text=True).stdout
        names = [line.split()[1].rstrip(":") for line in script.splitlines()
                 if len(line.split()) > 1]
        for e in events:
            print(f"fsprofile: {e}: {names.count(e)} in the row")
    return subprocess.run(["perf", "report", "-i", data, "--stdio", "--time", window, "--sort",
                           args.sort, "--percent-limit", "0.3", "-g", "none"]).returncode


if __name__ == "__main__":
    sys.exit(main())
