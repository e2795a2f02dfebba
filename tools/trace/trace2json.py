#!/usr/bin/env python3
"""Missive's IPC trace, from the serial console to Chrome trace / Perfetto JSON.

The guest prints the trace buffers in the text form of lib/tracedump/tracedump.h
(TRACE-BEGIN, TRACE-CPU, TRACE-REC <hex of a struct trace_record>, TRACE-END).
This reads the last complete dump in a serial log and writes the Trace Event
Format ({"traceEvents": [...]}): one process per thread name, one thread per
thread id, and per message a slice on the sender's thread, a slice on the
receiver's, and a flow arrow between them. Open the file in ui.perfetto.dev
or chrome://tracing. Timestamps are TSC ticks since the trace started, shown
as microseconds (1 us = 1 tick = 1 instruction under -icount shift=0).

Usage: trace2json.py SERIAL-LOG [-o OUT.json]
docs/ipc-performance.md, section "IPC trace", describes the format.
"""
import argparse
import json
import re
import struct
import sys

# struct trace_record (lib/missive/abi.h): 64 bytes, little-endian.
RECORD = struct.Struct("<QQQIIBB15s15s")
assert RECORD.size == 64
KINDS = {1: "call", 2: "send", 3: "reply"}
FAST = 0x80
FAULT_LABEL = 0xFA17
NOTIFICATION_LABEL = 0xB17D

LINE = re.compile(r"TRACE-(BEGIN|CPU|REC|END)(?: (.*))?$")


class TraceError(Exception):
    pass


def decode_record(hex_text):
    """One TRACE-REC payload -> dict with the record's fields."""
    if not re.fullmatch(r"[0-9a-f]{128}", hex_text):
        raise TraceError(f"bad record line: {hex_text[:40]!r}")
    tsc, tag, badge, sender, receiver, kind, cpu, sname, rname = RECORD.unpack(
        bytes.fromhex(hex_text))
    if kind & ~FAST not in KINDS:
        raise TraceError(f"unknown record kind {kind:#x}")
    return {
        "tsc": tsc, "label": tag >> 16, "caps": (tag >> 8) & 3, "length": tag & 0x7F,
        "badge": badge, "sender": sender, "receiver": receiver,
        "kind": KINDS[kind & ~FAST], "path": "fast" if kind & FAST else "slow", "cpu": cpu,
        "sender_name": sname.split(b"\0")[0].decode("ascii", "replace"),
        "receiver_name": rname.split(b"\0")[0].decode("ascii", "replace"),
    }


def parse_log(text):
    """The last complete dump in a serial log -> (records sorted by time, info dict).
    Raises TraceError if there is none or it is malformed."""
    dumps, current = [], None
    for raw in text.splitlines():
        # Other output may share a line's start (the console writes byte by byte).
        at = raw.find("TRACE-")
        m = LINE.match(raw[at:].rstrip("\r")) if at >= 0 else None
        if not m:
            continue
        what, rest = m.group(1), (m.group(2) or "").strip()
        if what == "BEGIN":
            current = {"cpus": int(rest), "buffers": [], "records": []}
        elif current is None:
            continue
        elif what == "CPU":
            cpu, written, capacity, tsc_start = (int(x) for x in rest.split())
            current["buffers"].append({"cpu": cpu, "written": written, "capacity": capacity,
                                       "tsc_start": tsc_start,
                                       "lost": max(0, written - capacity)})
        elif what == "REC":
            current["records"].append(decode_record(rest))
        else:
            if int(rest) != len(current["records"]):
                raise TraceError(f"TRACE-END says {rest} records, the dump has "
                                 f"{len(current['records'])}")
            dumps.append(current)
            current = None
    if not dumps:
        raise TraceError("no complete trace dump (TRACE-BEGIN ... TRACE-END) in the log")
    dump = dumps[-1]
    records = sorted(dump["records"], key=lambda r: (r["tsc"], r["cpu"]))
    info = {"cpus": dump["cpus"], "buffers": dump["buffers"],
            "records": len(records), "lost": sum(b["lost"] for b in dump["buffers"])}
    return records, info


