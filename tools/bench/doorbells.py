#!/usr/bin/env python3
"""The NVMe doorbells and interrupts behind each bench-disk row, Missive against Linux: boots
each system as `make bench-disk` does (disk.py, the same QEMU, disks and rows) with QEMU's own
trace events on (pci_nvme_read/write, the submission- and completion-queue doorbell writes, the
MSI-X messages sent), then cuts each trace into phases of consecutive commands of one kind
(read or write, one length) and prints, per phase: commands, submission doorbells, completion
doorbells and MSI-X interrupts, and each per command. The counts come from the device model, so
they are the same whichever driver runs (docs/disk-performance.md, "Doorbells and
interrupts").

    doorbells.py --build DIR --missive-build DIR --linux-kernel VMLINUZ --linux-initrd CPIO
                 [--systems linux,missive] [--modes icount] [--size full|check]
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disk  # noqa: E402
import storage  # noqa: E402

EVENTS = ["pci_nvme_read", "pci_nvme_write", "pci_nvme_mmio_doorbell_sq",
          "pci_nvme_mmio_doorbell_cq", "pci_nvme_irq_msix", "pci_nvme_irq_pin"]
COMMAND = re.compile(r"pci_nvme_(read|write) .*nlb (\d+)")
# The admin queue's doorbells (queue 0) are not the I/O path's.
DOORBELL = re.compile(r"pci_nvme_mmio_doorbell_(sq|cq) (?:sqid|cqid) (\d+)")
IRQ = re.compile(r"pci_nvme_irq_(msix|pin)")


def phases(lines):
    """[(op, commands, KiB, sq doorbells, cq doorbells, interrupts)] from a trace's lines (512-byte
    blocks): a phase ends where a command of another kind comes, a kind being read or write and
    small (8 blocks or fewer: the 4 KiB rows) or large (the 128 KiB rows, which a driver may
    merge into larger commands: Linux's block layer does); doorbells and interrupts count
    toward the phase of the last command before them."""
    out = []
    for line in lines:
        m = COMMAND.search(line)
        if m:
            nlb = int(m.group(2))
            kind = (m.group(1), "small" if nlb <= 8 else "large")
            if not out or out[-1][0] != kind:
                out.append([kind, 0, 0, 0, 0, 0])
            out[-1][1] += 1
            out[-1][2] += nlb
            continue
        if not out:
            continue
        m = DOORBELL.search(line)
        if m and m.group(2) != "0":
            out[-1][3 if m.group(1) == "sq" else 4] += 1
        elif IRQ.search(line):
            out[-1][5] += 1
    return [(f"{k[0]} {k[1]}", c, nlb // 2, sq, cq, irq) for k, c, nlb, sq, cq, irq in out]


def report(label, trace):
    """Prints label's phases of at least 32 commands or 4 MiB (boot-time probes left out)."""
    with open(trace, errors="replace") as f:
        rows = phases(f)
    print(f"## {label}")
    print("| phase | commands | MiB | KiB/command | SQ doorbells | CQ doorbells | MSI-X "
          "| MSI-X/command |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    for kind, c, kib, sq, cq, irq in rows:
        if c < 32 and kib < 4096:
            continue
        print(f"| {kind} | {c} | {kib / 1024:.0f} | {kib / c:.0f} | {sq} | {cq} | {irq} "
              f"| {irq / c:.2f} |")
    sys.stdout.flush()


def main():
    ap = storage.arguments(__doc__, repeats=1, timeout=1200)
    ap.add_argument("--nvme-ioeventfd", action="store_true")
    ap.add_argument("--missive-kernel-args", default="")
    args, systems, modes = storage.parse_arguments(ap)
    base = list(storage.QEMU)
    failed = False
    for mode in modes:
        for system in systems:
            trace = os.path.join(args.build, f"doorbells-{system}-{mode}.trace")
            if os.path.exists(trace):
                os.remove(trace)
            storage.QEMU = base + sum((["-trace", e] for e in EVENTS), []) + ["-D", trace]
            if system == "linux":
                _, error = disk.boot_linux(args, mode, "-doorbells", "/dev/nvme0n1")
            else:
                _, error = disk.boot_missive(args, mode, "-doorbells")
            if error:
                print(f"doorbells: {system} {mode}: {error}")
                failed = True
            report(f"{system} {mode}", trace)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
