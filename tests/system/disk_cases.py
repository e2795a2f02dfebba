"""What the disk drivers' system tests (ahci_cases.py, nvme_cases.py) share: blocktest's pattern
written into raw images before QEMU starts and checked in them after QEMU ended, blocktest's ok
line, a blkdebug configuration, and the one case builder both drivers' cases are made with (the
driver's manifest booted, lines typed at the shell)."""
import os
import struct

from common import PROMPT, SHELL_TROUBLE, SHELL_UP, Case

SECTOR = 512
MASK = (1 << 64) - 1
MIB64 = 64 << 20


def pattern_word(seed, n):
    """blocktest_word (tests/user/blocktest/blocktest.h): splitmix64 of seed + n * phi."""
    z = (seed + n * 0x9e3779b97f4a7c15) & MASK
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & MASK
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & MASK
    return z ^ (z >> 31)


def pattern_bytes(seed, first_sector, sectors):
    words = SECTOR // 8
    start = first_sector * words
    return struct.pack(f"<{sectors * words}Q",
                       *(pattern_word(seed, n) for n in range(start, start + sectors * words)))


def fill_pattern(seed, first, count):
    """A disk fill (Case.disks): the pattern of seed on sectors [first, first + count)."""
    def fill(path):
        with open(path, "r+b") as f:
            f.seek(first * SECTOR)
            f.write(pattern_bytes(seed, first, count))
    return fill


def image_has_pattern(image, seed, first, count, untouched=()):
    """An after-check: sectors [first, first + count) of image hold seed's pattern, and each
    (first, count) range of untouched is still zeros."""
    def after(directory, log):
        with open(os.path.join(directory, image), "rb") as f:
            f.seek(first * SECTOR)
            got = f.read(count * SECTOR)
            want = pattern_bytes(seed, first, count)
            if got != want:
                bad = next(i for i in range(len(want)) if got[i:i + 1] != want[i:i + 1])
                return (f"{image}: sector {first + bad // SECTOR} differs from the pattern at "
                        f"byte {bad % SECTOR}")
            for start, n in untouched:
                f.seek(start * SECTOR)
                if f.read(n * SECTOR) != bytes(n * SECTOR):
                    return f"{image}: sectors {start}+{n} were written, and should not have been"
        print(f"     {image}: sectors {first}+{count} hold the guest's pattern")
        return None
    return after


def all_of(*checks):
    """An after-check that runs checks in order; the first error, or None."""
    def after(directory, log):
        for check in checks:
            error = check(directory, log)
            if error:
                return error
        return None
    return after


def text_file(text):
    """A Case.disks fill that makes the file hold text (a blkdebug configuration)."""
    def fill(path):
        with open(path, "w") as f:
            f.write(text)
    return fill


# blkdebug (QEMU 7.2): reads of sector 1000 fail with EIO, every time.
READ_ERROR_AT_1000 = """[inject-error]
event = "read_aio"
errno = "5"
sector = "1000"
once = "off"
"""

OK = r"^blocktest: ok {server} disk {disk}: sectors {first}\+{count} at depth {depth}{what}$"


def ok(server, disk, first, count, depth, what):
    """blocktest's line for a run that went well on server's disk."""
    return OK.format(server=server, disk=disk, first=first, count=count, depth=depth, what=what)


def driver_case(driver, name, qemu, lines, expect, disks=(), timeout=150, forbid=(),
                manifest=None, trouble=SHELL_TROUBLE, first=PROMPT, **kw):
    """A case that boots etc/tests/MANIFEST.manifest with the disks (qemu, disks), sees procsrv
    start the driver (bin/DRIVER), types lines at the shell and then "echo DRIVER-done", and
    expects expect between the shell's start and that echo. manifest None: the boot manifest (as
    make run boots), without init=. The first line is typed once first shows (the prompt unless
    told otherwise), the others at each prompt."""
    cmdline = "qemu-exit" + (f" init=bin/procsrv -- manifest=etc/tests/{manifest}.manifest"
                             if manifest else "")
    # Not anchored: the shell's prompt may come before the driver's start-up, so the first typed
    # line may be echoed into the middle of this one (seen at -smp 2 in nvme-ahci-shared).
    started = rf"procsrv: started {driver} \(bin/{driver}\) as process \d+"
    return Case(name, initrd="test", timeout=timeout, exit_status=None, cmdline=cmdline,
                qemu=list(qemu), disks=list(disks),
                typing=[(first, lines[0])] + [(PROMPT, line) for line in lines[1:]] +
                [(PROMPT, f"echo {driver}-done\r")],
                expect=SHELL_UP + [started] + list(expect) + [rf"^{driver}-done$"],
                forbid=list(trouble) + list(forbid), **kw)
