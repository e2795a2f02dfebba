/*
 * PC Screen Font (PSF1 and PSF2) parser: the console fonts Linux and Debian's console-setup
 * ship, as loaded into the initrd (docs/graphics-text.md). Strict: every field is checked
 * against the bytes there are before anything is read, so a truncated or forged file is
 * refused with a reason and never read past its end. Pure C, no allocation: the parsed font
 * points into the caller's bytes, which must outlive it.
 */
#ifndef MISSIVE_PSF_H
#define MISSIVE_PSF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds a font must keep to: larger glyphs than any console font would make a size
   overflow likely and a glyph row wider than this code draws. */
#define PSF_MAX_WIDTH  64
#define PSF_MAX_HEIGHT 128
#define PSF_MAX_GLYPHS 65535 /* glyph + 1 fits the fast map's 16 bits */

/* Code points below this map to glyphs through a table built at parse time; others are
   looked up in the font's Unicode table. */
#define PSF_FAST_MAP 256

enum psf_error {
    PSF_OK = 0,
    PSF_TOO_SHORT,         /* shorter than its header */
    PSF_BAD_MAGIC,         /* neither PSF1 nor PSF2 */
    PSF_BAD_HEADER,        /* PSF2 version, header size, or flags not understood */
    PSF_BAD_SIZE,          /* width, height, glyph count or glyph size out of bounds or at odds */
    PSF_TRUNCATED,         /* the glyphs go past the end of the file */
    PSF_BAD_UNICODE_TABLE, /* the Unicode table is malformed or cut short */
};

struct psf_font {
    unsigned version; /* 1 or 2 */
    uint32_t glyph_count;
    uint32_t width, height; /* pixels */
    uint32_t bytes_per_row; /* (width + 7) / 8 */
    uint32_t bytes_per_glyph;
    const uint8_t *glyphs;        /* glyph_count * bytes_per_glyph bytes */
    const uint8_t *unicode_table; /* NULL if the font has none */
    size_t unicode_table_size;
    uint32_t replacement; /* the glyph drawn for a code point the font lacks ('?', else 0) */
    uint16_t fast_map[PSF_FAST_MAP]; /* code point -> glyph + 1 (0: not in the font) */
};

/* Parses size bytes at data into *font. Returns PSF_OK, or why the bytes are not a usable
   font (then *font is unusable). */
enum psf_error psf_parse(struct psf_font *font, const void *data, size_t size);

/* A short English description of an error, for messages. */
const char *psf_error_name(enum psf_error error);

/* The glyph for Unicode code point cp: through the font's Unicode table if it has one, else
   the glyph of the same number; font->replacement for one it lacks. */
uint32_t psf_glyph_index(const struct psf_font *font, uint32_t cp);

/* Whether pixel (x, y) of glyph index is set (false outside the glyph or the font). */
bool psf_pixel(const struct psf_font *font, uint32_t index, uint32_t x, uint32_t y);

/* Row y of glyph index: bytes_per_row bytes, the leftmost pixel in the top bit of the first;
   NULL outside the glyph or the font. */
const uint8_t *psf_glyph_row(const struct psf_font *font, uint32_t index, uint32_t y);

#endif
