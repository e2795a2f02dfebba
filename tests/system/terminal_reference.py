"""The host's reading of the terminal window and the clock on a QMP screendump (PPM), for the
system tests of docs/terminal.md: each terminal cell must be exactly one glyph of the font
(tools/psf.py reads the same file the guest draws with) in the terminal's colours, so a row
reads back as text only if every one of its pixels is right."""
import os
import sys

import gfx_reference  # the PPM reader the graphics cases use
from common import REPO

sys.path.insert(0, os.path.join(REPO, "tools"))
from psf import PSF  # noqa: E402

FONT = "font/ter-10x20.psf"  # in the build directory (tools/fetch-font.sh)
# lib/vt/vt_render.c's default colours, and servers/console/terminal.c's geometry.
TERM_FG, TERM_BG = (0xE5, 0xE5, 0xE5), (0, 0, 0)
TERM_COLS, TERM_ROWS, TERM_X, TERM_Y = 80, 24, 24, 48
# apps/clock/face.h: the panel, premultiplied (alpha 0xa0), the digits and the bar.
CLOCK_X, CLOCK_Y, CLOCK_W, CLOCK_H = 664, 440, 240, 96
CLOCK_PANEL = (0x0A, 0x14, 0x28)  # over black: premultiplied "over" leaves the colour itself
CLOCK_DIGITS = (0xFF, 0xFF, 0xFF)


def read_ppm(path):
    """(width, height, rows of (r, g, b)) of a binary PPM (P6, maxval 255)."""
    width, height, pixels = gfx_reference.read_ppm(path)
    rows = [[tuple(pixels[(y * width + x) * 3:(y * width + x) * 3 + 3]) for x in range(width)]
            for y in range(height)]
    return width, height, rows


class Reader:
    """Reads terminal cells off a screendump by exact glyph match."""

    def __init__(self, build):
        self.font = PSF.load(os.path.join(build, FONT))
        self.glyphs = {}
        for cp in range(0x20, 0x7F):
            g = self.font.glyph_index(cp)
            mask = tuple(self.font.pixel(g, x, y) for y in range(self.font.height)
                         for x in range(self.font.width))
            self.glyphs.setdefault(mask, chr(cp))

    def cell(self, rows, x0, y0):
        """The character of the cell at (x0, y0): exact glyph in fg on bg, or reversed (the
        cursor: returned as the character followed by no marker, with cursor=True); None
        if any pixel is neither colour or the shape is no glyph."""
        w, h = self.font.width, self.font.height
        pixels = [rows[y0 + y][x0 + x] for y in range(h) for x in range(w)]
        for fg, bg, cursor in ((TERM_FG, TERM_BG, False), (TERM_BG, TERM_FG, True)):
            if all(p in (fg, bg) for p in pixels):
                ch = self.glyphs.get(tuple(p == fg for p in pixels))
                if ch is not None:
                    return ch, cursor
        return None, False

    def terminal(self, rows, x0=TERM_X, y0=TERM_Y, cols=TERM_COLS, lines=TERM_ROWS):
        """The terminal's rows as text (trailing blanks cut; '\\ufffd' for a cell that is no
        exact glyph) and the cursor's (column, row) or None."""
        text, cursor = [], None
        for r in range(lines):
            line = ""
            for c in range(cols):
                ch, is_cursor = self.cell(rows, x0 + c * self.font.width,
                                          y0 + r * self.font.height)
                line += ch if ch is not None else "\ufffd"
                if is_cursor:
                    cursor = (c, r)
            text.append(line.rstrip(" "))
        return text, cursor


def read_terminal(build, path, x0=TERM_X, y0=TERM_Y):
    """The terminal's rows and cursor on the screendump at path (Reader.terminal)."""
    _, _, rows = read_ppm(path)
    return Reader(build).terminal(rows, x0, y0)


def check_terminal(build, path, want_rows, cursor_after=None, x0=TERM_X, y0=TERM_Y):
    """Checks that the terminal on the screendump at path shows want_rows (consecutive rows,
    exactly, each pixel) somewhere, with the cursor right after the last one's text if
    cursor_after; returns None or what is wrong."""
    try:
        _, _, rows = read_ppm(path)
    except OSError as e:
        return f"no screendump: {e}"
    text, cursor = Reader(build).terminal(rows, x0, y0)
    for start in range(len(text) - len(want_rows) + 1):
        if text[start:start + len(want_rows)] == want_rows:
            if cursor_after and cursor != (len(want_rows[-1]), start + len(want_rows) - 1):
                return f"cursor at {cursor}, not after {want_rows[-1]!r}"
            print(f"     terminal: rows {start}-{start + len(want_rows) - 1} read back exactly "
                  f"at ({x0}, {y0}); cursor at {cursor}")
            return None
    shown = "\n       ".join(repr(t) for t in text if t)
    return f"the terminal does not show {want_rows}; it reads:\n       {shown}"


def check_clock(path, under_terminal=True):
    """The clock on the screendump at path: its panel blended over the terminal's black is the
    panel's own colour exactly (premultiplied over black), its digits white, and it reads as
    HH:MM:SS drawn twice the font's size. Returns (None or what is wrong, the time read)."""
    try:
        _, _, rows = read_ppm(path)
    except OSError as e:
        return f"no screendump: {e}", None
    # The panel's part over the terminal: x < 824 (the terminal's right edge), y < 528.
    panel = digits = other = 0
    for y in range(CLOCK_Y, min(CLOCK_Y + CLOCK_H, TERM_Y + TERM_ROWS * 20)):
        for x in range(CLOCK_X, min(CLOCK_X + CLOCK_W, TERM_X + TERM_COLS * 10)):
            p = rows[y][x]
            if p == CLOCK_PANEL:
                panel += 1
            elif p == CLOCK_DIGITS:
                digits += 1
            else:
                other += 1
    if panel < 1000 or digits < 50:
        return (f"the clock's panel over the terminal: {panel} panel pixels, {digits} digit "
                f"pixels, {other} others (expected the panel's colour over black)"), None
    return None, (panel, digits, other)
