"""Live replacement of the disk driver under a mounted, busy file server (docs/processes.md,
"Swapping a block driver"): HMFS on an AHCI disk, fsx (every read checked against its model) and
a big-file reader/writer busy on it, while blocktest swaps the driver again and again and then
kills it; the workload sees no error, and the host's fsck.hmfs finds the image clean after."""
import os
import re
import subprocess

import posix_cases
from common import BOOTED, LATE_INTERRUPT_OK, PROMPT, REPO, SHELL_UP, Case

BUILD = os.environ.get("MISSIVE_BUILD", os.path.join(REPO, "build"))
DISK_BYTES = 64 << 20
AHCI_DISK = ["-device", "ahci,id=ahci0", "-drive", "if=none,id=d0,file={dir}/disk.img,format=raw",
             "-device", "ide-hd,drive=d0,bus=ahci0.0"]
# A late interrupt of a dead driver is allowed (common.LATE_INTERRUPT_OK); fsx or hmfs
# failing is not.
FORBID = LATE_INTERRUPT_OK + [r"^fsx: stopping", r"^hmfs: .*failed", r"hmfs: error"]


def tools():
    """build/tools of the build the harness runs (common.OUTDIR is build/system-test)."""
    import common
    if common.OUTDIR:
        return os.path.join(os.path.dirname(common.OUTDIR), "tools")
    return os.path.join(BUILD, "tools")


def mkfs(path):
    subprocess.run([os.path.join(tools(), "mkfs.hmfs"), path, str(DISK_BYTES)], check=True,
                   stdout=subprocess.DEVNULL)


def fsck_clean(directory, log):
    """After QEMU ended: the host's fsck.hmfs -n finds the image clean."""
    r = subprocess.run([os.path.join(tools(), "fsck.hmfs"), "-n",
                        os.path.join(directory, "disk.img")], capture_output=True, text=True)
    if r.returncode != 0 or " 0 errors" not in r.stdout:
        return f"fsck.hmfs -n: status {r.returncode}: {(r.stdout + r.stderr).strip()[-400:]}"
    print(f"     fsck.hmfs: {r.stdout.strip().splitlines()[-1]}")
    return None


def line_at(log, pattern):
    m = re.search(pattern, log, re.M)
    return m.start() if m else -1


def busy_throughout(swaps_line, workload_lines, swaps, driver="ahci"):
    """Check: the driver was swapped swaps times, and every workload was still running when the
    swapper finished (its count line comes after the swapper's), so each swap fell under load."""
    def check(log):
        n = len(re.findall(rf"^procsrv: swapped {driver}: process \d+ replaced by \d+ running ",
                           log, re.M))
        if n != swaps:
            return f"expected {swaps} swaps, saw {n}"
        end = line_at(log, swaps_line)
        for w in workload_lines:
            if line_at(log, w) < end:
                return f"/{w}/ finished before the swaps did: the workload was not busy throughout"
        return None
    return check


NVME_DISK = ["-drive", "if=none,id=n0,file={dir}/disk.img,format=raw",
             "-device", "nvme,id=nvme0,serial=swap-nvme,drive=n0"]


