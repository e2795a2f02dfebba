#!/usr/bin/env python3
"""`make bench-disk`: Missive against Linux on the same emulated disk in the same QEMU
configuration (storage.py), in one run; docs/disk-performance.md tells the method.

Both systems run the rows of lib/diskbench (the same requests, data and checks) on two disks,
an AHCI disk and an NVMe namespace, both attached in every boot: Missive's apps/diskbench over
the block protocol to its AHCI and NVMe drivers (and, for the protocol's own cost, to the
ramdisk), Linux's linuxdisk over io_uring to /dev/sda and (a second boot) /dev/nvme0n1. Each
system boots twice per disk set:

  icount  under -icount shift=0 with the idle spinner (diskbench.h): guest instructions per
          request, (ticks - spin ticks) / requests;
  wall    without icount (TCG's rdtsc is the host's TSC, converted with the host's measured
          TSC frequency): throughput, the least time of --repeats passes over the rows.

Every boot starts from a fresh sparse image. Writes results/disk-<system>-<mode>.csv and the
table results/disk.md; exits non-zero if a boot fails, a row is missing or a check failed.

    disk.py --build DIR [--missive-build DIR] [--linux-kernel VMLINUZ --linux-initrd CPIO]
            [--systems linux,missive] [--modes icount,wall] [--size full|check] [--repeats N]
            [--nvme-ioeventfd]
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcsv  # noqa: E402
import storage  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROWS = ["seq-write-128k-qd1", "seq-read-128k-qd1", "seq-write-128k-qd32", "seq-read-128k-qd32",
        "rand-read-4k-qd1", "rand-read-4k-qd32"]

LINUX_DONE = re.compile(r"^# linuxdisk: done", re.M)
LINUX_TROUBLE = re.compile(r"Kernel panic.*|^linuxdisk: (?!powering off).*", re.M)
MISSIVE_DONE = re.compile(r"^diskbench: done, (\d+) failed", re.M)
MISSIVE_TROUBLE = re.compile(r"KERNEL PANIC.*|^fault:.*|.*killed$|^diskbench: FAIL.*", re.M)


def disks(args):
    """Both disks' QEMU arguments, each a fresh image."""
    image, nvme = os.path.join(args.build, "disk.img"), os.path.join(args.build, "nvme.img")
    storage.fresh_image(image)
    storage.fresh_image(nvme)
    return storage.disk_args(image) + storage.nvme_args(nvme, args.nvme_ioeventfd)


def boot_linux(args, mode, device="/dev/sda"):
    name = "linux" if device == "/dev/sda" else "linux-nvme"
    log = os.path.join(args.build, f"{name}-{mode}.log")
    guest = f"-d {device} -z {args.size}" + (" -s" if mode == "icount" else f" -r {args.repeats}")
    cmd = storage.QEMU + (["-icount", "shift=0"] if mode == "icount" else []) + \
        disks(args) + \
        ["-kernel", args.linux_kernel, "-initrd", args.linux_initrd,
         "-append", f"console=ttyS0 quiet -- {guest}", "-serial", f"file:{log}"]
    print(f"bench-disk: {name} {mode}: {' '.join(cmd)}", flush=True)
    text, error = storage.boot(cmd, log, LINUX_DONE, LINUX_TROUBLE, args.timeout,
                               f"bench-disk: {name} {mode}")
    return text, error


def boot_linux_both(args, mode):
    """Linux on /dev/sda, then on /dev/nvme0n1 (its lines, which name no target, named nvme:
    here): one log text, the first error."""
    text, error = boot_linux(args, mode)
    nvme_text, nvme_error = boot_linux(args, mode, "/dev/nvme0n1")
    nvme_text = re.sub(r"^DISK,", "DISK,nvme:", nvme_text, flags=re.M)
    return text + nvme_text, error or nvme_error


def missive_iso(args, mode):
    """The ISO whose procsrv starts etc/diskbench[-MODE].manifest."""
    manifest = {"icount": "diskbench", "wall": "diskbench-wall", "check": "diskbench-check"}
    name = manifest["check" if args.size == "check" else mode]
    iso = os.path.join(args.missive_build, f"{name}.iso")
    subprocess.run(["bash", os.path.join(REPO, "tools", "mkiso.sh"), iso,
                    os.path.join(args.missive_build, "kernel.elf"),
                    os.path.join(args.missive_build, "initrd.cpio"),
                    "loglevel=warn", "init=bin/procsrv", "--", f"manifest=etc/{name}.manifest"],
                   check=True, stdout=subprocess.DEVNULL)
    return iso


