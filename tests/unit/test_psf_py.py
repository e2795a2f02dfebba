"""Checks of tools/psf.py, the host's reference PSF reader the pixel tests use: the real
Terminus fonts read with the geometry their headers give, glyphs as the raw bytes have them,
the Unicode table honoured, and damaged files refused. Run by `make unit-test` with the build
directory's fonts (tools/fetch-font.sh) as argument."""
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from psf import PSF, PSFError  # noqa: E402

FONT_DIR = sys.argv.pop(1) if len(sys.argv) > 1 else "build/font"


class TestPSF(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(FONT_DIR, "ter-10x20.psf"), "rb") as f:
            self.psf2 = f.read()
        with open(os.path.join(FONT_DIR, "ter-8x16.psf"), "rb") as f:
            self.psf1 = f.read()

    def test_psf2(self):
        font = PSF(self.psf2)
        self.assertEqual((font.version, font.count, font.width, font.height), (2, 512, 10, 20))
        header = struct.unpack("<I", self.psf2[8:12])[0]
        g = font.glyph_index("A")
        for y in range(20):
            for x in range(10):
                byte = self.psf2[header + g * 40 + y * 2 + x // 8]
                self.assertEqual(font.pixel(g, x, y), bool(byte & (0x80 >> (x % 8))))
        self.assertNotEqual(font.glyph_index("\u2500"), font.replacement)
        self.assertEqual(font.glyph_index("\U0001F600"), font.replacement)
        self.assertEqual(len({font.glyph_index(chr(c)) for c in range(0x20, 0x7F)}), 95)

    def test_psf1(self):
        font = PSF(self.psf1)
        self.assertEqual((font.version, font.count, font.width, font.height), (1, 512, 8, 16))
        g = font.glyph_index("M")
        self.assertEqual([font.pixel(g, x, 5) for x in range(8)],
                         [bool(self.psf1[4 + g * 16 + 5] & (0x80 >> x)) for x in range(8)])

    def test_render(self):
        font = PSF(self.psf2)
        rows = font.render("ab\x01")
        self.assertEqual((len(rows), len(rows[0])), (20, 30))
        q = font.render("?")
        self.assertEqual([r[20:] for r in rows], q)  # a control character draws '?'

    def test_refused(self):
        for data in (b"", b"\x36\x04", b"\x72\xb5\x4a\x86" + bytes(8), b"not a font at all!",
                     self.psf2[:-1], self.psf2[:1000], self.psf1[:500]):
            with self.assertRaises(PSFError):
                PSF(data)
        bad = bytearray(self.psf2)
        bad[4] = 1  # version
        with self.assertRaises(PSFError):
            PSF(bytes(bad))
        bad = bytearray(self.psf2)
        bad[20] = 41  # glyph size at odds with the geometry
        with self.assertRaises(PSFError):
            PSF(bytes(bad))


if __name__ == "__main__":
    unittest.main()