def swap_load_case(driver="ahci"):
    """10 swaps of driver (to a second copy of it in the initrd and back) and a kill, under fsx
    and the big file: swap-hmfs-load (AHCI) and swap-hmfs-load-nvme."""
    swaps = (rf"^blocktest: swaps: {driver} swapped 10 times and killed once under its "
             rf"clients$")
    fsx_done = r"fsx: run: [1-9]\d* passed, 0 failed$"
    big_done = r"fsx: bigfile: [1-9]\d* passed, 0 failed$"
    nvme = driver == "nvme"
    return Case("swap-hmfs-load" + ("-nvme" if nvme else ""), initrd="test", exit_status=None,
                timeout=240,
                cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/swap-hmfs"
                        + ("-nvme" if nvme else "") + ".manifest",
                qemu=NVME_DISK if nvme else AHCI_DISK, disks=[("disk.img", DISK_BYTES, mkfs)],
                typing=[(rf"hmfs: mounted {driver} 0 ", "\r"),
                        (PROMPT, "run fsx 7 3000 /fsx-7 /stop &\r"),
                        (PROMPT, "run fsx bigfile 9 12 2 /big /stop &\r"),
                        (PROMPT, f"run blocktest swaps {driver} 0 10 bin/{driver}-v2 bin/{driver} "
                                 "kill stop=/stop\r")],
                expect=SHELL_UP + [
                    rf"hmfs: mounted {driver} 0 ",
                    rf"^procsrv: swapped {driver}: process \d+ replaced by \d+ running "
                    rf"bin/{driver}-v2$",
                    rf"^procsrv: process \d+ \({driver}\) killed by process \d+$",
                    rf"^procsrv: restarting {driver} in \d+ ms",
                    swaps, r"^blocktest: swaps: [1-9]\d* passed, 0 failed$",
                    r"fsx: seed 7: \d+ operations on /fsx-7$", fsx_done,
                    r"fsx: bigfile: /big, 12 MiB, read back and compared \d+ times$", big_done],
                forbid=FORBID, check=busy_throughout(swaps, [fsx_done, big_done], 10, driver),
                after=fsck_clean)


def all_checks(*checks):
    def check(log):
        for c in checks:
            error = c(log)
            if error:
                return error
        return None
    return check


def memory_given_back(log):
    """Check: the memory of every ended driver instance went back to memsrv (the shell's mem,
    typed last, lists no such client) once the driver serving now had reset the controller
    (PROC_DEVICE_RESET; docs/platform.md, "A driver's death"), and the one serving now holds
    some. Every instance counts, a swapped-in one too, and a line may follow the shell's prompt
    on the same line (with two CPUs the prompt and procsrv's line race)."""
    started = [int(p) for p in re.findall(r"procsrv: (?:started ahci \(\S+\) as process|swapped "
                                          r"ahci: process \d+ replaced by) (\d+)", log)]
    # A swap's new instance that ended before it took the device over never had it: its memory
    # goes back at once (docs/processes.md).
    failed = [int(p) for p in re.findall(r"procsrv: cannot swap ahci for \S+: process (\d+) ",
                                         log)]
    at = log.rfind("> mem\n")
    clients = [int(c) for c in re.findall(r"^ +(\d+) +\d+K +\d+K$", log[at:], re.M)]
    if at < 0 or not clients or len(started) + len(failed) < 2:
        return "no mem listing after the swaps"
    if started[-1] not in clients:
        return f"the driver serving now (process {started[-1]}) is not among memsrv's clients"
    kept = [pid for pid in started[:-1] + failed if pid in clients]
    if kept:
        return f"memsrv still lends memory to ended driver instances {kept}"
    return None


def bad_swaps_case():
    """Swaps that cannot hold, under fsx: a missing program and a file that is not a program
    (refused before the driver is touched), a program that is not a block driver (it exits at
    once) and one that crashes at start (both end before they take the device over, so the
    swap does not happen: the old driver serves on untouched, and the shell's swap fails), and
    one that never takes the device over and never ends (procsrv kills it when
    PROC_TAKE_OVER_WAIT_MS has passed: the swap fails the same way). The workload goes on
    without an error."""
    fsx_done = r"fsx: run: [1-9]\d* passed, 0 failed$"
    undone = (r"^procsrv: cannot swap ahci for bin/proctest-crash: process \d+ ended before it "
              r"took its device over; bin/ahci serves on$")
    hung = (r"^procsrv: cannot swap ahci for bin/proctest-hang: process \d+ was killed: no "
            r"PROC_TAKE_OVER in 10000 ms; bin/ahci serves on$")
    return Case("swap-bad-input", initrd="test", exit_status=None, timeout=180,
                cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/swap-hmfs.manifest",
                qemu=AHCI_DISK, disks=[("disk.img", DISK_BYTES, mkfs)],
                typing=[(r"hmfs: mounted ahci 0 ", "\r"), (PROMPT, "run fsx 5 1000 /fsx-5 /stop &\r"),
                        (PROMPT, "swap ahci bin/nosuch\r"),
                        (PROMPT, "swap ahci bin/corrupt\r"),
                        (PROMPT, "swap ahci bin/proctest-v2\r"),
                        (r"serves on", "swap ahci bin/proctest-crash\r"),
                        (r"serves on", "swap ahci bin/proctest-hang\r"),
                        (r"serves on", "disks\r"), (PROMPT, "mem\r"),
                        (PROMPT, "echo the swaps are over > /stop\r")],
                expect=SHELL_UP + [
                    r"^procsrv: cannot swap ahci for bin/nosuch: no such program in the initrd$",
                    r"^swap: ahci: not found$", r"^procsrv: cannot swap ahci for bin/corrupt: ",
                    r"^swap: ahci: bad program$",
                    r"^procsrv: cannot swap ahci for bin/proctest-v2: process \d+ ended before it "
                    r"took its device over; bin/ahci serves on$", r"^swap: ahci: bad program$",
                    r"^procsrv: process \d+ \(ahci\) thread main: page fault ", undone,
                    hung, r"^swap: ahci: bad program$",
                    r"^ahci +0  QEMU HARDDISK +QM\d+ +64 MiB ",
                    r"fsx: seed 5: \d+ operations on /fsx-5$", fsx_done],
                forbid=FORBID, check=all_checks(busy_throughout(hung, [fsx_done], 0),
                                                memory_given_back),
                after=fsck_clean)


