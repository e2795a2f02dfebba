"""The block protocol's system tests on the ramdisk (docs/protocols.md, "Block devices"): the
shell's disks and blk, blocktest's pattern at queue depths 1 and 32, its bad-input suite and
concurrent clients, and a ramdisk swapped or killed under a stream of writes (each request
completes exactly once; the data goes with a ramdisk, so its session fails cleanly with
BLOCK_ERROR_NO_DEVICE instead of writing into the new, empty one). The same
on an AHCI disk, whose acknowledged data reads back, is ahci_cases.py's ahci-intx-kill."""
from common import PROMPT, SHELL_TROUBLE, SHELL_UP, Case

MANIFEST = "qemu-exit init=bin/procsrv -- manifest=etc/tests/block.manifest"


def block_case(name, lines, expect, timeout=180):
    """Boots the block manifest (two ramdisks and the shell) and types lines at the prompt."""
    return Case(name, initrd="test", cmdline=MANIFEST, exit_status=None, timeout=timeout,
                typing=[(PROMPT, line) for line in lines] + [(PROMPT, "echo block-done\r")],
                expect=SHELL_UP + expect + [r"^block-done$"], forbid=SHELL_TROUBLE)


def block_cases():
    return [
        block_case("block-shell", [
            "disks\r",
            "blk read ramdisk2 0 0\r",
            "blk cmp ramdisk2 0 0 etc/motd\r",
            "blk write ramdisk 0 100 etc/motd\r",
            "blk cmp ramdisk 0 100 etc/motd\r",
            "blk cmp ramdisk 0 101 etc/motd\r",
            "blk read ramdisk 0 16384\r",
            "blk read nosuch 0 0\r",
            "blk stats ramdisk\r",
        ], [
            r"^ramdisk +0  Missive ramdisk +RAM\d+ +8192 KiB  16384 x 512 ram fua$",
            r"^ramdisk2 +0  Missive ramdisk +RAM\d+ +1024 KiB  2048 x 512 ram fua$",
            r"^disks: 2 disks$",
            r"^00000000  ?[0-9a-f]{2}",
            r"^blk: same \d+ bytes of etc/motd at sector 0$",
            r"^blk: wrote \d+ bytes of etc/motd at sector 100$",
            r"^blk: same \d+ bytes of etc/motd at sector 100$",
            r"^blk: differs from etc/motd at byte 0$",
            r"^blk: sector 16384: out of range$",
            r"^blk: nosuch disk 0: not found$",
            r"^blk: ramdisk: 1 disks, 0 sessions, \d+ requests done, 1 failed, 0 retries, "
            r"0 resets, 0 sessions cut off$",
        ]),
        block_case("block-ramdisk-io", [
            "run blocktest pattern ramdisk 0 11 1\r",
            "run blocktest pattern ramdisk 0 12 32 16384\r",
            "run blocktest pattern ramdisk2 0 13 8\r",
            "run blocktest clients ramdisk 0 4\r",
        ], [
            r"^blocktest: ok ramdisk disk 0: sectors 0\+8192 at depth 1 written verified$",
            r"^blocktest: pattern: [1-9]\d* passed, 0 failed$",
            r"^blocktest: ok ramdisk disk 0: sectors 0\+16384 at depth 32 written verified$",
            r"^blocktest: ok ramdisk2 disk 0: sectors 0\+2048 at depth 8 written verified$",
            r"^blocktest: 4 clients at once on ramdisk disk 0: each read back its own data$",
            r"^blocktest: clients: [1-9]\d* passed, 0 failed$",
        ]),
        block_case("block-bad-input", [
            "run blocktest bad ramdisk 0\r",
            "run blocktest orphans ramdisk 0 3\r",
            "run blocktest pattern ramdisk 0 5 16 4096\r",
        ], [
            r"^blocktest: bad input on ramdisk disk 0: each refused, the server goes on$",
            r"^blocktest: bad: [1-9]\d* passed, 0 failed$",
            r"^blocktest: 3 clients left with requests in flight; their sessions were reclaimed, "
            r"the server goes on$",
            r"^blocktest: orphans: [1-9]\d* passed, 0 failed$",
            r"^blocktest: ok ramdisk disk 0: sectors 0\+4096 at depth 16 written verified$",
        ]),
        block_case("block-replace", [
            "run blocktest stream ramdisk 0 1500 swap=bin/ramdisk-v2\r",
            "run blocktest stream ramdisk 0 1500 kill\r",
            "run blocktest pattern ramdisk 0 3 4 1024\r",
            "run blocktest idle ramdisk2 0 swap=bin/ramdisk-v2\r",
        ], [
            r"^procsrv: swapped ramdisk: process \d+ replaced by \d+ running bin/ramdisk-v2$",
            r"^blocktest: stream: 1500 writes, 1500 completed exactly once, [1-9]\d* failed, "
            r"0 reopens$",
            r"^blocktest: stream: the session failed: a ramdisk's contents go with its server$",
            r"^procsrv: process \d+ \(ramdisk\) killed by process \d+$",
            r"^blocktest: stream: [1-9]\d* passed, 0 failed$",
            r"^blocktest: ok ramdisk disk 0: sectors 0\+1024 at depth 4 written verified$",
            r"^blocktest: idle: the server went while the session was idle; the ramdisk's "
            r"session failed cleanly$",
            r"^blocktest: idle: [1-9]\d* passed, 0 failed$",
        ]),
    ]
