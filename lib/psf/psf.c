/*
 * PSF1 and PSF2. See psf.h. Layouts (from the kbd project's psf documentation, which the
 * Linux console follows):
 *
 * PSF1: magic 36 04, mode (bit 0: 512 glyphs instead of 256; bits 1-2: a Unicode table
 * follows), charsize (the height; the width is 8), glyphs; table: for each glyph, 16-bit
 * little-endian code points, FFFE starting a sequence (ignored here), FFFF ending the glyph.
 *
 * PSF2: magic 72 B5 4A 86, then 32-bit little-endian version (0), header size, flags (bit 0:
 * a Unicode table follows), glyph count, bytes per glyph, height, width; glyphs at the header
 * size; table: for each glyph, UTF-8 code points, FE starting a sequence, FF ending it.
 */
#include "psf/psf.h"

#define PSF1_HEADER     4
#define PSF1_MODE_512   0x01
#define PSF1_MODE_TABLE 0x06
#define PSF1_SEPARATOR  0xffff
#define PSF1_SEQUENCE   0xfffe
#define PSF2_HEADER     32
#define PSF2_FLAG_TABLE 0x01
#define PSF2_SEPARATOR  0xff
#define PSF2_SEQUENCE   0xfe
#define UNICODE_MAX     0x10ffff

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

const char *psf_error_name(enum psf_error error)
{
    switch (error) {
    case PSF_OK:
        return "ok";
    case PSF_TOO_SHORT:
        return "shorter than a PSF header";
    case PSF_BAD_MAGIC:
        return "not a PSF1 or PSF2 font";
    case PSF_BAD_HEADER:
        return "PSF2 header not understood";
    case PSF_BAD_SIZE:
        return "glyph size or count out of bounds";
    case PSF_TRUNCATED:
        return "glyphs cut short";
    case PSF_BAD_UNICODE_TABLE:
        return "malformed Unicode table";
    }
    return "unknown error";
}

/* Decodes one UTF-8 code point from p[0..end) (strict: no overlong forms, no surrogates,
   nothing past U+10FFFF); returns its length and stores it in *cp, 0 if malformed. */
