"""The file server's system tests (docs/hmfs.md, "The server"): fstest's requests and bad
inputs against servers/hmfs, many clients at once, a full disk."""
from common import Case

FORBID = [r"FAIL", r"KERNEL PANIC", r"killed$", r"hmfs: error"]


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
    ]
