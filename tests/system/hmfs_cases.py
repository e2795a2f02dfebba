"""The file server's system tests (docs/hmfs.md, "The server"): fstest's requests and bad
inputs against servers/hmfs, many clients at once, a full disk; servers/hmfs on a ramdisk;
damaged blocks (tests/system/hmfs_image.py) detected, named and never trusted."""
import json
import os
import re
import subprocess

import hmfs_image
from common import PROMPT, REPO, SHELL_TROUBLE, SHELL_UP, Case

BUILD = os.environ.get("MISSIVE_BUILD", os.path.join(REPO, "build"))

FORBID = [r"FAIL", r"KERNEL PANIC", r"killed$", r"hmfs: error"]


def damaged_image(path):
    """The corruption test's disk: tests/system/hmfs_image.py's image, and beside it a JSON
    file naming the two damaged blocks."""
    hmfs_image.make(os.path.join(BUILD, "tools"), path)


def clean_image(path):
    """hmfs_image.py's image without damage (the JSON names the file's data block)."""
    hmfs_image.make(os.path.join(BUILD, "tools"), path, damage=False)


def blkdebug_config(path):
    """QEMU's blkdebug rule: every read of the first sector of the data block the JSON beside
    disk.img names fails with EIO (the disk is made first: Case.disks are in order)."""
    with open(os.path.join(os.path.dirname(path), "disk.img.json")) as f:
        sector = json.load(f)["data_block"] * 8
    with open(path, "w") as f:
        f.write(f'[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "{sector}"\n'
                'once = "off"\n')


def io_error_named(directory, log):
    """Check: the I/O error named the block the disk failed."""
    with open(os.path.join(directory, "disk.img.json")) as f:
        block = json.load(f)["data_block"]
    if not re.search(rf"^fstest: ioerror: /damaged\.bin: I/O error at block {block} ", log, re.M):
        return f"the read error did not name /damaged.bin and block {block}"
    return None


def damage_named(directory, log):
    """After-check: the blocks hmfs_image.py damaged are the ones the guest named (the file's
    read, the directory's, and its fsck) and the ones the host's fsck.hmfs names."""
    image = os.path.join(directory, "disk.img")
    with open(image + ".json") as f:
        blocks = json.load(f)
    data, meta = blocks["data_block"], blocks["meta_block"]
    if not re.search(rf"^fstest: damaged: /damaged\.bin: corrupt at block {data} ", log, re.M):
        return f"the damaged file's read did not name block {data}"
    if not re.search(rf"^fstest: damaged: .*: corrupt at block {meta} ", log, re.M):
        return f"the damaged directory's read did not name block {meta}"
    for b in (data, meta):
        if not re.search(rf"^hmfs: fsck: .*block {b} ", log, re.M):
            return f"the guest's fsck did not report block {b}"
    host = subprocess.run([os.path.join(BUILD, "tools", "fsck.hmfs"), "-n", image],
                          capture_output=True, text=True)
    if host.returncode != 4 or any(f"block {b} " not in host.stdout for b in (data, meta)):
        return f"the host's fsck.hmfs (status {host.returncode}) did not name both blocks"
    print(f"     blocks {data} (data) and {meta} (directory) named by the guest and the host")
    return None


def fsck_clean(image):
    """An after-check: the host's fsck.hmfs finds image clean."""
    def after(directory, log):
        r = subprocess.run([os.path.join(BUILD, "tools", "fsck.hmfs"), "-n",
                            os.path.join(directory, image)], capture_output=True, text=True)
        if r.returncode != 0 or " 0 errors" not in r.stdout:
            return f"fsck.hmfs on {image}: status {r.returncode}: {r.stdout.strip()[-300:]}"
        print(f"     fsck.hmfs: {r.stdout.strip().splitlines()[-1]}")
        return None
    return after


def run_disk(path):
    """A disk made as `make run` makes build/disk.img (the Makefile's disk rule)."""
    os.remove(path)  # the harness made it empty; the rule makes only a missing image
    subprocess.run(["make", "-s", f"BUILD={BUILD}", f"DISK_IMAGE={path}", path], cwd=REPO,
                   check=True, stdout=subprocess.DEVNULL)


AHCI_DISK = ["-device", "ahci,id=ahci0", "-drive", "if=none,id=d0,file={dir}/disk.img,format=raw",
             "-device", "ide-hd,drive=d0,bus=ahci0.0"]
RUN_DISK = AHCI_DISK  # as the Makefile's QEMU_DISK on pc


def note_kept(directory, log):
    """After-check of hmfs-shell-persist: the image is clean and holds what the shell wrote."""
    err = fsck_clean("disk.img")(directory, log)
    if err:
        return err
    got = subprocess.run([os.path.join(BUILD, "tools", "hmfs-cat"),
                          os.path.join(directory, "disk.img"), "/note.txt"], capture_output=True)
    if got.stdout != b"kept across boots\n":
        return f"/note.txt on the image holds {got.stdout!r} ({got.stderr!r})"
    return None


def periodic_kept(directory, log):
    """After-check of hmfs-periodic: after the power cut, the image is clean and holds the file
    that was written without an fsync (the server's periodic commit)."""
    err = fsck_clean("disk.img")(directory, log)
    if err:
        return err
    got = subprocess.run([os.path.join(BUILD, "tools", "hmfs-cat"),
                          os.path.join(directory, "disk.img"), "/periodic.txt"], capture_output=True)
    if got.stdout != b"committed on its own\n":
        return f"/periodic.txt on the image holds {got.stdout!r} ({got.stderr!r})"
    return None


