#!/usr/bin/env python3
"""Host test of tools/abigen.py, the generator of the invocation ABI: labels are numbered
(type << 8) + n with reserved numbers skipped, argument and answer indexes follow the
description, the stubs send the words up to the last argument, every malformed description is
refused with its line, and the committed description parses. Run by `make unit-test`."""
import os
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import abigen  # noqa: E402

CAP_TYPES = {"CAP_UNTYPED": 1, "CAP_FRAME": 2, "CAP_CSPACE": 8}


def parse(text):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text)
    try:
        return abigen.parse(f.name, CAP_TYPES)
    finally:
        os.unlink(f.name)


GOOD = """
# a comment
object CAP_FRAME frame
label FRAME_A : first
reserved
label FRAME_B needs CAP_RIGHT_PHYS : third number
    out 0 address : where
object CAP_CSPACE cspace
label CSPACE_X : gap at MR3
    in 0 dest : destination
    in 1-2 pair : two words
    in 4 source needs CAP_RIGHT_READ : from
    answer pair_answer
    out 0 first : one
    out 1 second : two
"""


class Numbering(unittest.TestCase):
    def test_labels_count_within_their_type(self):
        objects, labels = parse(GOOD)
        self.assertEqual([(l.name, l.value) for l in labels],
                         [("FRAME_A", 0x200), ("FRAME_B", 0x202), ("CSPACE_X", 0x800)])
        self.assertEqual(labels[1].needs, "CAP_RIGHT_PHYS")
        self.assertEqual(labels[2].ins[2].needs, "CAP_RIGHT_READ")
        self.assertEqual(labels[2].length(), 5)
        self.assertEqual(labels[0].length(), 0)

    def test_generated_names(self):
        objects, labels = parse(GOOD)
        header = abigen.gen_labels(objects, labels)
        self.assertIn("FRAME_B = 0x202,", header)
        self.assertIn("CSPACE_X_ARG_PAIR = 1,", header)
        self.assertIn("CSPACE_X_ARG_SOURCE = 4,", header)
        self.assertIn("CSPACE_X_ANSWER_SECOND = 1,", header)
        stubs = abigen.gen_stubs(objects, labels)
        self.assertIn("static inline long cspace_x(uint64_t cspace, uint64_t dest, "
                      "const uint64_t pair[2], uint64_t source, struct pair_answer *answer)",
                      stubs)
        self.assertIn("[1] = pair[0], [2] = pair[1], [4] = source", stubs)
        self.assertIn("invoke_call(cspace, CSPACE_X, 5, &msg)", stubs)
        self.assertIn("static inline long frame_b(uint64_t frame, uint64_t *address)", stubs)
        table = abigen.gen_doc_table(objects)
        self.assertIn("| `CSPACE_X` | `0x800` | CSpace |", table)


class Refused(unittest.TestCase):
    BAD = {
        "unknown type": "object CAP_NOPE x\n",
        "type twice": "object CAP_FRAME a\nobject CAP_FRAME b\n",
        "label first": "label A : x\n",
        "label twice": "object CAP_FRAME f\nlabel A : x\nlabel A : y\n",
        "no text": "object CAP_FRAME f\nlabel A\n",
        "unknown right": "object CAP_FRAME f\nlabel A needs CAP_RIGHT_FLY : x\n",
        "argument first": "object CAP_FRAME f\n    in 0 a : x\n",
        "past MR9": "object CAP_FRAME f\nlabel A : x\n    in 10 a : x\n",
        "overlap": "object CAP_FRAME f\nlabel A : x\n    in 0-2 a : x\n    in 2 b : y\n",
        "out of order": "object CAP_FRAME f\nlabel A : x\n    in 2 a : x\n    in 1 b : y\n",
        "name twice": "object CAP_FRAME f\nlabel A : x\n    in 0 a : x\n    in 1 a : y\n",
        "parameter name": "object CAP_FRAME f\nlabel A : x\n    in 0 f : x\n",
        "answer array": "object CAP_FRAME f\nlabel A : x\n    out 0-1 a : x\n",
        "two outs, no struct": "object CAP_FRAME f\nlabel A : x\n    out 0 a : x\n    out 1 b : y\n",
        "struct for one": "object CAP_FRAME f\nlabel A : x\n    answer s\n    out 0 a : x\n",
        "unknown keyword": "object CAP_FRAME f\nlabels A : x\n",
    }

    def test_each_is_refused_with_its_line(self):
        for what, text in self.BAD.items():
            with self.subTest(what):
                with self.assertRaises(abigen.DescriptionError) as e:
                    parse(text)
                self.assertIn(".txt", str(e.exception))

    def test_too_many_labels_for_a_type(self):
        text = "object CAP_FRAME f\n" + "reserved\n" * 256 + "label A : x\n"
        with self.assertRaises(abigen.DescriptionError):
            parse(text)

    def test_doc_markers_needed(self):
        with self.assertRaises(abigen.DescriptionError):
            abigen.replace_doc_table("no markers here", "table")


class Committed(unittest.TestCase):
    def test_the_description_parses_and_every_type_is_known(self):
        caps = abigen.read_cap_types(os.path.join(ROOT, abigen.CAPS))
        objects, labels = abigen.parse(os.path.join(ROOT, abigen.DESCRIPTION), caps)
        self.assertGreater(len(labels), 30)
        for label in labels:
            self.assertEqual(label.value >> 8, caps[label.obj.cap_type])


if __name__ == "__main__":
    unittest.main()
