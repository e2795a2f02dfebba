"""Checks that ipcbench's figures are plausible by construction (docs/ipc-performance.md,
"Plausibility"); used by the system test ipcbench-plausible and by run_missive.py.

- Each one-way trip (call, reply_recv) is about half its round trip: its median lies within
  ONEWAY_TOLERANCE (35%) of half the round trip's median. The round trip also holds the
  server's loop between its two TSC readings and one timing overhead, and call and reply_recv
  need not cost the same (seL4: 194 and 221), hence the wide band.
- The two one-way trips add up to no more than the round trip (per call the round trip is
  exactly call + reply_recv + the server's loop + one overhead; medians get SUM_SLACK, 2%,
  for noise) and to at least SUM_LEAST (60%) of it.
- A longer message never costs less: the median of call-rtt-len-N (and of call-oneway-len-N)
  is at least that of the next shorter length less LENGTH_TOLERANCE (1% of it): under
  -icount shift=0 the figures are exact instruction counts, and the 1% leaves room for
  wall-clock noise.
- Every median is positive (the overhead subtracted is the least the timing code took).
"""

ONEWAY_TOLERANCE = 0.35
SUM_SLACK = 0.02
SUM_LEAST = 0.60
LENGTH_TOLERANCE = 0.01

# (one-way call, one-way reply_recv or None, round trip)
TRIPLES = [
    ("call-oneway-inter-as", "replyrecv-oneway-inter-as", "call-rtt-inter-as"),
    ("call-oneway-intra-as", "replyrecv-oneway-intra-as", "call-rtt-intra-as"),
    ("call-oneway-inter-as-fpu", "replyrecv-oneway-inter-as-fpu", "call-rtt-inter-as-fpu"),
    ("call-oneway-cross-cpu", None, "call-rtt-cross-cpu"),
]

# What a full run of ipcbench prints on two CPUs with COM2 granted.
EXPECTED = (["null-syscall", "yield", "notify-wake", "irq-latency", "call-rtt-cap1",
             "notification-signal", "cspace-identify", "frame-map", "untyped-retype-frame",
             "irq-handler-ack"]
            + [n for t in TRIPLES for n in t if n]
            + [f"call-rtt-len-{n}" for n in (0, 1, 2, 4, 8, 10, 16, 32, 64)]
            + [f"call-oneway-len-{n}" for n in (2, 4, 8, 10, 16, 32, 64)])


def problems(rows, expected=EXPECTED):
    """Returns the list of implausibilities in rows (benchcsv dicts); [] if none."""
    med = {r["benchmark"]: r["median"] for r in rows}
    out = [f"missing benchmark {n}" for n in expected if n not in med]
    out += [f"{n}: median {m} is not positive" for n, m in med.items() if m <= 0]
    for call, reply, rtt in TRIPLES:
        if rtt not in med:
            continue
        half = med[rtt] / 2
        for oneway in (call, reply):
            if oneway in med and abs(med[oneway] - half) > ONEWAY_TOLERANCE * half:
                out.append(f"{oneway}: median {med[oneway]} is not within "
                           f"{ONEWAY_TOLERANCE:.0%} of half of {rtt} ({half})")
        if call in med and reply in med:
            total = med[call] + med[reply]
            if not SUM_LEAST * med[rtt] <= total <= (1 + SUM_SLACK) * med[rtt]:
                out.append(f"{call} + {reply} = {total}, not within "
                           f"{SUM_LEAST:.0%}-{1 + SUM_SLACK:.0%} of {rtt} ({med[rtt]})")
    for prefix in ("call-rtt-len-", "call-oneway-len-"):
        lengths = sorted((int(n.rsplit("-", 1)[1]), m) for n, m in med.items()
                         if n.startswith(prefix))
        for (short, m_short), (long_, m_long) in zip(lengths, lengths[1:]):
            if m_long < m_short * (1 - LENGTH_TOLERANCE):
                out.append(f"{prefix}{long_} (median {m_long}) costs less than "
                           f"{prefix}{short} ({m_short})")
    return out
