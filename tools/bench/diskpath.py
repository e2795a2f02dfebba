#!/usr/bin/env python3
"""diskpath.py TRACE KERNEL CLIENT SERVER[,SERVER...]: where the instructions of Missive's
disk (or file) path go (docs/disk-performance.md, "Where the instructions go").

TRACE holds "rip cr3" pairs, one per single-stepped instruction (tools/bench/diskpath-gdb.py),
starting at a call of the client's entry function (db_queue for the disk rows). Each
instruction is charged to the innermost function it belongs to (inlined ones included,
through addr2line -i): kernel addresses to KERNEL, user addresses in the address space the
trace started in to CLIENT (diskbench), those of any other address space to the SERVER whose
code they fit (every program is linked at the same address, so each address space's executed
addresses are matched against each server's instruction boundaries, from objdump); the idle
spinner's instructions are left out.

Prints, per request (from one entry to the next), the average by program and function, calls
per request of the functions that matter, and the total by program; a trace that holds fewer
than two entries (a file operation is long) is reported as a whole instead.
"""
import collections
import re
import subprocess
import sys

KERNEL_BASE = 0xFFFF800000000000
INSTRUCTION = re.compile(r"^\s+([0-9a-f]+):\t", re.M)


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


def instruction_starts(elf):
    """The addresses where an instruction of elf's code starts."""
    text = subprocess.run(["objdump", "-d", "--no-show-raw-insn", elf], capture_output=True,
                          text=True, check=True).stdout
    return {int(a, 16) for a in INSTRUCTION.findall(text)}


def main():
    trace, kernel, client, servers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
    pairs = [tuple(int(x, 16) for x in line.split()) for line in open(trace) if line.strip()]
    client_cr3 = pairs[0][1]
    # Which program each other address space runs: the server whose instruction boundaries
    # hold the most of its executed addresses.
    spaces = collections.defaultdict(set)
    for rip, cr3 in pairs:
        if rip < KERNEL_BASE and cr3 != client_cr3:
            spaces[cr3].add(rip)
    starts_of = {elf: instruction_starts(elf) for elf in servers}
    program = {cr3: max(servers, key=lambda elf: len(addresses & starts_of[elf]))
               for cr3, addresses in spaces.items()}

    def who_of(rip, cr3):
        if rip >= KERNEL_BASE:
            return "kernel"
        return "client" if cr3 == client_cr3 else program[cr3].rsplit("/", 1)[-1]

    elves = {"kernel": kernel, "client": client}
    elves.update({elf.rsplit("/", 1)[-1]: elf for elf in servers})
    groups = collections.defaultdict(set)
    for rip, cr3 in pairs:
        groups[who_of(rip, cr3)].add(rip)
    names = {who: symbolize(elves[who], groups[who]) for who in groups}

    # A request starts where the client enters the entry function from its own code; coming
    # back there from an interrupt (the kernel before it) or showing it twice in a row (an
    # interrupt taken at that instruction) is the same start.
    start = pairs[0][0]
    starts = [i for i, (rip, cr3) in enumerate(pairs)
              if rip == start and cr3 == client_cr3 and
              (i == 0 or (pairs[i - 1] != pairs[i] and pairs[i - 1][0] < KERNEL_BASE))]
    whole_trace = len(starts) < 2
    end = len(pairs) if whole_trace else starts[-1]
    n = 1 if whole_trace else len(starts) - 1
    counts, entries, first = collections.Counter(), collections.Counter(), {}
    keyed = []
    for rip, cr3 in pairs[:end]:
        key = (who_of(rip, cr3), names[who_of(rip, cr3)].get(rip, "?"))
        keyed.append((rip, key))
        first[key] = min(first.get(key, rip), rip)
    for rip, key in keyed:
        if key[1] == "db_spinner":
            continue
        counts[key] += 1
        if rip == first[key]:
            entries[key] += 1
    total = sum(counts.values())
    if whole_trace:
        print(f"the whole trace (no second entry in it): {total:,} instructions "
              "(idle spinner left out)")
    else:
        print(f"{n} whole requests, {total / n:,.0f} instructions each (idle spinner left out)")
    by_who = collections.Counter()
    for (who, _), c in counts.items():
        by_who[who] += c
    for who, c in by_who.most_common():
        print(f"  {who:9s} {c / n:10,.0f}")
    # Calls: how often each function's first instruction in the trace (its entry, for the
    # functions that matter) ran.
    print("entries per request (system calls: kernel syscall_entry; interrupts: trap_common):")
    for key in [("kernel", "syscall_entry"), ("kernel", "trap_common")] + [
            k for k, _ in entries.most_common() if k[0] != "kernel"][:12]:
        print(f"  {entries[key] / n:8,.1f}  {key[0]:9s} {key[1]}")
    print("by function (per request):")
    for (who, name), c in counts.most_common():
        if c / n >= 5 and c / total >= 0.002:
            print(f"  {c / n:10,.1f}  {who:9s} {name}")


if __name__ == "__main__":
    main()
