#!/usr/bin/env python3
"""Host test of tools/bench/plausible.py: a plausible set of figures passes, and each kind of
implausible one (one-way far from half the round trip, one-ways adding up to more than it, a
longer message cheaper than a shorter one, a missing benchmark, a non-positive median) is
caught. Run by `make unit-test`."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tools", "bench"))
import plausible  # noqa: E402


def rows(medians):
    return [{"benchmark": n, "median": m} for n, m in medians.items()]


def good():
    med = {n: 100.0 for n in plausible.EXPECTED}
    for call, reply, rtt in plausible.TRIPLES:
        med[call], med[rtt] = 380.0, 840.0
        if reply:
            med[reply] = 390.0
    for i, n in enumerate((0, 1, 2, 4, 8, 10, 16, 32, 64)):
        med[f"call-rtt-len-{n}"] = 840.0 if n <= 10 else 1700.0 + 100 * i
    return med


class Plausible(unittest.TestCase):
    def test_good(self):
        self.assertEqual(plausible.problems(rows(good())), [])

    def test_oneway_far_from_half(self):
        med = good()
        med["call-oneway-intra-as"] = 200.0  # below 65% of 420
        med["replyrecv-oneway-intra-as"] = 500.0
        issues = plausible.problems(rows(med))
        self.assertTrue(any(i.startswith("call-oneway-intra-as: median 200.0 is not within")
                            for i in issues), issues)

    def test_sum_above_round_trip(self):
        med = good()
        med["call-oneway-inter-as"] = med["replyrecv-oneway-inter-as"] = 500.0  # 1000 > 840
        issues = plausible.problems(rows(med))
        self.assertTrue(any("call-oneway-inter-as + replyrecv-oneway-inter-as = 1000.0" in i
                            for i in issues), issues)

    def test_longer_cheaper(self):
        med = good()
        med["call-rtt-len-32"] = med["call-rtt-len-16"] - 100  # more than 1% less
        issues = plausible.problems(rows(med))
        self.assertEqual(len(issues), 1, issues)
        self.assertIn("call-rtt-len-32", issues[0])
        med["call-rtt-len-32"] = med["call-rtt-len-16"] * 0.995  # within the tolerance
        self.assertEqual(plausible.problems(rows(med)), [])

    def test_missing_and_non_positive(self):
        med = good()
        del med["irq-latency"]
        med["yield"] = 0.0
        issues = plausible.problems(rows(med))
        self.assertIn("missing benchmark irq-latency", issues)
        self.assertIn("yield: median 0.0 is not positive", issues)


if __name__ == "__main__":
    unittest.main()
