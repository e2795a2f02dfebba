#!/usr/bin/env python3
"""Host tests for tools/trace/trace2json.py: records packed as the kernel packs them, a
serial log with noise around the dump, the JSON it makes, and malformed dumps."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trace2json  # noqa: E402


def record(tsc, label, length, sender, receiver, kind, sname, rname, badge=0, cpu=0):
    tag = (label << 16) | length
    return trace2json.RECORD.pack(tsc, tag, badge, sender, receiver, kind, cpu,
                                  sname.encode(), rname.encode()).hex()


def dump(records, cpus=1, written=None, capacity=32767):
    lines = [f"TRACE-BEGIN {cpus}",
             f"TRACE-CPU 0 {len(records) if written is None else written} {capacity} 100"]
    lines += [f"TRACE-REC {r}" for r in records]
    lines.append(f"TRACE-END {len(records)}")
    return "\n".join(lines)


class Trace2Json(unittest.TestCase):
    def test_round_trip(self):
        recs = [record(200, 0x10, 2, 5, 9, 0x81, "shell", "console", badge=7),
                record(150, 0x20, 0, 9, 6, 0x03, "console", "fifteen-bytes-x")]
        log = "boot noise\nTRACE-BEGIN 0\n" + dump(recs) + "\r\nmore noise\n"
        records, info = trace2json.parse_log(log)
        self.assertEqual(info["records"], 2)
        self.assertEqual([r["tsc"] for r in records], [150, 200])  # sorted by time
        self.assertEqual(records[1]["path"], "fast")
        self.assertEqual(records[1]["kind"], "call")
        self.assertEqual(records[1]["badge"], 7)
        self.assertEqual(records[0]["receiver_name"], "fifteen-bytes-x")
        trace = json.loads(json.dumps(trace2json.to_chrome(records, info)))
        names = sorted(e["args"]["name"] for e in trace["traceEvents"]
                       if e["name"] == "thread_name")
        self.assertEqual(names, ["console #9", "fifteen-bytes-x #6", "shell #5"])
        msgs = trace2json.messages(trace)
        self.assertEqual([(m["from"], m["to"], m["label"], m["kind"]) for m in msgs],
                         [("console", "fifteen-bytes-x", 0x20, "reply"),
                          ("shell", "console", 0x10, "call")])
        slices = [e for e in trace["traceEvents"] if e["ph"] == "X"]
        self.assertEqual([e["ts"] for e in slices], [50, 50, 100, 100])  # since tsc_start
        flows = [e for e in trace["traceEvents"] if e["ph"] in "sf"]
        self.assertEqual(len(flows), 4)

    def test_last_complete_dump_wins(self):
        first = dump([record(1, 1, 0, 1, 2, 2, "a", "b")])
        second = dump([record(1, 2, 0, 1, 2, 2, "a", "b"), record(2, 3, 0, 2, 1, 2, "b", "a")])
        records, _ = trace2json.parse_log(first + "\n" + second + "\nTRACE-BEGIN 1\n")
        self.assertEqual([r["label"] for r in records], [2, 3])

    def test_lost_records(self):
        _, info = trace2json.parse_log(dump([record(1, 1, 0, 1, 2, 2, "a", "b")], written=40,
                                            capacity=30))
        self.assertEqual(info["lost"], 10)

    def test_bad_dumps(self):
        good = record(1, 1, 0, 1, 2, 2, "a", "b")
        for log in ["", "TRACE-BEGIN 1\nTRACE-CPU 0 1 1 0\n",   # none, unfinished
                    dump([good]).replace("TRACE-END 1", "TRACE-END 2"),
                    dump([good[:-2]]), dump([good[:-2] + "zz"]),
                    dump([record(1, 1, 0, 1, 2, 9, "a", "b")])]:  # unknown kind
            with self.assertRaises(trace2json.TraceError, msg=log[:60]):
                trace2json.parse_log(log)


if __name__ == "__main__":
    unittest.main()
