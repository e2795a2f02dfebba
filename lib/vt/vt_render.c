/*
 * Terminal cells into pixels. See vt_render.h.
 */
#include "vt/vt_render.h"

const uint32_t vt_default_palette[VT_PALETTE_SIZE] = {
    0xff000000, 0xffcd0000, 0xff00cd00, 0xffcdcd00, 0xff0000ee, 0xffcd00cd,
    0xff00cdcd, 0xffe5e5e5, 0xff7f7f7f, 0xffff0000, 0xff00ff00, 0xffffff00,
    0xff5c5cff, 0xffff00ff, 0xff00ffff, 0xffffffff, 0xffe5e5e5, 0xff000000,
};

void vt_cell_colours(const struct vt *vt, const uint32_t palette[VT_PALETTE_SIZE], int x, int y,
                     uint32_t *fg, uint32_t *bg)
{
    struct vt_cell c = vt_cell_at(vt, x, y);
    unsigned f = c.fg == VT_DEFAULT ? VT_PALETTE_FG : c.fg % 16u;
    unsigned b = c.bg == VT_DEFAULT ? VT_PALETTE_BG : c.bg % 16u;
    if ((c.attr & VT_ATTR_BOLD) && f < 8)
        f += 8;
    bool reverse = c.attr & VT_ATTR_REVERSE;
    if (vt->cursor_visible && vt->view == 0 && x == vt->cursor_x && y == vt->cursor_y)
        reverse = !reverse;
    *fg = palette[reverse ? b : f];
    *bg = palette[reverse ? f : b];
}

void vt_render_rows(const struct vt *vt, const struct text_target *t, const struct psf_font *font,
                    const uint32_t palette[VT_PALETTE_SIZE], int32_t x0, int32_t y0, int first,
                    int last)
{
    if (first < 0)
        first = 0;
    if (last > vt->rows - 1)
        last = vt->rows - 1;
    for (int y = first; y <= last; y++)
        for (int x = 0; x < vt->cols; x++) {
            uint32_t fg, bg;
            vt_cell_colours(vt, palette, x, y, &fg, &bg);
            text_draw_glyph(t, font, x0 + x * (int32_t)font->width, y0 + y * (int32_t)font->height,
                            vt_cell_at(vt, x, y).cp, fg, bg, true);
        }
}
