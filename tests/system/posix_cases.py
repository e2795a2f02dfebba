"""The POSIX file calls' system tests (docs/userspace.md, "Files"): the shell's file commands on
the HMFS volume and the initrd, fsx through the POSIX calls, and real power cuts: QEMU killed
(SIGKILL) at a random moment while tests/user/fsx's power-cut workload writes to an AHCI disk,
after which the host's fsck.hmfs must find the image clean and every file the guest had
fsynced (and logged) must read back whole with hmfs-cat.

POWERCUT_CUTS (environment, default 20) sets how many power-cut cases there are; `make
hmfs-powercut-qemu` runs 100."""
import os
import random
import re
import subprocess

from common import PROMPT, REPO, SHELL_TROUBLE, SHELL_UP, Case

BUILD_TOOLS = os.path.join(REPO, "build", "tools")
POWERCUT_DISK_BYTES = 32 << 20
POWERCUT_SYNCED = re.compile(r"^powercut: synced (\S+) (\d+) (\d+)$")
MASK = (1 << 64) - 1


def tools_dir():
    """build/tools of the build the harness runs (common.OUTDIR is build/system-test)."""
    import common
    if common.OUTDIR:
        return os.path.join(os.path.dirname(common.OUTDIR), "tools")
    return BUILD_TOOLS


