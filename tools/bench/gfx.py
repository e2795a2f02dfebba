#!/usr/bin/env python3
"""Runs gfxbench (apps/gfxbench) on Missive in QEMU with -cpu max (AVX2), once under
-icount shift=0 (guest instructions) and once without (wall clock: TCG's rdtsc is the host's
TSC; three boots, the least of each figure), and writes the table docs/graphics.md shows (`make bench-gfx`).

    python3 tools/bench/gfx.py --build build [--results results]
"""
import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchcsv  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINE = re.compile(r"^gfxbench: (\S+) ticks (\d+) pixels (\d+) bytes (\d+)$", re.M)


def boot(iso, log, icount, timeout=600):
    if os.path.exists(log):
        os.remove(log)
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "max", "-m", "512M",
           "-no-reboot", "-display", "none", "-serial", f"file:{log}", "-monitor", "none",
           "-cdrom", iso] + (["-icount", "shift=0"] if icount else [])
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.monotonic()
    text = ""
    while time.monotonic() - start < timeout:
        time.sleep(0.5)
        text = open(log, errors="replace").read() if os.path.exists(log) else ""
        if "gfxbench: done" in text or "FAIL" in text or "KERNEL PANIC" in text:
            break
    proc.kill()
    proc.wait()
    if "gfxbench: done" not in text:
        sys.exit(f"gfx.py: gfxbench did not finish ({log})")
    return {m[0]: (int(m[1]), int(m[2]), int(m[3])) for m in LINE.findall(text)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--results", default="results")
    args = ap.parse_args()
    iso = os.path.join(args.build, "gfxbench.iso")
    subprocess.run(["bash", os.path.join(REPO, "tools", "mkiso.sh"), iso,
                    os.path.join(args.build, "kernel.elf"), os.path.join(args.build, "initrd.cpio"),
                    "loglevel=warn", "init=bin/procsrv", "--", "manifest=etc/gfxbench.manifest"],
                   check=True, stdout=subprocess.DEVNULL)
    icount = boot(iso, os.path.join(args.build, "gfxbench-icount.log"), True)
    # Wall clock on a shared host is noisy: the least of three boots, each the least of its
    # three runs.
    wall = {}
    for i in range(3):
        for name, value in boot(iso, os.path.join(args.build, f"gfxbench-wall{i}.log"),
                                False).items():
            wall[name] = min(wall.get(name, value), value)
    hz = benchcsv.host_tsc_hz()
    rows = ["| operation | pixels | instructions | instructions/pixel | wall (ms) | Mpixel/s | MB/s |",
            "|---|---|---|---|---|---|---|"]
    for name in ["memcpy", "blend-scalar", "blend-sse2", "blend-avx2", "compose-full",
                 "compose-pointer"]:
        if name not in icount or name not in wall:
            rows.append(f"| {name} | - | not run (no AVX2?) | | | | |")
            continue
        ins, pixels, nbytes = icount[name]
        seconds = wall[name][0] / hz
        rows.append(f"| {name} | {pixels:,} | {ins:,} | {ins / pixels:.2f} | {seconds * 1e3:.3f} "
                    f"| {pixels / seconds / 1e6:.1f} | {nbytes / seconds / 1e6:.0f} |")
    full, pointer = icount["compose-full"][0], icount["compose-pointer"][0]
    wall_full, wall_pointer = wall["compose-full"][0], wall["compose-pointer"][0]
    rows.append("")
    rows.append(f"A pointer move costs {100 * pointer / full:.3f}% of a full composition in "
                f"instructions, {100 * wall_pointer / wall_full:.3f}% in wall-clock time.")
    if "blend-avx2" in wall:
        ratio = wall["memcpy"][0] / wall["blend-avx2"][0]
        rows.append(f"AVX2 over runs at {100 * ratio:.0f}% of memcpy's byte rate (wall clock).")
    os.makedirs(args.results, exist_ok=True)
    out = os.path.join(args.results, "gfx.md")
    with open(out, "w") as f:
        f.write("\n".join(rows) + "\n")
    print("\n".join(rows))
    print(f"gfx.py: wrote {out}")


if __name__ == "__main__":
    main()
