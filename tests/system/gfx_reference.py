"""The host's own picture of what the compositor must show (docs/graphics.md): the desktop,
each window's border, title bar and close button, its surface blended with a reference "over"
written here (not the guest's), and the pointer; compared with a QMP screendump (PPM) pixel for
pixel. The colours and sizes are the ones lib/compose/compose.h and lib/proto/gfx.h fix; the
pointer's bitmap is read from lib/compose/compose.c, the titles' glyphs from the font the guest
has (build/font/ter-10x20.psf, read by tools/psf.py)."""
import os
import re
import sys

import common
from common import REPO

sys.path.insert(0, os.path.join(REPO, "tools"))
from psf import PSF  # noqa: E402

BACKGROUND = 0xff2e3440
BORDER = 0xff101010
TITLE_FOCUSED = 0xff3b6ea5
TITLE = 0xff707070
CLOSE = 0xffc0392b
TITLE_HEIGHT = 20
BORDER_WIDTH = 1
CLOSE_SIZE = 14
TITLE_TEXT = 0xffffffff
TITLE_TEXT_X = 6
_font = None


def font():
    global _font
    if _font is None:
        build = os.path.dirname(common.OUTDIR) if common.OUTDIR else os.path.join(REPO, "build")
        _font = PSF.load(os.path.join(build, "font", "ter-10x20.psf"))
    return _font


def over(dst, src):
    """Porter-Duff over on premultiplied ARGB32, rounded to nearest, saturated."""
    inverse = 255 - (src >> 24)
    out = 0
    for shift in (0, 8, 16, 24):
        d = (dst >> shift) & 0xff
        s = (src >> shift) & 0xff
        value = s + (2 * d * inverse + 255) // 510
        out |= min(value, 255) << shift
    return out


def pointer_rows():
    """The pointer's bitmap, as lib/compose/compose.c spells it."""
    text = open(os.path.join(REPO, "lib", "compose", "compose.c")).read()
    block = text[text.index("compose_pointer_rows[GFX_POINTER_H] = {"):]
    block = block[:block.index("};")]
    return re.findall(r'"([.XO]+)"', block)


class Screen:
    def __init__(self, width, height):
        self.width, self.height = width, height
        self.pixels = [BACKGROUND] * (width * height)

    def fill(self, x, y, w, h, colour, blend=False):
        for yy in range(max(y, 0), min(y + h, self.height)):
            row = yy * self.width
            for xx in range(max(x, 0), min(x + w, self.width)):
                self.pixels[row + xx] = over(self.pixels[row + xx], colour) if blend else colour

    def title(self, x, y, w, text):
        """The title's glyphs on the bar at x, y (w wide), cut where the close button starts."""
        f = font()
        clip = x + w - CLOSE_SIZE - 3 - TITLE_TEXT_X // 2
        gx, gy = x + TITLE_TEXT_X, y + (TITLE_HEIGHT - f.height) // 2
        for ch in text:
            g = f.glyph_index(ord(ch))
            for py in range(f.height):
                for px in range(f.width):
                    sx, sy = gx + px, gy + py
                    if f.pixel(g, px, py) and x <= sx < clip and 0 <= sy < self.height:
                        self.pixels[sy * self.width + sx] = TITLE_TEXT
            gx += f.width

    def window(self, x, y, surface, focused, title=""):
        """surface: rows of premultiplied pixels; x, y its top-left on the screen."""
        h, w = len(surface), len(surface[0])
        fx, fy = x - BORDER_WIDTH, y - TITLE_HEIGHT - BORDER_WIDTH
        fw, fh = w + 2 * BORDER_WIDTH, h + TITLE_HEIGHT + 2 * BORDER_WIDTH
        self.fill(fx, fy, fw, BORDER_WIDTH, BORDER)  # the border: four edges, not the inside
        self.fill(fx, fy + fh - BORDER_WIDTH, fw, BORDER_WIDTH, BORDER)
        self.fill(fx, fy, BORDER_WIDTH, fh, BORDER)
        self.fill(fx + fw - BORDER_WIDTH, fy, BORDER_WIDTH, fh, BORDER)
        self.fill(x, y - TITLE_HEIGHT, w, TITLE_HEIGHT, TITLE_FOCUSED if focused else TITLE)
        self.fill(x + w - CLOSE_SIZE - 3, y - TITLE_HEIGHT + 3, CLOSE_SIZE, CLOSE_SIZE, CLOSE)
        self.title(x, y - TITLE_HEIGHT, w, title)
        for sy in range(h):
            if not 0 <= y + sy < self.height:
                continue
            row = (y + sy) * self.width
            for sx in range(w):
                if 0 <= x + sx < self.width:
                    self.pixels[row + x + sx] = over(self.pixels[row + x + sx], surface[sy][sx])

    def pointer(self, x, y):
        colours = {"X": 0xff000000, "O": 0xffffffff}
        for dy, line in enumerate(pointer_rows()):
            for dx, c in enumerate(line):
                if c in colours and x + dx < self.width and y + dy < self.height:
                    self.pixels[(y + dy) * self.width + x + dx] = colours[c]