def powercut_bytes(key, size):
    """The contents tests/user/fsx/powercut.c writes for key: splitmix64 from key, each number
    8 bytes little-endian."""
    out = bytearray()
    state = key
    while len(out) < size:
        state = (state + 0x9e3779b97f4a7c15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & MASK
        z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & MASK
        z ^= z >> 31
        out += z.to_bytes(8, "little")
    return bytes(out[:size])


def mkfs(path):
    subprocess.run([os.path.join(tools_dir(), "mkfs.hmfs"), path, str(POWERCUT_DISK_BYTES)],
                   check=True, stdout=subprocess.DEVNULL)


def check_powercut(directory, log):
    """After the cut: fsck.hmfs -n clean, and every synced file whole. Only complete lines of
    the log count (the cut may end it half-way through one)."""
    image = os.path.join(directory, "disk.img")
    fsck = subprocess.run([os.path.join(tools_dir(), "fsck.hmfs"), "-n", image],
                          capture_output=True, text=True)
    if fsck.returncode != 0:
        return (f"fsck.hmfs -n exited with {fsck.returncode}:\n"
                + (fsck.stdout + fsck.stderr)[-2000:])
    complete = log.split("\n")[:-1]
    synced = [m.groups() for m in map(POWERCUT_SYNCED.match, complete) if m]
    for path, size, key in synced:
        got = subprocess.run([os.path.join(tools_dir(), "hmfs-cat"), image, path],
                             capture_output=True)
        if got.returncode != 0:
            return f"{path} (synced) cannot be read: {got.stderr.decode(errors='replace')}"
        want = powercut_bytes(int(key), int(size))
        if got.stdout != want:
            where = next((i for i, (a, b) in enumerate(zip(got.stdout, want)) if a != b),
                         min(len(got.stdout), len(want)))
            return (f"{path} (synced, {size} bytes) differs at byte {where}: "
                    f"{len(got.stdout)} bytes read")
    with open(os.path.join(directory, "synced.txt"), "w") as f:
        f.write(f"{len(synced)} synced files checked\n")
    return None


AHCI_DISK = ["-drive", "if=none,id=d0,file={dir}/disk.img,format=raw",
             "-device", "ahci,id=ahci", "-device", "ide-hd,drive=d0,bus=ahci.0"]


def powercut_case(n):
    """The n-th power cut: its seed is n, its moment 0.1 to 1.8 s into the workload (seeded)."""
    moment = random.Random(1000 + n).uniform(0.1, 1.8)
    return Case(f"powercut-{n}", initrd="test", exit_status=None, timeout=60,
                cmdline="init=bin/procsrv -- manifest=etc/tests/powercut.manifest",
                qemu=AHCI_DISK, disks=[("disk.img", POWERCUT_DISK_BYTES, mkfs)],
                typing=[(PROMPT, f"run fsx powercut {n}\r")],
                expect=SHELL_UP + [r"^powercut: writing in /pc, seed \d+$"],
                forbid=SHELL_TROUBLE + [r"^powercut: (open|write|fsync|mkdir) "],
                kill_after=(r"^powercut: writing in", moment), after=check_powercut)


def fsx_case(name="posix-fsx", smp=None):
    """fsx through the POSIX calls on HMFS on a ramdisk: two runs at once,
    5,000 operations each. posix-fsx-smp2 runs them on two CPUs, where the
    two clients' calls and the server's replies cross CPUs all the time: it
    caught the fast path's direct switch reading a replying server's context
    after another CPU had written the next client's request into it (the
    client got that request's label as its reply: EIO, EBADF)."""
    return Case(name, initrd="test", smp=smp, exit_status=None, timeout=180,
                cmdline="init=bin/procsrv -- manifest=etc/tests/fsx.manifest",
                expect=[r"^fsx: seed 7: 5000 operations on /fsx-7$",
                        r"^fsx: seed 8: 5000 operations on /fsx-8$",
                        r"^fsx: posix: [1-9]\d* passed, 0 failed$",
                        r"^fsx: run: [1-9]\d* passed, 0 failed$"],
                forbid=[r"FAIL", r"^fsx: stopping"],
                check=lambda log: None if len(re.findall(
                    r"^fsx: run: [1-9]\d* passed, 0 failed$", log, re.M)) == 2
                else "expected both fsx runs to pass")


def shell_files_case():
    """The shell's file commands on the HMFS volume and the initrd."""
    steps = [
        "mkdir /docs\r", "echo hello disk > /docs/a.txt\r", "echo second line >> /docs/a.txt\r",
        "cat /docs/a.txt\r", "cp /docs/a.txt /docs/b.txt\r", "mv /docs/b.txt /c.txt\r",
        "ls -l /docs\r", "ls /\r", "cd /docs\r", "pwd\r", "cat a.txt ../c.txt\r",
        "cp /initrd/etc/motd motd\r", "cat motd\r", "cp motd /docs/motd\r", "rm /c.txt\r", "cat /c.txt\r",
        "rmdir /docs\r", "echo x > /initrd/etc/x\r", "rm /initrd/etc/motd\r",
        "mkdir /docs/a.txt/x\r", "snap create before\r", "echo changed > /docs/a.txt\r",
        "snap list\r", "cat /.snap/before/docs/a.txt\r", "snap mount before\r",
        "echo no > /.snap/before/docs/a.txt\r", "ls /.snap\r", "snap delete before\r",
        "snap mount before\r", "df\r", "fsck\r", "cd /\r", "echo done\r"]
    return Case("posix-shell", initrd="test", exit_status=None, timeout=90,
                cmdline="init=bin/procsrv -- manifest=etc/tests/posix-shell.manifest",
                typing=[(PROMPT, s) for s in steps],
                expect=SHELL_UP + [
                    r"^hello disk$", r"^second line$", r"^-  +23  a\.txt$", r"^/docs$",
                    r"^initrd/$", r"^docs/$", r"^c\.txt$",
                    r"^Welcome to Missive", r"^cp: motd and /docs/motd are the same file$",
                    r"^cat: /c\.txt: No such file or directory$",
                    r"^rmdir: /docs: Directory not empty$",
                    r"^echo: /initrd/etc/x: Read-only file system$",
                    r"^rm: /initrd/etc/motd: Read-only file system$",
                    r"^mkdir: /docs/a\.txt/x: Not a directory$",
                    r"^snap: before is tree \d+, read-only at /\.snap/before$",
                    r"^ +\d+ +\d+  ro    before$",
                    r"^snap: before \(tree \d+\) is at /\.snap/before, read-only$",
                    r"^echo: /\.snap/before/docs/a\.txt: Read-only file system$",
                    r"^before/$",
                    r"^snap: before: not found$",
                    r"^ +SIZE\(K\) +USED\(K\) +FREE\(K\) +USE% +MOUNTED$",
                    r"^fsck: \d+ blocks, \d+ inodes checked: clean \(0 errors\)$",
                    r"^done$"],
                forbid=SHELL_TROUBLE,
                check=lambda log: None if re.search(
                    r"^missive> cat /\.snap/before/docs/a\.txt\nhello disk\nsecond line$", log,
                    re.M) else "the snapshot does not show the file as it was")


def posix_cases():
    cuts = int(os.environ.get("POWERCUT_CUTS", "20"))
    return ([shell_files_case(), fsx_case(), fsx_case("posix-fsx-smp2", smp=2)]
            + [powercut_case(n) for n in range(1, cuts + 1)])