def synced_after_kills(log):
    """Check: files were fsynced (and logged) after the first kill and after the last
    restart, so kills fell among commits and the workload went on after them."""
    first = line_at(log, r"^procsrv: process \d+ \(ahci\) killed by process \d+$")
    last = line_at(log, r"^blocktest: kills: ahci killed ")
    synced = [m.start() for m in re.finditer(r"^powercut: synced ", log, re.M)]
    if not any(first < at < last for at in synced) or not any(at > last for at in synced):
        return "no file was synced between the kills and after them"
    return None


def crash_in_commit_case():
    """The driver killed (a crash: procsrv restarts it) six times while the power-cut workload
    writes file after file, each fsynced (a commit) and then logged, among unsynced churn; then
    the power is cut. Every logged file reads back whole on the host and fsck.hmfs -n is
    clean (posix_cases.check_powercut)."""
    return Case("swap-crash-commit", initrd="test", exit_status=None, timeout=120,
                cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/swap-hmfs.manifest",
                qemu=AHCI_DISK, disks=[("disk.img", posix_cases.POWERCUT_DISK_BYTES,
                                        posix_cases.mkfs)],
                typing=[(r"hmfs: mounted ahci 0 ", "\r"), (PROMPT, "run fsx powercut 3 &\r"),
                        (PROMPT, "run blocktest kills ahci 0 6\r")],
                expect=SHELL_UP + [r"^powercut: writing in /pc, seed 3$",
                                   r"^blocktest: kills: ahci killed 6 times under its clients$",
                                   r"^blocktest: kills: [1-9]\d* passed, 0 failed$"],
                forbid=FORBID + [r"^powercut: (open|write|fsync|mkdir) "],
                kill_after=(r"^blocktest: kills: [1-9]\d* passed", 0.5), check=synced_after_kills,
                after=posix_cases.check_powercut)


def pause_case():
    """The swap pause's program (tools/bench/swap.py times it; docs/disk-performance.md):
    writes at depth 1 on q35's AHCI disk while another program swaps the driver; every write
    completes, the session was opened again once, and blocktest reports the gaps."""
    return Case("swap-pause", initrd="test", exit_status=None, timeout=90,
                cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/swap-pause.manifest",
                qemu=["-machine", "q35", "-drive", "if=none,id=q0,file={dir}/a.img,format=raw",
                      "-device", "ide-hd,drive=q0,bus=ide.0"],
                disks=[("a.img", 64 << 20, None)],
                expect=BOOTED + [
                    r"^procsrv: swapped ahci: process \d+ replaced by \d+ running bin/ahci-v2$",
                    r"^blocktest: swapafter: ahci swapped for bin/ahci-v2 \(process \d+\), ",
                    r"^blocktest: pause: ahci \(other\) during \d+ writes of 4096 "
                    r"bytes at depth 1: gap across it \d+ ticks, ",
                    r"^blocktest: pause: [1-9]\d* passed, 0 failed$"],
                forbid=FORBID)