def surface(w, h, colour=0):
    return [[colour] * w for _ in range(h)]


def paint(s, x, y, w, h, colour):
    for yy in range(y, y + h):
        for xx in range(x, x + w):
            s[yy][xx] = colour


def gfxtest_scene(width, height):
    """What gfxtest scene draws (tests/user/gfxtest/main.c), as the compositor must show it."""
    screen = Screen(width, height)
    one = surface(240, 160, 0xff2050c0)
    paint(one, 20, 20, 100, 60, 0x80800000)
    two = surface(200, 150, 0x80008000)
    paint(two, 50, 40, 60, 50, 0xffffff00)
    paint(two, 120, 90, 60, 40, 0x00000000)
    three = surface(64, 48)
    for y in range(48):
        for x in range(64):
            a = x * 4
            three[y][x] = a << 24 | (a // 2) << 16 | (y * a // 48) << 8 | a // 8
    # the white block was drawn but not damaged: not shown; the cyan one was
    paint(three, 40, 30, 8, 8, 0xff00ffff)
    screen.window(100, 120, one, False, "one")
    screen.window(260, 200, two, False, "two")
    screen.window(600, 500, three, True, "three")
    screen.pointer(width // 2, height // 2)
    return screen


def read_ppm(path):
    """(width, height, bytes) of a binary PPM (P6, maxval 255)."""
    data = open(path, "rb").read()
    fields = []
    i = 0
    while len(fields) < 4:
        while data[i:i + 1].isspace():
            i += 1
        if data[i:i + 1] == b"#":
            i = data.index(b"\n", i)
            continue
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    i += 1
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError(f"{path}: not a P6 PPM of maxval 255")
    return int(fields[1]), int(fields[2]), data[i:]


def compare(path, screen):
    """None if the screendump at path shows screen exactly, else what differs."""
    if not os.path.exists(path):
        return f"no screendump at {path}"
    width, height, rgb = read_ppm(path)
    if (width, height) != (screen.width, screen.height):
        return f"screendump is {width}x{height}, expected {screen.width}x{screen.height}"
    bad = []
    for i, p in enumerate(screen.pixels):
        want = bytes(((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff))
        if rgb[3 * i:3 * i + 3] != want:
            bad.append(i)
    if not bad:
        return None
    i = bad[0]
    got = rgb[3 * i:3 * i + 3].hex()
    return (f"{len(bad)} pixels differ from the host's reference; the first at "
            f"({i % width}, {i // width}): got #{got}, want #{screen.pixels[i] & 0xffffff:06x}")


def gfxtest_input_dragged(width, height):
    """gfxtest input's two windows after gfx-input clicked a, typed, and dragged a's title by
    (100, 50): a raised and focused at (200, 150) over b, the pointer at (250, 140)."""
    screen = Screen(width, height)
    screen.window(200, 160, surface(200, 150, 0x80224488), False, "b")
    screen.window(200, 150, surface(200, 150, 0xff884422), True, "a")
    screen.pointer(250, 140)
    return screen
