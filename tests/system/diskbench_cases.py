"""The storage benchmarks' program in the system (docs/disk-performance.md,
docs/fs-performance.md): diskbench at its check size runs every disk row, twice, on each disk it
is given, and every filesystem row, twice, on HMFS; it reads back what it wrote and prints the
lines tools/bench/disk.py and fs.py parse. No figure is checked: `make bench-disk` and
`make bench-fs` measure."""
import re

from common import Case

ROWS = ["seq-write-128k-qd1", "seq-read-128k-qd1", "seq-write-128k-qd32", "seq-read-128k-qd32",
        "rand-read-4k-qd1", "rand-read-4k-qd32"]
# Requests of each row at the check size (lib/diskbench: 4 MiB in 128 KiB requests, 64 random
# 4 KiB reads at depth 1 and 256 at depth 32).
REQUESTS = {"seq-write-128k-qd1": 32, "seq-read-128k-qd1": 32, "seq-write-128k-qd32": 32,
            "seq-read-128k-qd32": 32, "rand-read-4k-qd1": 64, "rand-read-4k-qd32": 256}


def rows_twice(target):
    """A check(log) that every row ran twice on target, in order, with its requests and bytes,
    and a positive tick count."""
    def check(log):
        lines = re.findall(rf"^DISK,{target}:([a-z0-9-]+),(\d+),(\d+),(\d+),(\d+)$", log, re.M)
        if [name for name, *_ in lines] != ROWS * 2:
            return f"{target}: rows {[name for name, *_ in lines]}, expected every row twice"
        for name, requests, nbytes, ticks, _ in lines:
            size = 4096 if name.startswith("rand") else 131072
            if int(requests) != REQUESTS[name] or int(nbytes) != int(requests) * size:
                return f"{target}:{name}: {requests} requests of {nbytes} bytes"
            if int(ticks) <= 0:
                return f"{target}:{name}: no time passed"
        return None
    return check


def stamped(directory, log):
    """After QEMU: the image holds the stamps the write rows left (lib/diskbench: the first word
    of each 4 KiB block is "missive!" xor the block's number) over the check size's 4 MiB."""
    with open(f"{directory}/disk.img", "rb") as f:
        data = f.read(4 << 20)
    for block in range(0, len(data) // 4096):
        word = int.from_bytes(data[block * 4096:block * 4096 + 8], "little")
        if word != 0x6d69737369766521 ^ block:
            return f"disk.img: block {block} holds {word:#x}, not its stamp"
    return None


FS_ROWS = ["write-fsync-64m", "read-64m", "create-10k", "stat-10k", "list-10k", "delete-10k"]


def fs_rows_twice(log):
    """Every filesystem row twice, in order, with the check size's counts (lib/fsbench: a
    1 MiB file in 128 KiB chunks, 100 files)."""
    lines = re.findall(r"^FS,hmfs:([a-z0-9-]+),(\d+),(\d+),(\d+),(\d+)$", log, re.M)
    if [name for name, *_ in lines] != FS_ROWS * 2:
        return f"hmfs: rows {[name for name, *_ in lines]}, expected every row twice"
    for name, operations, nbytes, ticks, _ in lines:
        expected = (8, 1 << 20) if name in FS_ROWS[:2] else (100, 0)
        if (int(operations), int(nbytes)) != expected or int(ticks) <= 0:
            return f"hmfs:{name}: {operations} operations, {nbytes} bytes, {ticks} ticks"
    return None


def diskbench_cases():
    return [
        Case("diskbench-check", exit_status=None, timeout=90,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/diskbench-check.manifest",
             qemu=["-machine", "q35", "-drive", "if=none,id=d0,file={dir}/disk.img,format=raw",
                   "-device", "ide-hd,drive=d0,bus=ide.0",
                   "-drive", "if=none,id=n0,file={dir}/nvme.img,format=raw",
                   "-device", "nvme,serial=bench,drive=n0"],
             disks=[("disk.img", 16 << 20, None), ("nvme.img", 16 << 20, None)],
             expect=[r"^# diskbench: disk rows, idle spinner, 2 passes$",
                     r"^# ahci:0: QEMU HARDDISK, 32768 sectors of 512 bytes",
                     r"^# nvme:0: QEMU NVMe Ctrl, 32768 sectors of 512 bytes",
                     r"^# ramdisk:0: Missive ramdisk, 16384 sectors of 512 bytes",
                     r"^diskbench: done, 0 failed$"],
             forbid=[r"FAIL", r"KERNEL PANIC", r"^fault:"],
             check=lambda log: (rows_twice("ahci")(log) or rows_twice("nvme")(log) or
                                rows_twice("ramdisk")(log)),
             after=stamped),
        Case("fsbench-check", exit_status=None, timeout=120,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/fsbench-check.manifest",
             qemu=["-machine", "q35", "-drive", "if=none,id=d0,file={dir}/disk.img,format=raw",
                   "-device", "ide-hd,drive=d0,bus=ide.0"],
             disks=[("disk.img", 64 << 20, None)],
             expect=[r"^# diskbench: filesystem rows, idle spinner, 2 passes$",
                     r"^diskbench: done, 0 failed$"],
             forbid=[r"FAIL", r"KERNEL PANIC", r"^fault:"],
             check=fs_rows_twice),
    ]
