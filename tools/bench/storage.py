"""What the storage benchmarks (`make bench-disk`, `make bench-fs`: tools/bench/disk.py and
fs.py) share: the one QEMU configuration both systems boot in, a fresh disk image per boot, the
boot of each system (Missive from an ISO whose procsrv starts a benchmark manifest, Linux with
linuxdisk as /init), their command-line options, what is read from each boot's log, and the
host's TSC (benchcsv.host_tsc_hz). Booting and watching the serial log (boot) serves
run_missive.py and swap.py too, and making a benchmark's ISO (make_iso) run_missive.py.

The configuration (docs/disk-performance.md, "Method"): QEMU's q35 machine with its built-in
AHCI controller (ich9-ahci, 6 ports, NCQ: the controller a modern PC has, and the one Missive's
AHCI driver and Linux's ahci driver both drive), the disk on its port 0, -cpu qemu64, 512 MiB,
one CPU, TCG; the disk a sparse raw file in the build tree, attached with cache=writeback
(the host's page cache holds it, so figures do not depend on the host's own disk) and
aio=threads. Missive boots from an ISO (-cdrom, which q35 puts on the controller's port 2 as
an ATAPI drive); Linux boots with -kernel and has q35's empty CD drive at the same place.
"""
import argparse
import csv
import os
import re
import subprocess
import time

import benchcsv  # tools/bench, on the path of every script that imports this one

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

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


# What ends each system's boot, and what ends it early: linuxdisk's last line and diskbench's
# (apps/diskbench), for disk.py's rows and fs.py's (whose LINUX_TROUBLE adds ext4's errors).
LINUX_DONE = re.compile(r"^# linuxdisk: done", re.M)
LINUX_TROUBLE = re.compile(r"Kernel panic.*|^linuxdisk: (?!powering off).*", re.M)
MISSIVE_DONE = re.compile(r"^diskbench: done, (\d+) failed", re.M)
MISSIVE_TROUBLE = re.compile(r"KERNEL PANIC.*|^fault:.*|.*killed$|^diskbench: FAIL.*", re.M)


def icount(mode):
    """QEMU's arguments for mode: icount counts guest instructions; wall runs without."""
    return ["-icount", "shift=0"] if mode == "icount" else []


def make_iso(build, name, manifest, initrd="initrd.cpio", kernel_args=""):
    """BUILD/NAME.iso from BUILD/kernel.elf and BUILD/INITRD, procsrv starting manifest (a
    path in the initrd), the kernel logging warnings only, with kernel_args (more kernel
    options, space-separated); returns its path."""
    iso = os.path.join(build, f"{name}.iso")
    subprocess.run(["bash", os.path.join(REPO, "tools", "mkiso.sh"), iso,
                    os.path.join(build, "kernel.elf"), os.path.join(build, initrd),
                    "loglevel=warn", *kernel_args.split(), "init=bin/procsrv", "--",
                    f"manifest={manifest}"],
                   check=True, stdout=subprocess.DEVNULL)
    return iso


def boot_linux(args, mode, qemu, disks, guest, log, label, trouble=LINUX_TROUBLE):
    """Boots Linux (args.linux_kernel, args.linux_initrd: linuxdisk as /init) on qemu (the
    machine) and disks (their arguments) with linuxdisk's options guest, then -z args.size and
    the spinner (icount) or args.repeats passes (wall); prints the command. Returns boot's
    (log text, error), trouble (a compiled regex) ending it early."""
    guest += f" -z {args.size}" + (" -s" if mode == "icount" else f" -r {args.repeats}")
    cmd = qemu + icount(mode) + disks + \
        ["-kernel", args.linux_kernel, "-initrd", args.linux_initrd,
         "-append", f"console=ttyS0 quiet -- {guest}", "-serial", f"file:{log}"]
    print(f"{label}: {' '.join(cmd)}", flush=True)
    return boot(cmd, log, LINUX_DONE, trouble, args.timeout, label)


