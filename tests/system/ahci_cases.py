"""The AHCI driver's system tests (docs/disks.md): real emulated disks on QEMU's AHCI
controllers, pc (-device ahci) and q35 (the built-in one, whose boot CD and empty drive are
ATAPI and skipped). The host writes blocktest's pattern into raw images before QEMU starts and
checks what the guest wrote after QEMU ended (disk_cases.py); blkdebug makes chosen sectors fail."""
import os
import re

from common import LATE_INTERRUPT_OK, REPO
from disk_cases import (MIB64, READ_ERROR_AT_1000, all_of, driver_case, fill_pattern,
                        image_has_pattern, ok, text_file)


def pc_disks(*images, controller="ahci0"):
    """-device ahci with one disk a port, on pc."""
    args = ["-device", f"ahci,id={controller}"]
    for i, image in enumerate(images):
        args += ["-drive", f"if=none,id={controller}d{i},file={{dir}}/{image},format=raw",
                 "-device", f"ide-hd,drive={controller}d{i},bus={controller}.{i}"]
    return args


def q35_disks(*images):
    """The q35 built-in controller's ports 0, 1, 3...: port 2 holds the boot CD."""
    args = ["-machine", "q35"]
    for i, image in enumerate(images):
        args += ["-drive", f"if=none,id=q{i},file={{dir}}/{image},format=raw",
                 "-device", f"ide-hd,drive=q{i},bus=ide.{[0, 1, 3, 4, 5][i]}"]
    return args


def blkdebug_disk(image, config, controller="ahci0", port=0):
    """A disk whose reads of chosen sectors fail: QEMU's blkdebug under the raw format, whose
    reads raise the read_aio event the configuration's rule (in the case's directory) waits
    for."""
    return ["-drive", f"if=none,id=bad{port},driver=raw,file.driver=blkdebug,"
                      f"file.config={{dir}}/{config},file.image.filename={{dir}}/{image}",
            "-device", f"ide-hd,drive=bad{port},bus={controller}.{port}"]


def ahci_case(name, qemu, lines, expect, manifest="ahci", **kw):
    """Boots the ahci manifest (None: the boot manifest, as make run does) with the disks and
    types lines at the shell (disk_cases.driver_case)."""
    return driver_case("ahci", name, qemu, lines, expect, manifest=manifest, **kw)


def motd_at_sector_0(directory, log):
    """After make run's boot: the image starts with etc/motd, as blk wrote it."""
    with open(os.path.join(REPO, "initrd", "files", "motd"), "rb") as f:
        motd = f.read()
    with open(os.path.join(directory, "disk.img"), "rb") as f:
        if f.read(len(motd)) != motd:
            return "disk.img does not start with etc/motd"
    print(f"     disk.img holds etc/motd ({len(motd)} bytes) at sector 0")
    return None