def move_case():
    """HMFS moved from the AHCI driver to the NVMe driver while mounted and busy: one image
    attached both as an AHCI disk and as an NVMe namespace (share-rw=on; QEMU 7.2 allows it),
    fsx and the big file running; moves to a missing server and disk, and to another disk of
    the same size (a blank one: not this volume's superblocks), refused (the volume stays
    where it is), then `fsmove nvme 0` (FS_MOVE: hmfs commits, then the block library moves
    its idle session), then the AHCI driver stopped for good. The workloads go on
    without an error and finish after both; the image is clean."""
    moved = r"^fsmove: the volume is on nvme disk 0 now$"
    stopped = r"^procsrv: process \d+ \(ahci\) stopped by process \d+$"
    fsx_done = r"fsx: run: [1-9]\d* passed, 0 failed$"
    big_done = r"fsx: bigfile: [1-9]\d* passed, 0 failed$"

    def after_both(log):
        end = max(line_at(log, moved), line_at(log, stopped))
        for w in (fsx_done, big_done):
            if line_at(log, w) < end:
                return f"/{w}/ finished before the move and the stop: not busy throughout"
        return None
    return Case("swap-hmfs-move", initrd="test", exit_status=None, timeout=180,
                cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/swap-hmfs-move.manifest",
                qemu=["-device", "ahci,id=ahci0",
                      "-drive", "if=none,id=d0,file={dir}/disk.img,format=raw",
                      "-device", "ide-hd,drive=d0,bus=ahci0.0,share-rw=on",
                      "-drive", "if=none,id=d1,file={dir}/other.img,format=raw",
                      "-device", "ide-hd,drive=d1,bus=ahci0.1",
                      "-drive", "if=none,id=n0,file={dir}/disk.img,format=raw",
                      "-device", "nvme,id=nvme0,serial=move-nvme,drive=n0,share-rw=on"],
                disks=[("disk.img", DISK_BYTES, mkfs), ("other.img", DISK_BYTES, None)],
                typing=[(r"hmfs: mounted ahci 0 ", "\r"),
                        (PROMPT, "run fsx 4 1000 /fsx-4 /stop &\r"),
                        (PROMPT, "run fsx bigfile 6 12 1 /big /stop &\r"),
                        (PROMPT, "fsmove nosuch 0\r"), (PROMPT, "fsmove nvme 3\r"),
                        (PROMPT, "fsmove ahci 1\r"),
                        (PROMPT, "sleep 1500\r"), (PROMPT, "fsmove nvme 0\r"),
                        (PROMPT, "stop ahci\r"), (PROMPT, "blk stats nvme\r"),
                        (PROMPT, "echo moved > /stop\r")],
                expect=SHELL_UP + [r"hmfs: mounted ahci 0 ",
                                   r"^hmfs: cannot move to nosuch disk 0 \(-\d+\)$",
                                   r"^fsmove: nosuch: not found$",
                                   r"^hmfs: cannot move to nvme disk 3 \(-\d+\)$",
                                   r"^fsmove: nvme: not found$",
                                   r"^hmfs: ahci disk 1 does not hold this volume \(its "
                                   r"superblocks differ\); back to ahci 0$",
                                   r"^hmfs: cannot move to ahci disk 1 \(-\d+\)$",
                                   r"^hmfs: moved to nvme disk 0$",
                                   moved, stopped,
                                   r"^blk: nvme: 1 disks, 1 sessions, [1-9]\d* requests done, "
                                   r"0 failed",
                                   r"fsx: seed 4: \d+ operations on /fsx-4$", fsx_done,
                                   r"fsx: bigfile: /big, 12 MiB, read back and compared \d+ "
                                   r"times$", big_done],
                forbid=FORBID, check=after_both, after=fsck_clean)


def swap_cases():
    return [swap_load_case(), swap_load_case("nvme"), bad_swaps_case(), crash_in_commit_case(),
            pause_case(), move_case()]