def boot_missive(args, mode, qemu, disks, name, log, label):
    """Boots Missive (args.missive_build's kernel and initrd, procsrv starting
    etc/NAME.manifest: diskbench) on qemu and disks; prints the command. Returns boot's
    (log text, error), the error also when diskbench counts failures."""
    iso = make_iso(args.missive_build, name, f"etc/{name}.manifest",
                   kernel_args=getattr(args, "missive_kernel_args", ""))
    cmd = qemu + icount(mode) + disks + ["-cdrom", iso, "-serial", f"file:{log}"]
    print(f"{label}: {' '.join(cmd)}", flush=True)
    text, error = boot(cmd, log, MISSIVE_DONE, MISSIVE_TROUBLE, args.timeout, label)
    done = MISSIVE_DONE.search(text)
    if not error and done and done.group(1) != "0":
        error = f"diskbench reports {done.group(1)} failures"
    return text, error


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


def boot(cmd, log, done, trouble, timeout, label, poll=0.25, grace=5):
    """Runs QEMU (cmd, its serial going to log) until the log matches done (a compiled
    regex), matches trouble, QEMU ends or timeout seconds pass, looking every poll seconds;
    then gives a guest that powers off itself grace seconds and stops QEMU if it still runs.
    Returns (log text, error or None)."""
    if os.path.exists(log):
        os.remove(log)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    error = None
    while True:
        time.sleep(poll)
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
        try:
            proc.wait(timeout=grace)
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


def arguments(doc, repeats, timeout):
    """The options disk.py and fs.py share (doc: the script's docstring; repeats and timeout:
    the defaults of --repeats and --timeout); the script adds its own."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--build", default="build/bench-disk", help="logs and the disk image")
    ap.add_argument("--missive-build", default="build/bench", help="kernel.elf, initrd.cpio")
    ap.add_argument("--linux-kernel")
    ap.add_argument("--linux-initrd")
    ap.add_argument("--results", default="results")
    ap.add_argument("--systems", default="linux,missive")
    ap.add_argument("--modes", default="icount,wall")
    ap.add_argument("--size", default="full", choices=["full", "check"])
    ap.add_argument("--repeats", type=int, default=repeats, help="passes over the rows (wall)")
    ap.add_argument("--timeout", type=float, default=timeout, help="seconds per boot")
    return ap


def parse_arguments(ap):
    """ap's options (arguments()), checked, and the build directory made: (args, systems,
    modes)."""
    args = ap.parse_args()
    systems, modes = args.systems.split(","), args.modes.split(",")
    if "linux" in systems and not (args.linux_kernel and args.linux_initrd):
        ap.error("linux needs --linux-kernel and --linux-initrd")
    os.makedirs(args.build, exist_ok=True)
    return args, systems, modes


def take(label, text, error, prefix, wanted):
    """One boot's rows: prints the guest's comment lines under label and reads its PREFIX lines
    (the least ticks of repeated rows). wanted: the (target, row) pairs the boot must give, a
    missing one named by its row alone when all are of one target. Returns (lines, error, or
    the missing rows, or None), having printed a failure with the log's tail."""
    for line in guest_comments(text, "# "):
        print(f"{label}: guest {line}")
    lines = best(parse(text, prefix))
    one_target = len({target for target, _ in wanted}) == 1
    missing = [row if one_target else f"{target}:{row}"
               for target, row in wanted if (target, row) not in lines]
    problem = error or ("missing rows " + ", ".join(missing) if missing else None)
    if problem:
        print(f"{label}: FAILED: {problem}\n{tail(text)}")
    return lines, problem


def note_tsc(results, bench):
    """Measures the host's TSC frequency once, into results["tsc_hz"] (the wall runs' seconds),
    and says it under bench's name."""
    if "tsc_hz" not in results:
        results["tsc_hz"] = benchcsv.host_tsc_hz()
        print(f"{bench}: host TSC {results['tsc_hz'] / 1e9:.3f} GHz")


def write_table(lines, path, bench):
    """Prints the table's lines and, unless path is None, writes them to path."""
    print("\n".join(lines))
    if path is not None:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        print(f"{bench}: wrote {path}")


def result(results, system, mode, target, row):
    """The line of target's row in system's mode run of results ({(system, mode): {(target,
    row): line}}), or None."""
    return results.get((system, mode), {}).get((target, row))