static size_t utf8_decode(const uint8_t *p, size_t left, uint32_t *cp)
{
    uint8_t b = p[0];
    size_t n;
    uint32_t v, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if ((b & 0xe0) == 0xc0) {
        n = 2, v = b & 0x1f, min = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
        n = 3, v = b & 0x0f, min = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
        n = 4, v = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3f);
    }
    if (v < min || v > UNICODE_MAX || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

/* Checks the whole Unicode table and fills the fast map from it: for each code point below
   PSF_FAST_MAP the first glyph that lists it alone (code points after a FE/FFFE marker form
   sequences with combining characters, which this code does not draw). Returns false if the
   table is malformed: a glyph's entry not ended within the table, bad UTF-8, a code point
   beyond Unicode. */
static bool walk_table(struct psf_font *font)
{
    const uint8_t *p = font->unicode_table;
    size_t left = font->unicode_table_size;
    for (uint32_t glyph = 0; glyph < font->glyph_count; glyph++) {
        bool in_sequence = false;
        for (;;) {
            uint32_t cp;
            if (font->version == 1) {
                if (left < 2)
                    return false;
                cp = (uint32_t)p[0] | (uint32_t)p[1] << 8;
                p += 2, left -= 2;
                if (cp == PSF1_SEPARATOR)
                    break;
                if (cp == PSF1_SEQUENCE) {
                    in_sequence = true;
                    continue;
                }
            } else {
                if (left < 1)
                    return false;
                if (p[0] == PSF2_SEPARATOR) {
                    p++, left--;
                    break;
                }
                if (p[0] == PSF2_SEQUENCE) {
                    p++, left--;
                    in_sequence = true;
                    continue;
                }
                size_t n = utf8_decode(p, left, &cp);
                if (n == 0)
                    return false;
                p += n, left -= n;
            }
            if (!in_sequence && cp < PSF_FAST_MAP && font->fast_map[cp] == 0)
                font->fast_map[cp] = (uint16_t)(glyph + 1);
        }
    }
    return true;
}

/* Checks the glyph geometry and that the glyphs fit in size bytes from offset; fills the
   geometry fields. */
static enum psf_error set_glyphs(struct psf_font *font, const uint8_t *data, size_t size,
                                 size_t offset, uint32_t count, uint32_t glyph_bytes)
{
    if (count == 0 || count > PSF_MAX_GLYPHS || font->width == 0 || font->height == 0 ||
        font->width > PSF_MAX_WIDTH || font->height > PSF_MAX_HEIGHT)
        return PSF_BAD_SIZE;
    font->bytes_per_row = (font->width + 7) / 8;
    if (glyph_bytes != font->bytes_per_row * font->height)
        return PSF_BAD_SIZE;
    font->bytes_per_glyph = glyph_bytes;
    font->glyph_count = count;
    /* At most 65535 * 8 * 128 bytes: no overflow in 64 bits. */
    uint64_t end = (uint64_t)offset + (uint64_t)count * glyph_bytes;
    if (end > size)
        return PSF_TRUNCATED;
    font->glyphs = data + offset;
    font->unicode_table = 0;
    font->unicode_table_size = size - (size_t)end;
    return PSF_OK;
}

enum psf_error psf_parse(struct psf_font *font, const void *bytes, size_t size)
{
    const uint8_t *data = bytes;
    *font = (struct psf_font){0};
    bool has_table;
    enum psf_error e;
    if (size >= 2 && data[0] == 0x36 && data[1] == 0x04) {
        if (size < PSF1_HEADER)
            return PSF_TOO_SHORT;
        font->version = 1;
        font->width = 8;
        font->height = data[3];
        uint32_t count = data[2] & PSF1_MODE_512 ? 512 : 256;
        has_table = data[2] & PSF1_MODE_TABLE;
        e = set_glyphs(font, data, size, PSF1_HEADER, count, data[3]);
    } else if (size >= 4 && le32(data) == 0x864ab572) {
        if (size < PSF2_HEADER)
            return PSF_TOO_SHORT;
        uint32_t version = le32(data + 4), header = le32(data + 8), flags = le32(data + 12);
        if (version != 0 || header < PSF2_HEADER || header > size || (flags & ~PSF2_FLAG_TABLE))
            return PSF_BAD_HEADER;
        font->version = 2;
        font->height = le32(data + 24);
        font->width = le32(data + 28);
        has_table = flags & PSF2_FLAG_TABLE;
        e = set_glyphs(font, data, size, header, le32(data + 16), le32(data + 20));
    } else {
        return size < 4 ? PSF_TOO_SHORT : PSF_BAD_MAGIC;
    }
    if (e != PSF_OK)
        return e;
    if (has_table) {
        font->unicode_table = font->glyphs + (size_t)font->glyph_count * font->bytes_per_glyph;
        if (!walk_table(font))
            return PSF_BAD_UNICODE_TABLE;
    } else {
        font->unicode_table_size = 0;
        for (uint32_t cp = 0; cp < PSF_FAST_MAP && cp < font->glyph_count; cp++)
            font->fast_map[cp] = (uint16_t)(cp + 1);
    }
    font->replacement = font->fast_map['?'] ? font->fast_map['?'] - 1u : 0;
    return PSF_OK;
}

/* A lookup beyond the fast map: one walk of the table (fonts map a few hundred code points,
   and the terminal draws almost only ASCII). */
uint32_t psf_glyph_index(const struct psf_font *font, uint32_t cp)
{
    if (cp < PSF_FAST_MAP)
        return font->fast_map[cp] ? font->fast_map[cp] - 1u : font->replacement;
    if (!font->unicode_table)
        return cp < font->glyph_count ? cp : font->replacement;
    const uint8_t *p = font->unicode_table;
    size_t left = font->unicode_table_size;
    /* The table was checked at parse time, so this walk only has to find the code point. */
    for (uint32_t glyph = 0; glyph < font->glyph_count; glyph++) {
        bool in_sequence = false;
        for (;;) {
            uint32_t v;
            if (font->version == 1) {
                v = (uint32_t)p[0] | (uint32_t)p[1] << 8;
                p += 2, left -= 2;
                if (v == PSF1_SEPARATOR)
                    break;
                if (v == PSF1_SEQUENCE) {
                    in_sequence = true;
                    continue;
                }
            } else {
                if (p[0] == PSF2_SEPARATOR || p[0] == PSF2_SEQUENCE) {
                    in_sequence = in_sequence || p[0] == PSF2_SEQUENCE;
                    bool end = p[0] == PSF2_SEPARATOR;
                    p++, left--;
                    if (end)
                        break;
                    continue;
                }
                size_t n = utf8_decode(p, left, &v);
                p += n, left -= n;
            }
            if (!in_sequence && v == cp)
                return glyph;
        }
    }
    return font->replacement;
}

const uint8_t *psf_glyph_row(const struct psf_font *font, uint32_t index, uint32_t y)
{
    if (index >= font->glyph_count || y >= font->height)
        return 0;
    return font->glyphs + (size_t)index * font->bytes_per_glyph + (size_t)y * font->bytes_per_row;
}

bool psf_pixel(const struct psf_font *font, uint32_t index, uint32_t x, uint32_t y)
{
    const uint8_t *row = psf_glyph_row(font, index, y);
    if (!row || x >= font->width)
        return false;
    return row[x / 8] & (0x80 >> (x % 8));
}
