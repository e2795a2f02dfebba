/*
 * Text into ARGB32 buffers. See text.h.
 */
#include "text/text.h"

#define REPLACEMENT_CHARACTER 0xfffd

struct text_target text_target(uint32_t *pixels, int32_t width, int32_t height, size_t stride)
{
    return (struct text_target){pixels, width, height, stride, 0, 0, width, height};
}

static int32_t max32(int32_t a, int32_t b)
{
    return a > b ? a : b;
}

static int32_t min32(int32_t a, int32_t b)
{
    return a < b ? a : b;
}

void text_draw_glyph(const struct text_target *t, const struct psf_font *font, int32_t x, int32_t y,
                     uint32_t cp, uint32_t fg, uint32_t bg, bool opaque)
{
    /* The visible part of the glyph's box, in 64 bits so a position near INT32_MAX cannot
       overflow. */
    int64_t x0 = max32(max32(t->clip_x0, 0), x), y0 = max32(max32(t->clip_y0, 0), y);
    int64_t x1 = min32(t->clip_x1, t->width), y1 = min32(t->clip_y1, t->height);
    if ((int64_t)x + font->width < x1)
        x1 = (int64_t)x + font->width;
    if ((int64_t)y + font->height < y1)
        y1 = (int64_t)y + font->height;
    if (x0 >= x1 || y0 >= y1)
        return;
    uint32_t glyph = psf_glyph_index(font, cp);
    for (int64_t py = y0; py < y1; py++) {
        const uint8_t *row = psf_glyph_row(font, glyph, (uint32_t)(py - y));
        uint32_t *out = t->pixels + (size_t)py * t->stride;
        for (int64_t px = x0; px < x1; px++) {
            uint32_t gx = (uint32_t)(px - x);
            if (row[gx / 8] & (0x80 >> (gx % 8)))
                out[px] = fg;
            else if (opaque)
                out[px] = bg;
        }
    }
}

size_t text_utf8_next(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len;
    uint32_t v, min;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    } else if ((p[0] & 0xe0) == 0xc0) {
        len = 2, v = p[0] & 0x1f, min = 0x80;
    } else if ((p[0] & 0xf0) == 0xe0) {
        len = 3, v = p[0] & 0x0f, min = 0x800;
    } else if ((p[0] & 0xf8) == 0xf0) {
        len = 4, v = p[0] & 0x07, min = 0x10000;
    } else {
        *cp = REPLACEMENT_CHARACTER;
        return 1;
    }
    if (n < len) {
        *cp = REPLACEMENT_CHARACTER;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *cp = REPLACEMENT_CHARACTER;
            return 1;
        }
        v = v << 6 | (p[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        *cp = REPLACEMENT_CHARACTER;
        return 1;
    }
    *cp = v;
    return len;
}

int32_t text_draw(const struct text_target *t, const struct psf_font *font, int32_t x, int32_t y,
                  const char *utf8, size_t n, uint32_t fg, uint32_t bg, bool opaque)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        i += text_utf8_next(utf8 + i, n - i, &cp);
        if (cp < 0x20 || cp == 0x7f)
            cp = REPLACEMENT_CHARACTER;
        text_draw_glyph(t, font, x, y, cp, fg, bg, opaque);
        /* Stop before x would wrap: beyond the right edge nothing more shows anyway. */
        if (x > INT32_MAX - (int32_t)font->width)
            return x;
        x += (int32_t)font->width;
    }
    return x;
}
