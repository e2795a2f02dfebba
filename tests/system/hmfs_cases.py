"""The file server's system tests (docs/hmfs.md, "The server"): fstest's requests and bad
inputs against servers/hmfs, many clients at once, a full disk; servers/hmfs on a ramdisk;
damaged blocks (tests/system/hmfs_image.py) detected, named and never trusted."""
import json
import os
import re
import subprocess

from common import REPO, Case

BUILD = os.environ.get("MISSIVE_BUILD", os.path.join(REPO, "build"))

FORBID = [r"FAIL", r"KERNEL PANIC", r"killed$", r"hmfs: error"]


def damage_named(log):
    """A check: the blocks hmfs_image.py damaged are the ones the guest named (the file's read,
    the directory's, and its fsck) and the ones the host's fsck.hmfs names."""
    image = os.path.join(BUILD, "hmfs-damaged.img")
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
             expect=[r"^hmfs: mounted ramdisk 0 .*degraded",
                     r"^hmfs: corrupt reading /damaged\.bin ",
                     r"^fstest: damaged: [1-9]\d* passed, 0 failed$"],
             forbid=[r"FAIL", r"KERNEL PANIC", r"killed$", r"hmfs: error"],
             check=damage_named),
        # Two boots on one AHCI disk: written, shut down (a reboot through procsrv's sequence),
        # read back; then the host's fsck.hmfs on the image is clean.
        Case("hmfs-persist", initrd="test", exit_status=0, timeout=180, reboot=True,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/hmfs-persist.manifest",
             qemu=["-device", "ahci,id=ahci0", "-drive",
                   "if=none,id=d0,file={dir}/disk.img,format=raw",
                   "-device", "ide-hd,drive=d0,bus=ahci0.0"],
             disks=[("disk.img", 64 << 20, None)],
             expect=[r"^hmfs: ahci 0 \(16384 blocks\) holds no HMFS: formatting it",
                     r"^fstest: persist-write: [1-9]\d* passed, 0 failed$",
                     r"^hmfs: shutdown: committed and unmounted",
                     r"^hmfs: mounted ahci 0 \(16384 blocks\): generation [1-9]",
                     r"^fstest: persist-read: [1-9]\d* passed, 0 failed$"],
             forbid=FORBID, after=fsck_clean("disk.img")),
    ]
