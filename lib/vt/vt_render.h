/*
 * Drawing a terminal's cells (lib/vt) into an ARGB32 buffer with a PSF font (lib/text): one
 * cell is one glyph box, colours come from a palette, and the cursor is drawn reversed.
 * Pure C: the host tests run it.
 */
#ifndef MISSIVE_VT_RENDER_H
#define MISSIVE_VT_RENDER_H

#include "text/text.h"
#include "vt/vt.h"

/* Palette entries: 0-15 the ANSI colours and their bright forms, then the terminal's own
   foreground and background (VT_DEFAULT). Premultiplied ARGB32. */
#define VT_PALETTE_FG   16
#define VT_PALETTE_BG   17
#define VT_PALETTE_SIZE 18

/* xterm's colours, light grey on black, all opaque. */
extern const uint32_t vt_default_palette[VT_PALETTE_SIZE];

/* The foreground and background a cell is drawn with (attributes and cursor applied). */
void vt_cell_colours(const struct vt *vt, const uint32_t palette[VT_PALETTE_SIZE], int x, int y,
                     uint32_t *fg, uint32_t *bg);

/* Draws rows first..last (inclusive, clamped to the screen) of what vt shows with the top
   left cell at (x0, y0) of t; each row is font->height pixels, each cell font->width. */
void vt_render_rows(const struct vt *vt, const struct text_target *t, const struct psf_font *font,
                    const uint32_t palette[VT_PALETTE_SIZE], int32_t x0, int32_t y0, int first,
                    int last);

#endif
