"""What the storage benchmarks (`make bench-disk`, `make bench-fs`: tools/bench/disk.py and
fs.py) share: the one QEMU configuration both systems boot in, a fresh disk image per boot,
booting and watching the serial log, and the host's TSC (benchcsv.host_tsc_hz).

The configuration (docs/disk-performance.md, "Method"): QEMU's q35 machine with its built-in
AHCI controller (ich9-ahci, 6 ports, NCQ: the controller a modern PC has, and the one Missive's
AHCI driver and Linux's ahci driver both drive), the disk on its port 0, -cpu qemu64, 512 MiB,
one CPU, TCG; the disk a sparse raw file in the build tree, attached with cache=writeback
(the host's page cache holds it, so figures do not depend on the host's own disk) and
aio=threads. Missive boots from an ISO (-cdrom, which q35 puts on the controller's port 2 as
an ATAPI drive); Linux boots with -kernel and has q35's empty CD drive at the same place.
"""
import csv
import os
import re
import subprocess
import time

DISK_BYTES = 512 << 20

QEMU = ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-cpu", "qemu64",
        "-m", "512M", "-smp", "1", "-display", "none", "-no-reboot", "-monitor", "none",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def disk_args(image):
    """The disk's QEMU arguments: image on port 0 of q35's AHCI controller."""
    return ["-drive", f"if=none,id=benchdisk,file={image},format=raw,cache=writeback,aio=threads",
            "-device", "ide-hd,drive=benchdisk,bus=ide.0"]


def nvme_args(image, ioeventfd=False):
    """The NVMe disk's QEMU arguments (make bench-disk): image as namespace 1 of an NVMe
    controller (NVMe 1.4, MSI-X), with the same cache and aio settings as the AHCI disk.
    ioeventfd: QEMU's ioeventfd=on (its default is off), under which a doorbell write wakes the
    model's thread through an eventfd instead of a 500 ns timer (docs/disk-performance.md)."""
    device = "nvme,serial=bench-nvme,drive=benchnvme" + (",ioeventfd=on" if ioeventfd else "")
    return ["-drive", f"if=none,id=benchnvme,file={image},format=raw,cache=writeback,aio=threads",
            "-device", device]


def fresh_image(path, size=DISK_BYTES):
    """Makes path an empty sparse raw image of size bytes (the same start for every boot)."""
    if os.path.exists(path):
        os.remove(path)
    with open(path, "wb") as f:
        f.truncate(size)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace").replace("\r\n", "\n")
    except FileNotFoundError:
        return ""


def boot(cmd, log, done, trouble, timeout, label):
    """Runs QEMU (cmd, its serial going to log) until the log matches done (a compiled
    regex), matches trouble, QEMU ends or timeout seconds pass; stops QEMU if it still runs.
    Returns (log text, error or None)."""
    if os.path.exists(log):
        os.remove(log)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    error = None
    while True:
        time.sleep(0.25)
        text = read(log)
        if done.search(text):
            break
        if trouble.search(text):
            time.sleep(1)  # the rest of the report
            error = "trouble: " + trouble.search(read(log)).group(0)
            break
        if proc.poll() is not None:
            text = read(log)
            if done.search(text):
                break
            code = proc.returncode
            why = f" (the guest's failure code {code >> 1})" if code & 1 else ""
            error = f"QEMU ended with status {code}{why}: {proc.stderr.read().decode().strip()}"
            break
        if time.monotonic() - start > timeout:
            error = f"timed out after {timeout:.0f} s"
            break
    if proc.poll() is None:
        # Give a guest that powers off itself a moment, then stop QEMU.
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    print(f"{label}: {time.monotonic() - start:.0f} s, log {log}", flush=True)
    return read(log), error


def tail(text, lines=12):
    return "\n".join(f"  | {line}" for line in text.strip().splitlines()[-lines:])


LINE_CHARS = re.compile(r"[^ -~]")


def guest_comments(text, prefix):
    """The guest's '# ' lines, for the run's record."""
    return [LINE_CHARS.sub("", line) for line in text.splitlines() if line.startswith(prefix)]


def parse(text, prefix):
    """The result lines of a log (PREFIX,[TARGET:]ROW,COUNT,BYTES,TICKS,SPIN; prefix DISK or
    FS): [(target, row, count, bytes, ticks, spin ticks)]. Missive names the target (ahci:,
    ramdisk:, hmfs:) before the row; Linux's lines have none ("disk")."""
    line = re.compile(rf"^{prefix},(?:(\w+):)?([a-z0-9-]+),(\d+),(\d+),(\d+),(\d+)\s*$", re.M)
    return [(m[0] or "disk", m[1], int(m[2]), int(m[3]), int(m[4]), int(m[5]))
            for m in line.findall(text)]


def best(lines):
    """{(target, row): line} keeping, of repeated rows, the one of least ticks."""
    out = {}
    for line in lines:
        key = line[:2]
        if key not in out or line[4] < out[key][4]:
            out[key] = line
    return out


def instructions(line):
    """Guest instructions per request or operation of an icount line: the ticks less what the
    idle spinner ran, over the count."""
    return None if line is None else (line[4] - line[5]) / line[2]


def seconds(line, tsc_hz):
    return None if line is None or not tsc_hz else line[4] / tsc_hz


def write_csv(path, mode, lines, tsc_hz):
    """One CSV of a system's run in mode (icount: instructions per request; wall: seconds,
    MiB/s and requests per second from the host's TSC frequency)."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        if mode == "icount":
            w.writerow(["target", "row", "count", "bytes", "ticks", "spin_ticks",
                        "instructions_per_request"])
            for line in lines.values():
                w.writerow(list(line) + [f"{instructions(line):.1f}"])
        else:
            w.writerow(["target", "row", "count", "bytes", "ticks", "seconds", "mib_per_s",
                        "requests_per_s"])
            for line in lines.values():
                s = seconds(line, tsc_hz)
                w.writerow(list(line[:5]) + [f"{s:.6f}", f"{line[3] / s / 2**20:.2f}",
                                             f"{line[2] / s:.1f}"])
    print(f"wrote {path}")


def fmt(v, digits=0):
    return "—" if v is None else f"{v:,.{digits}f}"


def ratio(a, b):
    return f"{a / b:,.2f}×" if a and b else "—"
