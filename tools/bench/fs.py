#!/usr/bin/env python3
"""`make bench-fs`: HMFS against Linux's ext4 on the same emulated disk in the same QEMU
configuration (storage.py), in one run; docs/fs-performance.md tells the method.

Both systems run the rows of lib/fsbench over their POSIX calls: Missive's apps/diskbench
(-m fs) through libsys to the HMFS server on its AHCI disk, Linux's linuxdisk (-m fs) through
glibc to ext4 on /dev/sda. The image is made afresh on the host before every boot: by the
host's mkfs.ext4 for Linux, by mkfs.hmfs (tools/hmfs, built by make) for Missive. Each system
boots under -icount shift=0 with the idle spinner (instructions per operation) and without
icount (wall clock, the least of --repeats passes).

Writes results/fs-<system>-<mode>.csv and the table results/fs.md; exits non-zero if a boot
fails or a row is missing.

    fs.py --build DIR [--missive-build DIR --mkfs-hmfs PATH] [--linux-kernel VMLINUZ
          --linux-initrd CPIO] [--systems linux,missive] [--modes icount,wall]
          [--size full|check] [--repeats N]
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
ROWS = ["write-fsync-64m", "read-64m", "create-10k", "stat-10k", "list-10k", "delete-10k"]
BYTE_ROWS = {"write-fsync-64m", "read-64m"}  # shown in MiB/s; the others in operations/s

LINUX_DONE = re.compile(r"^# linuxdisk: done", re.M)
LINUX_TROUBLE = re.compile(r"Kernel panic.*|^linuxdisk: (?!powering off).*|EXT4-fs error.*",
                           re.M)
MISSIVE_DONE = re.compile(r"^diskbench: done, (\d+) failed", re.M)
MISSIVE_TROUBLE = re.compile(r"KERNEL PANIC.*|^fault:.*|.*killed$|^diskbench: FAIL.*", re.M)
# The CPU of both systems: QEMU's Nehalem, the first x86_64 with SSE4.2, instead of the storage
# benchmarks' qemu64, so each checksums with the crc32 instruction as on any x86_64 of the last
# fifteen years (HMFS every block, lib/hmfs/crc32c_hw.c; ext4 its metadata, through the
# crc32c-intel module linuxdisk loads) rather than with a table in software
# (docs/fs-performance.md, "Method"). A whole CPU model, not qemu64 with +sse4.2: glibc picks
# its string functions by CPUID, and its SSE4.2 ones use SSSE3 too.
CPU = "Nehalem"
QEMU = [CPU if arg == "qemu64" else arg for arg in storage.QEMU]
assert CPU in QEMU, "storage.QEMU names -cpu qemu64"

# The ext4 the host's mkfs.ext4 makes: 4 KiB blocks, inode tables and journal written now
# (not lazily by a kernel thread while the rows run); everything else its defaults.
MKFS_EXT4 = ["mkfs.ext4", "-q", "-F", "-b", "4096", "-E", "lazy_itable_init=0,lazy_journal_init=0"]


def boot_linux(args, mode):
    log = os.path.join(args.build, f"linux-fs-{mode}.log")
    image = os.path.join(args.build, "fs.img")
    storage.fresh_image(image)
    subprocess.run(MKFS_EXT4 + [image], check=True)
    guest = f"-m fs -z {args.size}" + (" -s" if mode == "icount" else f" -r {args.repeats}")
    cmd = QEMU + (["-icount", "shift=0"] if mode == "icount" else []) + \
        storage.disk_args(image) + \
        ["-kernel", args.linux_kernel, "-initrd", args.linux_initrd,
         "-append", f"console=ttyS0 quiet -- {guest}", "-serial", f"file:{log}"]
    print(f"bench-fs: linux {mode}: {' '.join(cmd)}", flush=True)
    return storage.boot(cmd, log, LINUX_DONE, LINUX_TROUBLE, args.timeout,
                        f"bench-fs: linux {mode}")


def boot_missive(args, mode):
    log = os.path.join(args.build, f"missive-fs-{mode}.log")
    image = os.path.join(args.build, "fs.img")
    storage.fresh_image(image)
    subprocess.run([args.mkfs_hmfs, image, f"{storage.DISK_BYTES >> 20}M"], check=True,
                   stdout=subprocess.DEVNULL)
    name = "fsbench-check" if args.size == "check" else (
        "fsbench" if mode == "icount" else "fsbench-wall")
    iso = os.path.join(args.missive_build, f"{name}.iso")
    subprocess.run(["bash", os.path.join(REPO, "tools", "mkiso.sh"), iso,
                    os.path.join(args.missive_build, "kernel.elf"),
                    os.path.join(args.missive_build, "initrd.cpio"),
                    "loglevel=warn", "init=bin/procsrv", "--", f"manifest=etc/{name}.manifest"],
                   check=True, stdout=subprocess.DEVNULL)
    cmd = QEMU + (["-icount", "shift=0"] if mode == "icount" else []) + \
        storage.disk_args(image) + ["-cdrom", iso, "-serial", f"file:{log}"]
    print(f"bench-fs: missive {mode}: {' '.join(cmd)}", flush=True)
    text, error = storage.boot(cmd, log, MISSIVE_DONE, MISSIVE_TROUBLE, args.timeout,
                               f"bench-fs: missive {mode}")
    done = MISSIVE_DONE.search(text)
    if not error and done and done.group(1) != "0":
        error = f"diskbench reports {done.group(1)} failures"
    return text, error


def table(results):
    """The markdown of results/fs.md from {(system, mode): {(target, row): line}} and the
    host's TSC frequency (results["tsc_hz"])."""
    def get(system, mode, target, row):
        return results.get((system, mode), {}).get((target, row))

    def rate(line, row):
        s = storage.seconds(line, results.get("tsc_hz"))
        if s is None:
            return None
        return line[3] / s / 2**20 if row in BYTE_ROWS else line[2] / s

    f = storage.fmt
    out = ["| row | unit | Linux ext4 | Missive HMFS | HMFS ÷ ext4 | ext4 instructions/op "
           "| HMFS instructions/op | HMFS ÷ ext4 |",
           "|---|---|--:|--:|--:|--:|--:|--:|"]
    for row in ROWS:
        tl, tm = rate(get("linux", "wall", "disk", row), row), rate(get("missive", "wall", "hmfs", row), row)
        il = storage.instructions(get("linux", "icount", "disk", row))
        im = storage.instructions(get("missive", "icount", "hmfs", row))
        unit = "MiB/s" if row in BYTE_ROWS else "operations/s"
        out.append(f"| `{row}` | {unit} | {f(tl, 1)} | {f(tm, 1)} | {storage.ratio(tm, tl)} "
                   f"| {f(il)} | {f(im)} | {storage.ratio(im, il)} |")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build/bench-disk", help="logs and the disk image")
    ap.add_argument("--missive-build", default="build/bench", help="kernel.elf, initrd.cpio")
    ap.add_argument("--mkfs-hmfs", default="build/tools/mkfs.hmfs")
    ap.add_argument("--linux-kernel")
    ap.add_argument("--linux-initrd")
    ap.add_argument("--results", default="results")
    ap.add_argument("--systems", default="linux,missive")
    ap.add_argument("--modes", default="icount,wall")
    ap.add_argument("--size", default="full", choices=["full", "check"])
    ap.add_argument("--repeats", type=int, default=3, help="passes over the rows (wall)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per boot")
    args = ap.parse_args()
    systems, modes = args.systems.split(","), args.modes.split(",")
    if "linux" in systems and not (args.linux_kernel and args.linux_initrd):
        ap.error("linux needs --linux-kernel and --linux-initrd")
    os.makedirs(args.build, exist_ok=True)

    results, failed = {}, False
    for mode in modes:
        for system in systems:
            text, error = (boot_linux if system == "linux" else boot_missive)(args, mode)
            for line in storage.guest_comments(text, "# "):
                print(f"bench-fs: {system} {mode}: guest {line}")
            lines = storage.best(storage.parse(text, "FS"))
            target = "disk" if system == "linux" else "hmfs"
            missing = [r for r in ROWS if (target, r) not in lines]
            if error or missing:
                print(f"bench-fs: {system} {mode}: FAILED: "
                      f"{error or 'missing rows ' + ', '.join(missing)}\n{storage.tail(text)}")
                failed = True
                if not lines:
                    continue
            results[(system, mode)] = lines
            if mode == "wall" and "tsc_hz" not in results:
                results["tsc_hz"] = benchcsv.host_tsc_hz()
                print(f"bench-fs: host TSC {results['tsc_hz'] / 1e9:.3f} GHz")
            storage.write_csv(os.path.join(args.results, f"fs-{system}-{mode}.csv"), mode, lines,
                              results.get("tsc_hz"))
    lines = table(results)
    print("\n".join(lines))
    path = os.path.join(args.results, "fs.md")
    os.makedirs(args.results, exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"bench-fs: wrote {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
