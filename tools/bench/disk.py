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
          TSC frequency): throughput, the least time of --repeats passes over the rows in
          each of --rounds boots per system, the systems' boots interleaved (boot_order).

Every boot starts from a fresh sparse image. Writes results/disk-<system>-<mode>.csv and the
table results/disk.md; exits non-zero if a boot fails, a row is missing or a check failed.

    disk.py --build DIR [--missive-build DIR] [--linux-kernel VMLINUZ --linux-initrd CPIO]
            [--systems linux,missive] [--modes icount,wall] [--size full|check] [--repeats N]
            [--rounds N] [--nvme-ioeventfd] [--missive-kernel-args ARGS]
"""
import functools
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import storage  # noqa: E402

ROWS = ["seq-write-128k-qd1", "seq-read-128k-qd1", "seq-write-128k-qd32", "seq-read-128k-qd32",
        "rand-read-4k-qd1", "rand-read-4k-qd32"]


def disks(args):
    """Both disks' QEMU arguments, each a fresh image."""
    image, nvme = os.path.join(args.build, "disk.img"), os.path.join(args.build, "nvme.img")
    storage.fresh_image(image)
    storage.fresh_image(nvme)
    return storage.disk_args(image) + storage.nvme_args(nvme, args.nvme_ioeventfd)


def boot_linux(args, mode, suffix, device="/dev/sda"):
    name = "linux" if device == "/dev/sda" else "linux-nvme"
    return storage.boot_linux(args, mode, storage.QEMU, disks(args), f"-d {device}",
                              os.path.join(args.build, f"{name}-{mode}{suffix}.log"),
                              f"bench-disk: {name} {mode}{suffix}")


def boot_linux_both(args, mode, suffix=""):
    """Linux on /dev/sda, then on /dev/nvme0n1 (its lines, which name no target, named nvme:
    here): one log text, the first error. suffix: the round's, in the logs' names."""
    text, error = boot_linux(args, mode, suffix)
    nvme_text, nvme_error = boot_linux(args, mode, suffix, "/dev/nvme0n1")
    nvme_text = re.sub(r"^DISK,", "DISK,nvme:", nvme_text, flags=re.M)
    return text + nvme_text, error or nvme_error


def boot_missive(args, mode, suffix=""):
    """Missive with procsrv starting etc/diskbench[-MODE].manifest. suffix: the round's, in the
    log's name."""
    manifest = {"icount": "diskbench", "wall": "diskbench-wall", "check": "diskbench-check"}
    return storage.boot_missive(args, mode, storage.QEMU, disks(args),
                                manifest["check" if args.size == "check" else mode],
                                os.path.join(args.build, f"missive-{mode}{suffix}.log"),
                                f"bench-disk: missive {mode}{suffix}")


def boot_order(systems, rounds):
    """The boots of a mode as [(round, system)]: every system once a round, the order reversed
    every other round (linux, missive, missive, linux, ...). A depth-1 row's wall-clock time
    follows the host's load, which changes within minutes (docs/disk-performance.md, "Why the
    depth-1 rows swung"), so each system's best is taken over boots spread across the same
    minutes, neither always first."""
    order = []
    for r in range(rounds):
        order += [(r, system) for system in (systems if r % 2 == 0 else systems[::-1])]
    return order


def table(results):
    """The markdown of results/disk.md from {(system, mode): {(target, row): line}} and the
    host's TSC frequency (results["tsc_hz"])."""
    get = functools.partial(storage.result, results)  # get(system, mode, target, row)

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
    ap = storage.arguments(__doc__, repeats=5, timeout=1200)
    ap.add_argument("--no-write", action="store_true", help="check only: no results files")
    ap.add_argument("--nvme-ioeventfd", action="store_true",
                    help="the NVMe controller with QEMU's ioeventfd=on (both systems)")
    ap.add_argument("--rounds", type=int, default=2,
                    help="wall-clock boots of each system, interleaved (the best of each row)")
    ap.add_argument("--missive-kernel-args", default="",
                    help="more options for Missive's kernel command line (e.g. idlepoll=0)")
    args, systems, modes = storage.parse_arguments(ap)

    results, failed = {}, False
    for mode in modes:
        rounds = args.rounds if mode == "wall" else 1
        for rnd, system in boot_order(systems, rounds):
            suffix = f"-{rnd + 1}" if rounds > 1 else ""
            boot = boot_linux_both if system == "linux" else boot_missive
            text, error = boot(args, mode, suffix)
            targets = ["disk", "nvme"] if system == "linux" else ["ahci", "nvme"] + (
                ["ramdisk"] if mode == "icount" else [])
            lines, problem = storage.take(f"bench-disk: {system} {mode}{suffix}", text, error,
                                          "DISK", [(t, r) for t in targets for r in ROWS])
            failed |= problem is not None
            # The least time of each row over this mode's rounds so far. A failed boot's rows
            # that did come count too (the run still fails): dropping a whole Linux round for a
            # stall of its NVMe boot would leave Linux's AHCI rows fewer boots than Missive's.
            print(f"bench-disk: {system} {mode}{suffix}: {len(lines)} rows")
            earlier = results.get((system, mode), {})
            lines = storage.best(list(earlier.values()) + list(lines.values()))
            results[(system, mode)] = lines
            if mode == "wall":
                storage.note_tsc(results, "bench-disk")
            if not args.no_write:
                storage.write_csv(os.path.join(args.results, f"disk-{system}-{mode}.csv"), mode,
                                  lines, results.get("tsc_hz"))
    storage.write_table(table(results),
                        None if args.no_write else os.path.join(args.results, "disk.md"),
                        "bench-disk")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
