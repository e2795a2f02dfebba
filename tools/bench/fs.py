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
import functools
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import storage  # noqa: E402

ROWS = ["write-fsync-64m", "read-64m", "create-10k", "stat-10k", "list-10k", "delete-10k"]
BYTE_ROWS = {"write-fsync-64m", "read-64m"}  # shown in MiB/s; the others in operations/s

LINUX_TROUBLE = re.compile(storage.LINUX_TROUBLE.pattern + r"|EXT4-fs error.*", re.M)

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
    image = os.path.join(args.build, "fs.img")
    storage.fresh_image(image)
    subprocess.run(MKFS_EXT4 + [image], check=True)
    return storage.boot_linux(args, mode, QEMU, storage.disk_args(image), "-m fs",
                              os.path.join(args.build, f"linux-fs-{mode}.log"),
                              f"bench-fs: linux {mode}", LINUX_TROUBLE)


def boot_missive(args, mode):
    image = os.path.join(args.build, "fs.img")
    storage.fresh_image(image)
    subprocess.run([args.mkfs_hmfs, image, f"{storage.DISK_BYTES >> 20}M"], check=True,
                   stdout=subprocess.DEVNULL)
    name = "fsbench-check" if args.size == "check" else (
        "fsbench" if mode == "icount" else "fsbench-wall")
    return storage.boot_missive(args, mode, QEMU, storage.disk_args(image), name,
                                os.path.join(args.build, f"missive-fs-{mode}.log"),
                                f"bench-fs: missive {mode}")


def table(results):
    """The markdown of results/fs.md from {(system, mode): {(target, row): line}} and the
    host's TSC frequency (results["tsc_hz"])."""
    get = functools.partial(storage.result, results)  # get(system, mode, target, row)

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
    ap = storage.arguments(__doc__, repeats=3, timeout=1800)
    ap.add_argument("--mkfs-hmfs", default="build/tools/mkfs.hmfs")
    args, systems, modes = storage.parse_arguments(ap)

    results, failed = {}, False
    for mode in modes:
        for system in systems:
            text, error = (boot_linux if system == "linux" else boot_missive)(args, mode)
            target = "disk" if system == "linux" else "hmfs"
            lines, problem = storage.take(f"bench-fs: {system} {mode}", text, error, "FS",
                                          [(target, r) for r in ROWS])
            failed |= problem is not None
            if not lines:
                continue
            results[(system, mode)] = lines
            if mode == "wall":
                storage.note_tsc(results, "bench-fs")
            storage.write_csv(os.path.join(args.results, f"fs-{system}-{mode}.csv"), mode, lines,
                              results.get("tsc_hz"))
    storage.write_table(table(results), os.path.join(args.results, "fs.md"), "bench-fs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