def label_text(label):
    if label == FAULT_LABEL:
        return "fault"
    if label == NOTIFICATION_LABEL:
        return "notification"
    return f"{label:#x}"


def to_chrome(records, info):
    """Records -> the Trace Event Format dict."""
    starts = [b["tsc_start"] for b in info["buffers"]] + [r["tsc"] for r in records]
    base = min(starts) if starts else 0
    pids, events = {}, []

    def pid_of(name):
        if name not in pids:
            pids[name] = len(pids) + 1
            events.append({"ph": "M", "name": "process_name", "pid": pids[name], "tid": 0,
                           "args": {"name": name or "(unnamed)"}})
        return pids[name]

    threads = {}
    for r in records:
        for tid, name in ((r["sender"], r["sender_name"]), (r["receiver"], r["receiver_name"])):
            if tid not in threads:
                threads[tid] = name
                events.append({"ph": "M", "name": "thread_name", "pid": pid_of(name), "tid": tid,
                               "args": {"name": f"{name} #{tid}"}})
    for n, r in enumerate(records):
        ts = r["tsc"] - base
        label = label_text(r["label"])
        spid, rpid = pids[threads[r["sender"]]], pids[threads[r["receiver"]]]
        args = {"from": r["sender_name"], "from_id": r["sender"], "to": r["receiver_name"],
                "to_id": r["receiver"], "kind": r["kind"], "path": r["path"],
                "label": r["label"], "length": r["length"], "caps": r["caps"],
                "badge": r["badge"], "cpu": r["cpu"], "tsc": r["tsc"]}
        events.append({"ph": "X", "cat": "ipc", "name": f"{r['kind']} {label} -> {r['receiver_name']}",
                       "pid": spid, "tid": r["sender"], "ts": ts, "dur": 1, "args": args})
        events.append({"ph": "X", "cat": "ipc-in",
                       "name": f"{r['kind']} {label} <- {r['sender_name']}",
                       "pid": rpid, "tid": r["receiver"], "ts": ts, "dur": 1,
                       "args": {"from": r["sender_name"], "kind": r["kind"], "label": r["label"]}})
        events.append({"ph": "s", "cat": "ipc", "name": "ipc", "id": n, "pid": spid,
                       "tid": r["sender"], "ts": ts})
        events.append({"ph": "f", "bp": "e", "cat": "ipc", "name": "ipc", "id": n, "pid": rpid,
                       "tid": r["receiver"], "ts": ts})
    return {"traceEvents": events, "displayTimeUnit": "ns",
            "otherData": {"source": "Missive IPC trace", "clock": "TSC ticks since the start",
                          "cpus": info["cpus"], "records": info["records"],
                          "lost": info["lost"]}}


def messages(trace):
    """The sender-side slices of a trace dict, in order: what tests compare."""
    return [e["args"] for e in trace["traceEvents"] if e.get("ph") == "X" and e.get("cat") == "ipc"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log", help="the serial log holding a TRACE-BEGIN ... TRACE-END dump")
    ap.add_argument("-o", "--output", default="-", help="where the JSON goes (default stdout)")
    a = ap.parse_args(argv)
    try:
        with open(a.log, encoding="utf-8", errors="replace") as f:
            records, info = parse_log(f.read())
    except (OSError, TraceError) as e:
        print(f"trace2json: {e}", file=sys.stderr)
        return 1
    text = json.dumps(to_chrome(records, info), indent=None, separators=(",", ":"))
    if a.output == "-":
        print(text)
    else:
        with open(a.output, "w") as f:
            f.write(text + "\n")
        print(f"trace2json: {info['records']} messages ({info['lost']} lost to the ring) "
              f"-> {a.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