def hmfs_cases():
    return [
        Case("hmfs-ops", initrd="test", exit_status=None, timeout=120,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/hmfs.manifest",
             expect=[r"^hmfs: mounted memory \(8192 blocks\)",
                     r"^fstest: fsck: 0 errors",
                     r"^fstest: ops: [1-9]\d* passed, 0 failed$",
                     r"^fstest: the disk filled after \d+ bytes",
                     r"^fstest: full: [1-9]\d* passed, 0 failed$"],
             forbid=FORBID),
        Case("hmfs-ramdisk", initrd="test", exit_status=None, timeout=120,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/hmfs-ramdisk.manifest",
             expect=[r"^hmfs: ramdisk 0 \(8192 blocks\) holds no HMFS: formatting it",
                     r"^hmfs: mounted ramdisk 0 \(8192 blocks\)",
                     r"^fstest: fsck: 0 errors",
                     r"^fstest: ops: [1-9]\d* passed, 0 failed$"],
             forbid=FORBID),
        Case("hmfs-damaged", initrd="test", exit_status=None, timeout=120,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/hmfs-damaged.manifest",
             qemu=AHCI_DISK, disks=[("disk.img", 0, damaged_image)],
             expect=[r"^hmfs: mounted ahci 0 .*degraded",
                     r"^hmfs: corrupt reading /damaged\.bin ",
                     r"^fstest: damaged: [1-9]\d* passed, 0 failed$"],
             forbid=[r"FAIL", r"KERNEL PANIC", r"killed$", r"hmfs: error"],
             after=damage_named),
        # A disk that fails reads of one block (QEMU's blkdebug): an I/O error naming the file
        # and the block; the others read.
        Case("hmfs-read-error", initrd="test", exit_status=None, timeout=120,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/hmfs-ioerror.manifest",
             qemu=["-device", "ahci,id=ahci0", "-drive",
                   "if=none,id=d0,driver=raw,file.driver=blkdebug,"
                   "file.config={dir}/blkdebug.cfg,file.image.filename={dir}/disk.img",
                   "-device", "ide-hd,drive=d0,bus=ahci0.0"],
             disks=[("disk.img", 0, clean_image), ("blkdebug.cfg", 0, blkdebug_config)],
             expect=[r"^hmfs: I/O error reading /damaged\.bin ",
                     r"^fstest: ioerror: [1-9]\d* passed, 0 failed$"],
             forbid=FORBID, after=io_error_named),
        # Two boots on one AHCI disk: written, shut down (a reboot through procsrv's sequence),
        # read back; then the host's fsck.hmfs on the image is clean.
        Case("hmfs-persist", initrd="test", exit_status=0, timeout=180, reboot=True,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/hmfs-persist.manifest",
             qemu=AHCI_DISK,
             disks=[("disk.img", 64 << 20, None)],
             expect=[r"^hmfs: ahci 0 \(16384 blocks\) holds no HMFS: formatting it",
                     r"^fstest: persist-write: [1-9]\d* passed, 0 failed$",
                     r"^hmfs: shutdown: committed and unmounted",
                     r"^hmfs: mounted ahci 0 \(16384 blocks\): generation [1-9]",
                     r"^fstest: persist-read: [1-9]\d* passed, 0 failed$"],
             forbid=FORBID, after=fsck_clean("disk.img")),
        # The commit policy: a write without an fsync is committed on the server's clock; the
        # power is then cut and the host finds the file.
        Case("hmfs-periodic", initrd="test", exit_status=None, timeout=120,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/hmfs-periodic.manifest",
             qemu=AHCI_DISK,
             disks=[("disk.img", 64 << 20, None)],
             expect=[r"^fstest: periodic: committed after \d+ ms",
                     r"^fstest: periodic: [1-9]\d* passed, 0 failed$"],
             kill_after=(r"^fstest: periodic: [1-9]\d* passed", 0.5),
             forbid=FORBID, after=periodic_kept),
        # `make run`'s machine: the boot manifest starts the AHCI driver and hmfs on its first
        # disk, a volume made by mkfs.hmfs with the README and etc/.
        Case("hmfs-run-disk", exit_status=None, timeout=120, qemu=RUN_DISK,
             disks=[("disk.img", 0, run_disk)],
             typing=[(PROMPT, "echo run-disk-up\r")],
             expect=SHELL_UP + [r"hmfs: mounted ahci 0 \(16384 blocks\): generation [1-9]\d*, ",
                                r"^run-disk-up$"],
             forbid=SHELL_TROUBLE + [r"hmfs: error"], after=fsck_clean("disk.img")),
        # What a user writes in the shell is there after the next boot: `make run`'s disk,
        # a file written with echo, a reboot through the shutdown sequence, cat, shutdown.
        Case("hmfs-shell-persist", exit_status=0, timeout=180, reboot=True, qemu=RUN_DISK,
             disks=[("disk.img", 0, run_disk)],
             typing=[(PROMPT, "echo kept across boots > /note.txt\r"),
                     (PROMPT, "reboot\r"),
                     (r"Missive shell; type help", "cat /note.txt\r"),
                     (r"^kept across boots", "shutdown\r")],
             expect=SHELL_UP + [r"hmfs: shutdown: committed and unmounted",
                                r"^kept across boots$"],
             forbid=SHELL_TROUBLE + [r"hmfs: error"], after=note_kept),
    ]
