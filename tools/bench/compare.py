#!/usr/bin/env python3
"""Writes results/compare.md: Missive's IPC figures beside Linux's, with ratios,
in instructions (the -icount runs) and in nanoseconds (the wall-clock runs).

It reads whichever of results/{missive,linux}-{icount,wall}.csv exist (made
by `make bench-missive` and `make bench-linux`, format of benchcsv.py) and
pairs the benchmarks that do the same job (docs/ipc-performance.md): a
Missive call and its reply between two address spaces against a Linux
ping-pong between two processes, on one CPU and across two, and a null
system call against a null system call. Missing files and rows are listed
in the report, never fatal.

Usage: compare.py [--results DIR] [--out FILE]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcsv  # noqa: E402

# (Missive benchmark, Linux benchmark): the pairs the table shows, in order.
PAIRS = [("null-syscall", "null-syscall")] + [
    (f"call-{kind}-{missive}", f"{t}-{kind}-{linux}")
    for kind in ("rtt", "oneway")
    for missive, linux in (("inter-as", "1cpu"), ("cross-cpu", "2cpu"))
    for t in ("pipe", "unix", "futex")]

MODES = [("icount", "instructions", "Instructions (-icount shift=0: guest instructions executed)"),
         ("wall", "ns", "Wall-clock time (TCG without icount, host TSC converted to ns)")]


def load(path, problems):
    """Returns {benchmark: row} from the CSV at path, or None (with the reason
    appended to problems) if it is missing or unreadable."""
    if not os.path.exists(path):
        problems.append(f"`{path}`: not found")
        return None
    try:
        with open(path, newline="") as f:
            header = f.readline().strip().split(",")
        if header != benchcsv.HEADER:
            problems.append(f"`{path}`: unreadable (its header is not {','.join(benchcsv.HEADER)})")
            return None
        return {row["benchmark"]: row for row in benchcsv.read_csv(path)}
    except (OSError, KeyError, ValueError, TypeError) as e:
        problems.append(f"`{path}`: unreadable ({type(e).__name__}: {e})")
        return None


def fmt(value):
    """A figure for the table: thousands separators, a decimal only below 100
    and only when the figure has one."""
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.1f}"


def table(missive, linux, unit, problems, label):
    """The markdown lines comparing the paired medians of two {benchmark: row}
    maps (either may be None); adds each missing row to problems."""
    lines = [f"| Missive | median ({unit}) | Linux | median ({unit}) | min Missive / Linux "
             f"| Linux ÷ Missive (median) |",
             "|---|--:|---|--:|--:|--:|"]
    for m_name, l_name in PAIRS:
        m = missive.get(m_name) if missive else None
        lrow = linux.get(l_name) if linux else None
        for system, rows, name in (("Missive", missive, m_name), ("Linux", linux, l_name)):
            problem = f"{label}: {system} has no `{name}`"
            if rows is not None and name not in rows and problem not in problems:
                problems.append(problem)
        if m is None and lrow is None:
            continue
        ratio = "—"
        if m and lrow and m["median"] > 0:
            ratio = f"{lrow['median'] / m['median']:.1f}×"
        mins = f"{fmt(m['min']) if m else '—'} / {fmt(lrow['min']) if lrow else '—'}"
        lines.append(f"| `{m_name}` | {fmt(m['median']) if m else '—'} | `{l_name}` | "
                     f"{fmt(lrow['median']) if lrow else '—'} | {mins} | {ratio} |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", default="results", help="where the CSVs are")
    ap.add_argument("--out", help="the report (default RESULTS/compare.md)")
    args = ap.parse_args()
    out = args.out or os.path.join(args.results, "compare.md")

    problems = []
    lines = ["# Missive and Linux side by side", "",
             "Made by `tools/bench/compare.py` from the CSVs in "
             f"`{args.results}/` (method: docs/ipc-performance.md). Each row pairs "
             "benchmarks that do the same job: a Missive call and its reply between two "
             "address spaces against a Linux ping-pong between two processes on one "
             "CPU (`inter-as` against `-1cpu`) and across two (`cross-cpu` against "
             "`-2cpu`); one-way rows time the first half of it. The ratio is Linux's "
             "median over Missive's: how many times more Linux takes.", ""]
    for mode, unit, title in MODES:
        missive = load(os.path.join(args.results, f"missive-{mode}.csv"), problems)
        linux = load(os.path.join(args.results, f"linux-{mode}.csv"), problems)
        lines += [f"## {title}", ""]
        if missive is None and linux is None:
            lines += ["No results for this mode.", ""]
            continue
        lines += table(missive, linux, unit, problems, mode) + [""]
        if mode == "wall":
            lines += ["Wall-clock figures move with the host's load, the cross-CPU ones most: "
                      "a waiting vCPU is a host thread that the host must wake.", ""]
    lines += ["## Missing", ""]
    lines += [f"- {p}" for p in problems] if problems else ["Nothing: every file and row was there."]
    text = "\n".join(lines) + "\n"

    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        f.write(text)
    print(text, end="")
    print(f"compare: wrote {out}")


if __name__ == "__main__":
    main()
