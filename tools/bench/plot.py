#!/usr/bin/env python3
"""Plots ipcbench's figures (results/missive-*.csv, tools/bench/benchcsv.py) as PNGs for
docs/ipc-performance.md:

    python3 tools/bench/plot.py [--results results] [--out docs/img]

- missive-benchmarks-MODE.png: every benchmark but the length series as bars (median, with
  the min-p99 range as the error bar);
- missive-rtt-length-MODE.png: round trip against message length (call-rtt-len-N), with the
  register limit (MSG_REGISTERS = 10) marked.
MODE is icount (instructions) or wall (ns); a missing CSV is skipped. With --table it prints
the Markdown table of docs/ipc-performance.md instead (median, min, p99 and stddev of both).
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcsv  # noqa: E402

UNIT = {"icount": "instructions", "wall": "ns"}
TITLE = {"icount": "under -icount shift=0", "wall": "wall clock, TCG"}


def bars(rows, mode, path):
    rows = [r for r in rows if not r["benchmark"].startswith("call-rtt-len-")]
    names = [r["benchmark"] for r in rows]
    med = [r["median"] for r in rows]
    low = [max(r["median"] - r["min"], 0) for r in rows]
    high = [max(r["p99"] - r["median"], 0) for r in rows]
    fig, ax = plt.subplots(figsize=(10, 6))
    ax.barh(names, med, xerr=[low, high], color="#4c72b0", ecolor="#888", capsize=2)
    ax.invert_yaxis()
    for y, m in enumerate(med):
        ax.text(m, y, f" {m:.0f}", va="center", fontsize=8)
    ax.set_xlabel(f"median {UNIT[mode]} (bars: min to p99)")
    ax.set_title(f"Missive ipcbench, {TITLE[mode]}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def lengths(rows, mode, path):
    pts = sorted((int(r["benchmark"].rsplit("-", 1)[1]), r["median"], r["min"], r["p99"])
                 for r in rows if r["benchmark"].startswith("call-rtt-len-"))
    if not pts:
        return False
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label="median")
    ax.fill_between([p[0] for p in pts], [p[2] for p in pts], [p[3] for p in pts], alpha=0.2,
                    label="min to p99")
    ax.axvline(10, color="#c44", linestyle="--", linewidth=1)
    ax.text(10.5, 0.03, "MR0-MR9 in registers | beyond: the IPC buffer", color="#c44",
            fontsize=8, va="bottom", transform=ax.get_xaxis_transform())
    ax.set_xlabel("message length each way (words)")
    ax.set_ylabel(f"round trip ({UNIT[mode]})")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Missive call/reply_recv round trip by length, {TITLE[mode]}")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def table(results):
    """Prints both modes' figures side by side as a Markdown table."""
    modes = {}
    for mode in ("icount", "wall"):
        path = os.path.join(results, f"missive-{mode}.csv")
        if os.path.exists(path):
            modes[mode] = {r["benchmark"]: r for r in benchcsv.read_csv(path)}
    names = list(next(iter(modes.values())).keys()) if modes else []
    head = "| benchmark |"
    for mode in modes:
        head += f" median {UNIT[mode]} | min | p99 | stddev |"
    print(head)
    print("|---" * (1 + 4 * len(modes)) + "|")
    for n in names:
        line = f"| `{n}` |"
        for mode, rows in modes.items():
            r = rows.get(n)
            line += (" " + " | ".join(f"{r[f]:.0f}" for f in ("median", "min", "p99"))
                     + f" | {r['stddev']:.1f} |") if r else " - | - | - | - |"
        print(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", default="results")
    ap.add_argument("--out", default="docs/img")
    ap.add_argument("--table", action="store_true")
    args = ap.parse_args()
    if args.table:
        table(args.results)
        return 0
    os.makedirs(args.out, exist_ok=True)
    made = 0
    for mode in ("icount", "wall"):
        csv_path = os.path.join(args.results, f"missive-{mode}.csv")
        if not os.path.exists(csv_path):
            print(f"plot: no {csv_path}; skipped")
            continue
        rows = benchcsv.read_csv(csv_path)
        out = os.path.join(args.out, f"missive-benchmarks-{mode}.png")
        bars(rows, mode, out)
        print(f"plot: {out}")
        made += 1
        out = os.path.join(args.out, f"missive-rtt-length-{mode}.png")
        if lengths(rows, mode, out):
            print(f"plot: {out}")
    return 0 if made else 1


if __name__ == "__main__":
    sys.exit(main())
