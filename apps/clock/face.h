/*
 * The clock's face (apps/clock): what it draws, as pure code the host tests run. A translucent
 * panel (premultiplied ARGB32), the time since boot as HH:MM:SS in the font's glyphs drawn
 * twice their size, and a bar that sweeps across once a second.
 */
#ifndef CLOCK_FACE_H
#define CLOCK_FACE_H

#include <stddef.h>
#include <stdint.h>

#include "psf/psf.h"

#define FACE_WIDTH   240
#define FACE_HEIGHT  96
#define FACE_SCALE   2          /* the digits are drawn at twice the font's size */
#define FACE_PANEL   0xa00a1428 /* alpha 0xa0 over dark blue, premultiplied */
#define FACE_DIGITS  0xffffffff
#define FACE_BAR     0xc0c08000 /* amber, alpha 0xc0, premultiplied */
#define FACE_MARGIN  8
#define FACE_BAR_TOP (FACE_HEIGHT - 16)

/* Writes the time ms (since boot) as "HH:MM:SS" (hours wrap at 100) into out[9]. */
void face_format(uint64_t ms, char out[9]);

/* Draws the face for time ms into pixels (FACE_WIDTH x FACE_HEIGHT, stride in pixels). */
void face_draw(uint32_t *pixels, size_t stride, const struct psf_font *font, uint64_t ms);

/* The width in pixels of the sweeping bar at time ms (0 .. FACE_WIDTH - 2 * FACE_MARGIN). */
int face_bar_width(uint64_t ms);

#endif
