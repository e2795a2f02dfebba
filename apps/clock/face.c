/*
 * The clock's face. See face.h.
 */
#include "face.h"

void face_format(uint64_t ms, char out[9])
{
    uint64_t s = ms / 1000;
    unsigned parts[3] = {(unsigned)(s / 3600 % 100), (unsigned)(s / 60 % 60), (unsigned)(s % 60)};
    for (int i = 0; i < 3; i++) {
        out[i * 3] = (char)('0' + parts[i] / 10);
        out[i * 3 + 1] = (char)('0' + parts[i] % 10);
        if (i < 2)
            out[i * 3 + 2] = ':';
    }
    out[8] = 0;
}

int face_bar_width(uint64_t ms)
{
    return (int)((ms % 1000) * (FACE_WIDTH - 2 * FACE_MARGIN) / 1000);
}

/* One glyph at FACE_SCALE times its size, set pixels only. */
static void big_glyph(uint32_t *pixels, size_t stride, const struct psf_font *font, int x, int y,
                      char c)
{
    uint32_t g = psf_glyph_index(font, (uint8_t)c);
    for (uint32_t gy = 0; gy < font->height; gy++)
        for (uint32_t gx = 0; gx < font->width; gx++) {
            if (!psf_pixel(font, g, gx, gy))
                continue;
            for (int dy = 0; dy < FACE_SCALE; dy++)
                for (int dx = 0; dx < FACE_SCALE; dx++) {
                    int px = x + (int)gx * FACE_SCALE + dx, py = y + (int)gy * FACE_SCALE + dy;
                    if (px >= 0 && px < FACE_WIDTH && py >= 0 && py < FACE_HEIGHT)
                        pixels[(size_t)py * stride + (size_t)px] = FACE_DIGITS;
                }
        }
}

void face_draw(uint32_t *pixels, size_t stride, const struct psf_font *font, uint64_t ms)
{
    for (size_t y = 0; y < FACE_HEIGHT; y++)
        for (size_t x = 0; x < FACE_WIDTH; x++)
            pixels[y * stride + x] = FACE_PANEL;
    char text[9];
    face_format(ms, text);
    int width = 8 * (int)font->width * FACE_SCALE;
    int x = (FACE_WIDTH - width) / 2, y = FACE_MARGIN;
    for (int i = 0; i < 8; i++)
        big_glyph(pixels, stride, font, x + i * (int)font->width * FACE_SCALE, y, text[i]);
    int bar = face_bar_width(ms);
    for (int by = FACE_BAR_TOP; by < FACE_BAR_TOP + 8; by++)
        for (int bx = FACE_MARGIN; bx < FACE_MARGIN + bar; bx++)
            pixels[(size_t)by * stride + (size_t)bx] = FACE_BAR;
}
