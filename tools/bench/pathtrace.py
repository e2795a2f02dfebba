#!/usr/bin/env python3
"""pathtrace.py PCS KERNEL: where the fast path's instructions go.

PCS is a list of instruction addresses, one per line, as single-stepped by
pathtrace-gdb.py. Each stretch of kernel addresses between two user-mode
stretches is one kernel entry; each instruction is charged to the innermost
kernel function it belongs to (inlined ones included, through addr2line -i),
and functions to the parts of docs/ipc-performance.md. Prints a table per
kernel entry: part, instructions.
"""
import os
import subprocess
import sys

KERNEL_BASE = 0xFFFF800000000000
# innermost function -> part of the path
PARTS = {
    "syscall_entry": "entry (syscall, save registers, stack switch)",
    "fastpath_call_fxsave": "dispatch, C prologue",
    "fastpath_reply_recv_fxsave": "dispatch, C prologue",
    "fastpath_call_xsave": "dispatch, C prologue",
    "fastpath_reply_recv_xsave": "dispatch, C prologue",
    "fastpath_syscall_body": "dispatch, C prologue",
    "cpu_read_gs_self": "dispatch, C prologue",
    "kernel_lock": "kernel lock",
    "kernel_unlock": "kernel lock",
    "endpoint_lookup": "capability lookup",
    "cspace_slot": "capability lookup",
    "thread_cspace": "capability lookup",
    "fastpath_call": "checks and IPC state (endpoint queue, reply link)",
    "fastpath_reply_recv": "checks and IPC state (endpoint queue, reply link)",
    "notification_bound_pending": "checks and IPC state (endpoint queue, reply link)",
    "fastpath_deliver": "delivery checks (CPU, priority, address space)",
    "thread_vspace_root": "delivery checks (CPU, priority, address space)",
    "sched_switch_to": "delivery checks (CPU, priority, address space)",
    "thread_switch_in": "switch: FPU, CR3, FS base, RSP0",
    "thread_fpu_save": "switch: FPU, CR3, FS base, RSP0",
    "cpu_fxsave": "switch: FPU, CR3, FS base, RSP0",
    "cpu_fxrstor": "switch: FPU, CR3, FS base, RSP0",
    "cpu_xsave": "switch: FPU, CR3, FS base, RSP0",
    "cpu_xrstor": "switch: FPU, CR3, FS base, RSP0",
    "write_cr3": "switch: FPU, CR3, FS base, RSP0",
    "wrmsr": "switch: FPU, CR3, FS base, RSP0",
    "fastpath_exit": "exit (message registers from the sender, sysret)",
}
ORDER = []
for part in PARTS.values():
    if part not in ORDER:
        ORDER.append(part)


def main():
    pcs = [int(l, 16) for l in open(sys.argv[1]) if l.strip()]
    kernel = sys.argv[2]
    kernel_pcs = [p for p in pcs if p >= KERNEL_BASE]
    unique = sorted(set(kernel_pcs))
    text = subprocess.run(["addr2line", "-a", "-f", "-i", "-e", kernel] + ["%x" % a for a in unique],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    names, current = {}, None
    for j, line in enumerate(text):
        if line.startswith("0x"):
            current = int(line, 16)
            names[current] = text[j + 1]
    entries, run = [], []
    for p in pcs:
        if p >= KERNEL_BASE:
            run.append(p)
        elif run:
            entries.append(run)
            run = []
    for n, run in enumerate(entries[:int(os.environ.get("ENTRIES", "4"))]):
        totals = {}
        for p in run:
            part = PARTS.get(names.get(p, "?"), "other: " + names.get(p, "?"))
            totals[part] = totals.get(part, 0) + 1
        print(f"kernel entry {n + 1}: {len(run)} instructions")
        for part in ORDER + sorted(k for k in totals if k not in ORDER):
            if part in totals:
                print(f"  {totals[part]:4d}  {part}")


if __name__ == "__main__":
    main()