def ahci_cases():
    return [
        # The boot manifest's driver on make run's disk (the Makefile's QEMU_DISK on pc):
        # listed by disks, written by blk, read back by the host.
        ahci_case("ahci-boot-disk", ["-device", "ahci,id=ahci0", "-drive",
                                     "if=none,id=disk0,file={dir}/disk.img,format=raw",
                                     "-device", "ide-hd,drive=disk0,bus=ahci0.0"], [
            "disks\r",
            "blk write ahci 0 0 etc/motd\r",
            "blk cmp ahci 0 0 etc/motd\r",
        ], [
            r"^ahci +0  QEMU HARDDISK +QM\d+ +64 MiB  131072 x 512 ncq cache fua$",
            r"^blk: wrote \d+ bytes of etc/motd at sector 0$",
            r"^blk: same \d+ bytes of etc/motd at sector 0$",
        ], disks=[("disk.img", MIB64, None)], manifest=None, after=motd_at_sector_0),
        # IDENTIFY on pc, the host's pattern read at depths 1 and 32, the guest's written at
        # depth 32 and checked by the host after QEMU ends; the sectors around it untouched.
        ahci_case("ahci-pc", pc_disks("a.img"), [
            "disks\r",
            "run blocktest verify ahci 0 7 1 0 2048\r",
            "run blocktest verify ahci 0 7 32 0 8192\r",
            "run blocktest write ahci 0 9 32 20000 4096\r",
            "run blocktest write-fua ahci 0 10 8 30000 1024\r",
        ], [
            r"^ahci: port 0: QEMU HARDDISK, serial QM\d+, 131072 sectors of 512 bytes, NCQ 32, "
            r"write cache$",
            r"^ahci: serving 1 disk, interrupts through MSI$",
            r"^ahci +0  QEMU HARDDISK +QM\d+ +64 MiB  131072 x 512 ncq cache fua$",
            ok("ahci", 0, 0, 2048, 1, " verified"),
            ok("ahci", 0, 0, 8192, 32, " verified"),
            ok("ahci", 0, 20000, 4096, 32, " written"),
            ok("ahci", 0, 30000, 1024, 8, r" written \(FUA\)"),
        ], disks=[("a.img", MIB64, fill_pattern(7, 0, 8192))],
            after=all_of(image_has_pattern("a.img", 9, 20000, 4096,
                                           untouched=[(19990, 10), (24096, 10)]),
                         image_has_pattern("a.img", 10, 30000, 1024))),
        # q35's built-in controller with two disks (the boot CD on port 2 skipped), both read
        # and written; an image smaller than a sector, which QEMU rounds up to one sector (its
        # missing bytes read as zeros): a disk of one sector, and nothing past it.
        ahci_case("ahci-q35-two", q35_disks("a.img", "b.img", "tiny.img"), [
            "run blocktest verify ahci 0 21 32 0 4096\r",
            "run blocktest verify ahci 1 22 32 0 2048\r",
            "run blocktest write ahci 0 23 8 5000 1000\r",
            "run blocktest write ahci 1 24 32 100 1948\r",
            "blk read ahci 2 0\r",
            "blk read ahci 2 1\r",
        ], [
            r"^ahci: port 0: QEMU HARDDISK, serial QM\d+, 131072 sectors of 512 bytes, ",
            r"^ahci: port 1: QEMU HARDDISK, serial QM\d+, 2048 sectors of 512 bytes, ",
            r"^ahci: port 2: an ATAPI device \(CD or DVD drive\); skipped$",
            r"^ahci: port 3: QEMU HARDDISK, serial QM\d+, 1 sector of 512 bytes, ",
            r"^ahci: serving 3 disks, interrupts through MSI$",
            ok("ahci", 0, 0, 4096, 32, " verified"),
            ok("ahci", 1, 0, 2048, 32, " verified"),
            ok("ahci", 0, 5000, 1000, 8, " written"),
            ok("ahci", 1, 100, 1948, 32, " written"),
            r"^00000000  74 69 6e 79 00 00 00 00  00 00 00 00 00 00 00 00  \|tiny\.+\|$",
            r"^blk: sector 1: out of range$",
        ], disks=[("a.img", MIB64, fill_pattern(21, 0, 4096)),
                  ("b.img", 1 << 20, fill_pattern(22, 0, 2048)), ("tiny.img", 100, lambda path: open(path, "r+b").write(b"tiny"))],
            after=all_of(image_has_pattern("a.img", 23, 5000, 1000),
                         image_has_pattern("b.img", 24, 100, 1948))),
        # pc with two added controllers (drivers ahci and ahci-2), two disks on the first and
        # one on the second: the host's pattern read on all three at once, the guest's written
        # on all three at once and checked by the host after QEMU ends.
        ahci_case("ahci-pc-two-controllers",
                  pc_disks("a.img", "b.img") + pc_disks("c.img", controller="ahci1"), [
                      "run blocktest verify ahci 0 71 32 0 4096 &\r",
                      "run blocktest verify ahci 1 72 32 0 4096 &\r",
                      "run blocktest verify ahci-2 0 73 32 0 4096\r",
                      "run blocktest write ahci 0 74 32 8192 2048 &\r",
                      "run blocktest write ahci 1 75 16 8192 2048 &\r",
                      "run blocktest write ahci-2 0 76 32 8192 2048\r",
                      "echo wait\r",
                  ], [
                      r"^procsrv: started ahci-2 \(bin/ahci\) as process \d+",
                      ok("ahci", 0, 0, 4096, 32, " verified"),
                      ok("ahci", 1, 0, 4096, 32, " verified"),
                      ok("ahci-2", 0, 0, 4096, 32, " verified"),
                      ok("ahci", 0, 8192, 2048, 32, " written"),
                      ok("ahci", 1, 8192, 2048, 16, " written"),
                      ok("ahci-2", 0, 8192, 2048, 32, " written"),
                  ], disks=[("a.img", MIB64, fill_pattern(71, 0, 4096)),
                            ("b.img", MIB64, fill_pattern(72, 0, 4096)),
                            ("c.img", MIB64, fill_pattern(73, 0, 4096))],
                  after=all_of(image_has_pattern("a.img", 74, 8192, 2048),
                               image_has_pattern("b.img", 75, 8192, 2048),
                               image_has_pattern("c.img", 76, 8192, 2048))),
        # Three disks: two on q35's built-in controller, one on an added -device ahci, which
        # the pci server finds first (its driver is ahci, the built-in one's ahci-2): clients
        # on all three at once (two runs in the background), then the bad-input suite and
        # clients that leave with requests in flight, after which the driver still serves
        # (sectors past those of the clients in the background, which may still be running).
        ahci_case("ahci-three-disks",
                  q35_disks("a.img", "b.img") + pc_disks("c.img", controller="ahci1"), [
                      "disks\r",
                      "run blocktest clients ahci-2 0 2 &\r",
                      "run blocktest clients ahci-2 1 2 &\r",
                      "run blocktest clients ahci 0 3\r",
                      "run blocktest bad ahci 0\r",
                      "run blocktest orphans ahci 0 3\r",
                      "run blocktest worker ahci-2 1 31 32 8192 4096\r",
                  ], [
                      r"^procsrv: started ahci-2 \(bin/ahci\) as process \d+",
                      r"^ahci +0  QEMU HARDDISK",
                      r"^ahci-2 +0  QEMU HARDDISK",
                      r"^ahci-2 +1  QEMU HARDDISK",
                      r"^disks: 3 disks$",
                      r"^blocktest: 3 clients at once on ahci disk 0: each read back its own data$",
                      r"^blocktest: 2 clients at once on ahci-2 disk 0: each read back its own data$",
                      r"^blocktest: 2 clients at once on ahci-2 disk 1: each read back its own data$",
                      r"^blocktest: bad input on ahci disk 0: each refused, the server goes on$",
                      r"^blocktest: bad: [1-9]\d* passed, 0 failed$",
                      r"^blocktest: 3 clients left with requests in flight; their sessions were "
                      r"reclaimed, the server goes on$",
                      ok("ahci-2", 1, 8192, 4096, 32, " written verified"),
                  ], disks=[("a.img", MIB64, None), ("b.img", MIB64, None), ("c.img", MIB64, None)],
                  timeout=240,
                  # Not anchored: a run in the background may print after the prompt.
                  check=lambda log: None if len(re.findall(r"blocktest: clients: \d+ passed, 0 failed$",
                                                           log, re.M)) == 3
                  else "expected three clean runs of blocktest clients"),
        # INTx instead of MSI (msi=off), on q35 (GSI 16-23 through _PRT), and no NCQ (ncq=off:
        # READ/WRITE DMA EXT, several unqueued commands in PxCI at once); and the driver
        # killed, then swapped for another binary, in the middle of a stream of writes: procsrv
        # starts it again for the same controller, the client library opens the disk again and
        # submits again what was in flight, every request completes once and what was
        # acknowledged reads back; the pattern written before (elsewhere) is still there.
        ahci_case("ahci-intx-kill", q35_disks("a.img"), [
            "run blocktest write ahci 0 51 32 20000 2048\r",
            "run blocktest write-fua ahci 0 53 4 30000 512\r",
            "run blocktest stream ahci 0 1500 kill\r",
            "run blocktest stream ahci 0 1500 swap=bin/ahci-v2\r",
            "run blocktest verify ahci 0 51 32 20000 2048\r",
        ], [
            r"^ahci: port 0: QEMU HARDDISK, serial QM\d+, 131072 sectors of 512 bytes, no NCQ, "
            r"write cache$",
            r"^ahci: serving 1 disk, interrupts through INTx$",
            ok("ahci", 0, 20000, 2048, 32, " written"),
            ok("ahci", 0, 30000, 512, 4, r" written \(FUA\)"),
            r"^procsrv: process \d+ \(ahci\) killed by process \d+$",
            r"^blocktest: stream: 1500 writes, 1500 completed exactly once, 0 failed, "
            r"[1-9]\d* reopens$",
            r"^blocktest: stream: [1-9]\d* passed, 0 failed$",
            r"^procsrv: swapped ahci: process \d+ replaced by \d+ running bin/ahci-v2$",
            r"^blocktest: stream: every acknowledged write read back$",
            ok("ahci", 0, 20000, 2048, 32, " verified"),
        ], disks=[("a.img", MIB64, None)], manifest="ahci-intx", timeout=200,
            trouble=LATE_INTERRUPT_OK,
            after=image_has_pattern("a.img", 53, 30000, 512),
            check=lambda log: None if log.count("every acknowledged write read back") == 2
            else "expected both streams (kill and swap) to read back what was acknowledged"),
        # A sector that cannot be read (blkdebug): its request is retried after port restarts,
        # then fails alone with an I/O error and a line naming the disk and the LBA; the
        # sectors around it read, a batch at depth 32 on the rest of the disk goes on, writes
        # too, and the stats count the retries and resets.
        ahci_case("ahci-read-error", ["-device", "ahci,id=ahci0"] +
                  blkdebug_disk("a.img", "errors.conf"), [
                      "blk read ahci 0 999\r",
                      "blk read ahci 0 1000\r",
                      "blk read ahci 0 1001\r",
                      "run blocktest verify ahci 0 41 32 1001 3000\r",
                      "run blocktest pattern ahci 0 42 32 900\r",
                      "blk stats ahci\r",
                  ], [
                      r"^ahci: disk 0 \(port 0\): error with 1 command in flight \(PxIS 0x",
                      r"^ahci: disk 0 \(port 0, QEMU HARDDISK\): I/O error at LBA 1000 "
                      r"\(1 sector\) after 3 retries \(status 0x[0-9a-f]+, error 0x[0-9a-f]+\)$",
                      r"^blk: sector 1000: I/O error$",
                      r"^0007d200  ",
                      r"^0007ce00  ",
                      ok("ahci", 0, 1001, 3000, 32, " verified"),
                      ok("ahci", 0, 0, 900, 32, " written verified"),
                      r"^blk: ahci: 1 disks, 0 sessions, \d+ requests done, 1 failed, 3 retries, "
                      r"4 resets, 0 sessions cut off$",
                  ], disks=[("a.img", MIB64, fill_pattern(41, 0, 4096)),
                            ("errors.conf", 0, text_file(READ_ERROR_AT_1000))]),
        # The same read error without NCQ (ncq=off, INTx): READ DMA EXT fails alone, is retried
        # and fails; the rest of the disk reads, and writes go on.
        ahci_case("ahci-read-error-dma", ["-device", "ahci,id=ahci0"] +
                  blkdebug_disk("a.img", "errors.conf"), [
                      "blk read ahci 0 1000\r",
                      "run blocktest verify ahci 0 41 8 1001 1000\r",
                      "run blocktest pattern ahci 0 43 8 900\r",
                  ], [
                      r"^ahci: port 0: QEMU HARDDISK, serial QM\d+, 131072 sectors of 512 bytes, "
                      r"no NCQ, ",
                      r"^ahci: disk 0 \(port 0, QEMU HARDDISK\): I/O error at LBA 1000 "
                      r"\(1 sector\) after 3 retries ",
                      r"^blk: sector 1000: I/O error$",
                      ok("ahci", 0, 1001, 1000, 8, " verified"),
                      ok("ahci", 0, 0, 900, 8, " written verified"),
                  ], disks=[("a.img", MIB64, fill_pattern(41, 0, 4096)),
                            ("errors.conf", 0, text_file(READ_ERROR_AT_1000))],
                  manifest="ahci-intx"),
        # A disk too slow for the time-out (QEMU throttles it to 4 requests a second; the test
        # manifest's I/O time-out is 3 s): commands queued 32 deep time out, the port is reset
        # (COMRESET), the commands go again one at a time (no retry is counted: none was alone
        # when it timed out), and every one completes well.
        ahci_case("ahci-timeout", ["-device", "ahci,id=ahci0", "-drive",
                                   "if=none,id=slow,file={dir}/a.img,format=raw,"
                                   "throttling.iops-total=4",
                                   "-device", "ide-hd,drive=slow,bus=ahci0.0"], [
            "run blocktest verify ahci 0 61 32 0 256\r",
            "blk stats ahci\r",
        ], [
            r"^ahci: disk 0 \(port 0\): time-out with \d+ commands in flight \(PxIS 0x0, ",
            ok("ahci", 0, 0, 256, 32, " verified"),
            r"^blk: ahci: 1 disks, 0 sessions, \d+ requests done, 0 failed, \d+ retries, "
            r"[1-9]\d* resets, 0 sessions cut off$",
        ], disks=[("a.img", MIB64, fill_pattern(61, 0, 256))], timeout=120),
        # No disk at all: said once, and the driver waits (the shell still lists no disks).
        ahci_case("ahci-no-disk", ["-device", "ahci"], ["disks\r"], [
            r"^ahci: no disks on this controller; waiting$", r"^disks: 0 disks$"],
            check=lambda log: None if log.count("no disks on this controller") == 1
            else "the driver said more than once that it has no disk"),
    ]