def boot_missive(args, mode):
    log = os.path.join(args.build, f"missive-{mode}.log")
    iso = missive_iso(args, mode)
    cmd = storage.QEMU + (["-icount", "shift=0"] if mode == "icount" else []) + \
        disks(args) + ["-cdrom", iso, "-serial", f"file:{log}"]
    print(f"bench-disk: missive {mode}: {' '.join(cmd)}", flush=True)
    text, error = storage.boot(cmd, log, MISSIVE_DONE, MISSIVE_TROUBLE, args.timeout,
                               f"bench-disk: missive {mode}")
    done = MISSIVE_DONE.search(text)
    if not error and done and done.group(1) != "0":
        error = f"diskbench reports {done.group(1)} failures"
    return text, error


def table(results):
    """The markdown of results/disk.md from {(system, mode): {(target, row): line}} and the
    host's TSC frequency (results["tsc_hz"])."""
    def get(system, mode, target, row):
        return results.get((system, mode), {}).get((target, row))

    def mib_s(line):
        s = storage.seconds(line, results.get("tsc_hz"))
        return None if s is None else line[3] / s / 2**20

    f = storage.fmt
    out = ["| disk | row | Linux MiB/s | Missive MiB/s | Missive ÷ Linux "
           "| Linux instructions/request | Missive instructions/request | Missive ÷ Linux "
           "| ramdisk instructions/request |",
           "|---|---|--:|--:|--:|--:|--:|--:|--:|"]
    for disk, linux_target, target in (("AHCI", "disk", "ahci"), ("NVMe", "nvme", "nvme")):
        for row in ROWS:
            tl = mib_s(get("linux", "wall", linux_target, row))
            tm = mib_s(get("missive", "wall", target, row))
            il = storage.instructions(get("linux", "icount", linux_target, row))
            im = storage.instructions(get("missive", "icount", target, row))
            ir = storage.instructions(get("missive", "icount", "ramdisk", row))
            out.append(f"| {disk} | `{row}` | {f(tl, 1)} | {f(tm, 1)} | {storage.ratio(tm, tl)} "
                       f"| {f(il)} | {f(im)} | {storage.ratio(im, il)} | {f(ir)} |")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build/bench-disk", help="logs and the disk image")
    ap.add_argument("--missive-build", default="build/bench", help="kernel.elf, initrd.cpio")
    ap.add_argument("--linux-kernel")
    ap.add_argument("--linux-initrd")
    ap.add_argument("--results", default="results")
    ap.add_argument("--systems", default="linux,missive")
    ap.add_argument("--modes", default="icount,wall")
    ap.add_argument("--size", default="full", choices=["full", "check"])
    ap.add_argument("--repeats", type=int, default=5, help="passes over the rows (wall)")
    ap.add_argument("--timeout", type=float, default=1200, help="seconds per boot")
    ap.add_argument("--no-write", action="store_true", help="check only: no results files")
    ap.add_argument("--nvme-ioeventfd", action="store_true",
                    help="the NVMe controller with QEMU's ioeventfd=on (both systems)")
    args = ap.parse_args()
    systems, modes = args.systems.split(","), args.modes.split(",")
    if "linux" in systems and not (args.linux_kernel and args.linux_initrd):
        ap.error("linux needs --linux-kernel and --linux-initrd")
    os.makedirs(args.build, exist_ok=True)

    results, failed = {}, False
    for mode in modes:
        for system in systems:
            text, error = (boot_linux_both if system == "linux" else boot_missive)(args, mode)
            for line in storage.guest_comments(text, "# "):
                print(f"bench-disk: {system} {mode}: guest {line}")
            lines = storage.best(storage.parse(text, "DISK"))
            targets = ["disk", "nvme"] if system == "linux" else ["ahci", "nvme"] + (
                ["ramdisk"] if mode == "icount" else [])
            missing = [f"{t}:{r}" for t in targets for r in ROWS if (t, r) not in lines]
            if error or missing:
                print(f"bench-disk: {system} {mode}: FAILED: "
                      f"{error or 'missing rows ' + ', '.join(missing)}\n{storage.tail(text)}")
                failed = True
                if error:
                    continue
            results[(system, mode)] = lines
            if mode == "wall" and "tsc_hz" not in results:
                results["tsc_hz"] = benchcsv.host_tsc_hz()
                print(f"bench-disk: host TSC {results['tsc_hz'] / 1e9:.3f} GHz")
            if not args.no_write:
                storage.write_csv(os.path.join(args.results, f"disk-{system}-{mode}.csv"), mode,
                                  lines, results.get("tsc_hz"))
    lines = table(results)
    print("\n".join(lines))
    if not args.no_write:
        path = os.path.join(args.results, "disk.md")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        print(f"bench-disk: wrote {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
