"""The AHCI driver's system tests (docs/disks.md): real emulated disks on QEMU's AHCI
controllers, pc (-device ahci) and q35 (the built-in one, whose empty CD drive and boot CD are
ATAPI and skipped), filled and checked by the host."""
import os
import re

from common import Case

MANIFEST = "init=bin/procsrv -- manifest=etc/tests/ahci.manifest"
TROUBLE = [r"FAIL", r"KERNEL PANIC", r"killed$", r"^fault:", r"^warning:"]
SECTOR = 512


def pc_disks(*images):
    """-device ahci with one disk a port, on pc."""
    args = ["-device", "ahci,id=ahci0"]
    for i, image in enumerate(images):
        args += ["-drive", f"if=none,id=d{i},file={{dir}}/{image},format=raw",
                 "-device", f"ide-hd,drive=d{i},bus=ahci0.{i}"]
    return args


def q35_disks(*images):
    """The q35 built-in controller's ports 0, 1, (3, 4...): port 2 holds the boot CD."""
    args = ["-machine", "q35"]
    ports = [0, 1, 3, 4, 5]
    for i, image in enumerate(images):
        args += ["-drive", f"if=none,id=d{i},file={{dir}}/{image},format=raw",
                 "-device", f"ide-hd,drive=d{i},bus=ide.{ports[i]}"]
    return args


def ahci_case(name, qemu, expect, disks=(), timeout=60, **kw):
    return Case(name, initrd="test", cmdline=f"qemu-exit {MANIFEST}", exit_status=None,
                timeout=timeout, qemu=list(qemu), disks=list(disks),
                expect=[r"^procsrv: started ahci \(bin/ahci\) as process \d+"] + expect,
                forbid=TROUBLE, **kw)


def ahci_cases():
    return [
        ahci_case("ahci-identify", pc_disks("a.img"),
                  [r"^ahci: port 0: QEMU HARDDISK, serial QM\d+, 131072 sectors of 512 bytes, "
                   r"NCQ 32, write cache$",
                   r"^ahci: serving 1 disk, interrupts through MSI$"],
                  disks=[("a.img", 64 << 20, None)]),
        ahci_case("ahci-identify-q35", q35_disks("a.img", "b.img"),
                  [r"^ahci: port 0: QEMU HARDDISK, serial QM\d+, 131072 sectors of 512 bytes, ",
                   r"^ahci: port 1: QEMU HARDDISK, serial QM\d+, 2048 sectors of 512 bytes, ",
                   r"^ahci: port 2: an ATAPI device \(CD or DVD drive\); skipped$",
                   r"^ahci: serving 2 disks, interrupts through MSI$"],
                  disks=[("a.img", 64 << 20, None), ("b.img", 1 << 20, None)]),
        ahci_case("ahci-no-disk", ["-device", "ahci"],
                  [r"^ahci: no disks on this controller; waiting$"]),
    ]
