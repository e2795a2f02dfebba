#!/usr/bin/env python3
"""diskpath.py TRACE KERNEL CLIENT SERVER: where the instructions of Missive's disk path go
(docs/disk-performance.md, "Where the instructions go").

TRACE holds "rip cr3" pairs, one per single-stepped instruction (tools/bench/diskpath-gdb.py),
starting at a call of the client's db_queue. Each instruction is charged to the innermost
function it belongs to (inlined ones included, through addr2line -i): kernel addresses to
KERNEL, user addresses in the address space the trace started in to CLIENT (diskbench), in any
other to SERVER (the driver); the idle spinner's instructions are left out. Prints, per
request (from one db_queue call to the next), the average by program and function, and the
total by part.
"""
import collections
import subprocess
import sys

KERNEL_BASE = 0xFFFF800000000000


def symbolize(elf, addresses):
    """{address: innermost function name} through addr2line -f -i."""
    if not addresses:
        return {}
    text = subprocess.run(["addr2line", "-a", "-f", "-i", "-e", elf] +
                          ["%x" % a for a in sorted(addresses)],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    names, current = {}, None
    for j, line in enumerate(text):
        if line.startswith("0x"):
            current = int(line, 16)
            names[current] = text[j + 1]
    return names


def main():
    trace, kernel, client, server = sys.argv[1:5]
    pairs = [tuple(int(x, 16) for x in line.split()) for line in open(trace) if line.strip()]
    client_cr3 = pairs[0][1]
    groups = {"kernel": set(), "client": set(), "server": set()}
    for rip, cr3 in pairs:
        who = "kernel" if rip >= KERNEL_BASE else ("client" if cr3 == client_cr3 else "server")
        groups[who].add(rip)
    names = {who: symbolize(elf, groups[who])
             for who, elf in (("kernel", kernel), ("client", client), ("server", server))}
    start = pairs[0][0]

    def who_of(rip, cr3):
        return "kernel" if rip >= KERNEL_BASE else ("client" if cr3 == client_cr3 else "server")

    # A request starts where the client enters db_queue from its own code; coming back there
    # from an interrupt (the kernel before it) or showing it twice in a row (an interrupt taken
    # at that instruction) is the same start.
    starts = [i for i, (rip, cr3) in enumerate(pairs)
              if rip == start and cr3 == client_cr3 and
              (i == 0 or (pairs[i - 1] != pairs[i] and pairs[i - 1][0] < KERNEL_BASE))]
    requests = len(starts)
    # The last request is cut short by the end of the trace: count whole ones only.
    last = starts[-1]
    whole = collections.Counter()
    for rip, cr3 in pairs[:last]:
        name = names[who_of(rip, cr3)].get(rip, "?")
        if name != "db_spinner":
            whole[(who_of(rip, cr3), name)] += 1
    n = requests - 1
    if n < 1:
        sys.exit(f"diskpath: the trace holds no whole request ({requests} started); more steps")
    total = sum(whole.values())
    print(f"{n} whole requests, {total / n:,.0f} instructions each (idle spinner left out)")
    by_who = collections.Counter()
    for (who, _), c in whole.items():
        by_who[who] += c
    for who in ("client", "kernel", "server"):
        print(f"  {who:7s} {by_who[who] / n:8,.0f}")
    # Calls per request: how often each function's first instruction in the trace (its entry,
    # for the functions that matter) ran.
    first = {}
    for rip, cr3 in pairs[:last]:
        key = (who_of(rip, cr3), names[who_of(rip, cr3)].get(rip, "?"))
        first[key] = min(first.get(key, rip), rip)
    entries = collections.Counter()
    for rip, cr3 in pairs[:last]:
        key = (who_of(rip, cr3), names[who_of(rip, cr3)].get(rip, "?"))
        if rip == first[key]:
            entries[key] += 1
    print("entries per request (system calls: kernel syscall_entry; interrupts: trap_common):")
    for key in [("kernel", "syscall_entry"), ("kernel", "trap_common")] + [
            k for k, _ in entries.most_common() if k[0] != "kernel"][:12]:
        print(f"  {entries[key] / n:8,.1f}  {key[0]:7s} {key[1]}")
    print("by function (per request):")
    for (who, name), c in whole.most_common():
        if c / n >= 5:
            print(f"  {c / n:8,.1f}  {who:7s} {name}")


if __name__ == "__main__":
    main()
