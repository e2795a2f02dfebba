/*
 * Drawing text with a PSF font (lib/psf) into a 32-bit pixel buffer: the compositor's title
 * bars, the terminal window and the demo client use it. Pixels are ARGB32 with premultiplied
 * alpha (the compositor's surface format, lib/proto/gfx.h); a glyph's set pixels get the
 * foreground colour and, when a background is asked for, its clear pixels the background
 * colour; both are stored as given (no blending: the compositor blends surfaces). Everything
 * is clipped to the buffer and to a clip rectangle, so any position, even far off the
 * buffer, is safe. Pure C: host tests run it.
 */
#ifndef MISSIVE_TEXT_H
#define MISSIVE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "psf/psf.h"

/* A buffer to draw into: width x height pixels, stride pixels from one row to the next; and
   the rectangle drawing is limited to (x0, y0 inclusive, x1, y1 exclusive; it is cut to the
   buffer). */
struct text_target {
    uint32_t *pixels;
    int32_t width, height;
    size_t stride;
    int32_t clip_x0, clip_y0, clip_x1, clip_y1;
};

/* A target covering all of a width x height buffer. */
struct text_target text_target(uint32_t *pixels, int32_t width, int32_t height, size_t stride);

/* Draws the glyph for code point cp with its top left corner at (x, y): set pixels fg, clear
   ones bg if opaque (else left alone). */
void text_draw_glyph(const struct text_target *t, const struct psf_font *font, int32_t x, int32_t y,
                     uint32_t cp, uint32_t fg, uint32_t bg, bool opaque);

/* Draws n bytes of UTF-8 text from (x, y) on one line (control characters and malformed
   bytes draw the font's replacement glyph); returns the x after the last glyph. */
int32_t text_draw(const struct text_target *t, const struct psf_font *font, int32_t x, int32_t y,
                  const char *utf8, size_t n, uint32_t fg, uint32_t bg, bool opaque);

/* Decodes one code point from the n > 0 bytes at s; returns the bytes it took (at least 1).
   A malformed or cut-short sequence gives U+FFFD and takes one byte. */
size_t text_utf8_next(const char *s, size_t n, uint32_t *cp);

#endif
