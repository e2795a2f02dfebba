#!/usr/bin/env python3
"""A PSF1/PSF2 font reader and text renderer for the host: the tests' reference for the
pixels lib/psf and lib/text draw in the guest (the system tests compare a screendump with what
this computes from the same font file). Written from the format's description, not from the C
code, so the two check each other.

    font = PSF.load("build/font/ter-10x20.psf")
    font.glyph_index("A"); font.pixel(g, x, y); font.render("text") -> rows of booleans
"""
import struct
import sys


class PSFError(ValueError):
    pass


class PSF:
    def __init__(self, data):
        self.unicode = {}
        if data[:2] == b"\x36\x04":
            if len(data) < 4:
                raise PSFError("short PSF1 header")
            mode, self.height = data[2], data[3]
            self.width, self.count = 8, 512 if mode & 1 else 256
            offset, has_table, self.version = 4, bool(mode & 6), 1
            glyph_bytes = self.height
        elif data[:4] == b"\x72\xb5\x4a\x86":
            if len(data) < 32:
                raise PSFError("short PSF2 header")
            (_, version, offset, flags, self.count, glyph_bytes, self.height,
             self.width) = struct.unpack("<4sIIIIIII", data[:32])
            if version != 0:
                raise PSFError(f"PSF2 version {version}")
            has_table, self.version = bool(flags & 1), 2
        else:
            raise PSFError("not a PSF font")
        self.row_bytes = (self.width + 7) // 8
        if glyph_bytes != self.row_bytes * self.height or self.count == 0:
            raise PSFError("glyph size at odds with width and height")
        self.glyph_bytes = glyph_bytes
        end = offset + self.count * glyph_bytes
        if end > len(data):
            raise PSFError("glyphs cut short")
        self.glyphs = data[offset:end]
        if has_table:
            self._read_table(data[end:])
        else:
            self.unicode = {cp: cp for cp in range(self.count)}
        self.replacement = self.unicode.get(ord("?"), 0)

    def _read_table(self, table):
        """Maps each code point listed alone for a glyph (not in a FE/FFFE sequence) to the
        first glyph that lists it."""
        pos = 0
        for glyph in range(self.count):
            in_sequence = False
            while True:
                if self.version == 1:
                    if pos + 2 > len(table):
                        raise PSFError("Unicode table cut short")
                    cp = struct.unpack_from("<H", table, pos)[0]
                    pos += 2
                    if cp == 0xFFFF:
                        break
                    if cp == 0xFFFE:
                        in_sequence = True
                        continue
                else:
                    if pos >= len(table):
                        raise PSFError("Unicode table cut short")
                    b = table[pos]
                    if b == 0xFF:
                        pos += 1
                        break
                    if b == 0xFE:
                        pos += 1
                        in_sequence = True
                        continue
                    n = 1 if b < 0x80 else 2 if b >> 5 == 6 else 3 if b >> 4 == 14 else 4
                    try:
                        cp = ord(table[pos:pos + n].decode("utf-8"))
                    except (UnicodeDecodeError, TypeError) as e:
                        raise PSFError(f"bad UTF-8 in the Unicode table: {e}")
                    pos += n
                if not in_sequence:
                    self.unicode.setdefault(cp, glyph)

    @classmethod
    def load(cls, path):
        with open(path, "rb") as f:
            return cls(f.read())

    def glyph_index(self, ch):
        cp = ord(ch) if isinstance(ch, str) else ch
        return self.unicode.get(cp, self.replacement)

    def pixel(self, glyph, x, y):
        row = self.glyphs[glyph * self.glyph_bytes + y * self.row_bytes:]
        return bool(row[x // 8] & (0x80 >> (x % 8)))

    def render(self, text):
        """The pixels of text on one line: height rows of width * len(text) booleans (control
        characters draw the replacement glyph, as lib/text does)."""
        glyphs = [self.replacement if ord(c) < 0x20 or ord(c) == 0x7F else self.glyph_index(c)
                  for c in text]
        return [[self.pixel(g, x, y) for g in glyphs for x in range(self.width)]
                for y in range(self.height)]


def main():
    if len(sys.argv) != 3:
        print("usage: psf.py FONT TEXT  (prints TEXT as the font draws it)", file=sys.stderr)
        return 2
    font = PSF.load(sys.argv[1])
    print(f"PSF{font.version}: {font.count} glyphs of {font.width}x{font.height}")
    for row in font.render(sys.argv[2]):
        print("".join("#" if p else "." for p in row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
