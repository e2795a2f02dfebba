"""The benchmark result format shared by ipcbench (Missive) and the Linux
benchmark, and the host's conversion of their output (docs/ipc-performance.md).

In the guest, every benchmark prints one line on the serial console:

    CSV,<benchmark>,<iterations>,<min>,<median>,<mean>,<p99>,<stddev>,<overhead>

in rdtsc ticks, with the loop's own overhead (the same timing code with the
measured operation replaced by a nop) already subtracted from the first five
figures and given in the last. Under QEMU's -icount shift=0 a tick is one
guest instruction; under plain TCG rdtsc returns the host's TSC, so the host
turns ticks into nanoseconds with its own TSC frequency (host_tsc_hz).

On the host, results/<system>-<mode>.csv (system: missive or linux; mode:
icount or wall) hold the same columns under HEADER, with unit
"instructions" or "ns".
"""
import csv
import os
import re
import subprocess
import tempfile

HEADER = ["benchmark", "unit", "iterations", "min", "median", "mean", "p99", "stddev", "overhead"]
FIGURES = HEADER[3:]
LINE = re.compile(r"^CSV,([A-Za-z0-9_.+-]+),(\d+)((?:,-?\d+(?:\.\d+)?){6})\s*$")


def parse_serial(text):
    """Returns the benchmark lines in text as dicts of HEADER (unit "ticks")."""
    rows = []
    for line in text.replace("\r", "").splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        values = [float(v) for v in m.group(3)[1:].split(",")]
        row = {"benchmark": m.group(1), "unit": "ticks", "iterations": int(m.group(2))}
        row.update(zip(FIGURES, values))
        rows.append(row)
    return rows


def to_unit(rows, mode, tsc_hz=None):
    """Labels rows as instructions (mode icount) or converts them to ns (mode wall)."""
    out = []
    for row in rows:
        row = dict(row)
        if mode == "icount":
            row["unit"] = "instructions"
        else:
            row["unit"] = "ns"
            for f in FIGURES:
                row[f] = row[f] * 1e9 / tsc_hz
        out.append(row)
    return out


def write_csv(path, rows):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for row in rows:
            w.writerow([row["benchmark"], row["unit"], row["iterations"]] +
                       [f"{row[f]:.1f}" for f in FIGURES])


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["iterations"] = int(row["iterations"])
        for fig in FIGURES:
            row[fig] = float(row[fig])
    return rows


_TSC_PROGRAM = r"""
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>
int main(void) {
    struct timespec a, b, d = {0, 200000000};
    clock_gettime(CLOCK_MONOTONIC, &a);
    unsigned long long t0 = __rdtsc();
    nanosleep(&d, 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    unsigned long long t1 = __rdtsc();
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("%.0f\n", (t1 - t0) / s);
    return 0;
}
"""


def host_tsc_hz():
    """The host's TSC frequency, measured against CLOCK_MONOTONIC over 0.2 s.
    QEMU's TCG (without icount) hands the guest the host's TSC."""
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "tsc.c"), os.path.join(d, "tsc")
        with open(src, "w") as f:
            f.write(_TSC_PROGRAM)
        subprocess.run(["gcc", "-O2", "-o", exe, src], check=True)
        return float(subprocess.run([exe], check=True, capture_output=True, text=True).stdout)
