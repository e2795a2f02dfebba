/*
 * newc cpio reader. See cpio.h for the contract.
 *
 * Bounds discipline: every position is an offset <= size, and every length is compared against
 * the bytes remaining (`len > size - pos`), never added to a position first, so that no sum can
 * wrap around whatever the header fields claim.
 */
#include "cpio/cpio.h"

#define NEWC_MAGIC_LEN  6
#define NEWC_FIELD_LEN  8
#define NEWC_NUM_FIELDS 13

/* Field indices in header order, after the magic. */
enum newc_field {
    F_INO,
    F_MODE,
    F_UID,
    F_GID,
    F_NLINK,
    F_MTIME,
    F_FILESIZE,
    F_DEVMAJOR,
    F_DEVMINOR,
    F_RDEVMAJOR,
    F_RDEVMINOR,
    F_NAMESIZE,
    F_CHECK,
};

static const char newc_magic[NEWC_MAGIC_LEN] = {'0', '7', '0', '7', '0', '1'};
static const char trailer_name[] = "TRAILER!!!";

/* Decodes one hex digit of either case; false for anything else so bad fields are detected. */
static bool hex_digit(uint8_t c, uint32_t *val)
{
    if (c >= '0' && c <= '9') {
        *val = (uint32_t)(c - '0');
    } else if (c >= 'a' && c <= 'f') {
        *val = (uint32_t)(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
        *val = (uint32_t)(c - 'A' + 10);
    } else {
        return false;
    }
    return true;
}

/*
 * Parses exactly NEWC_FIELD_LEN hex digits at p (caller guarantees they are in bounds). Eight
 * hex digits fit in 32 bits, so no overflow check is needed.
 */
static bool parse_field(const uint8_t *p, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = 0; i < NEWC_FIELD_LEN; i++) {
        uint32_t d;
        if (!hex_digit(p[i], &d)) {
            return false;
        }
        v = (v << 4) | d;
    }
    *out = v;
    return true;
}

/* Bytes needed to bring offset `off` up to a multiple of 4 (newc aligns to the archive start). */
static size_t pad4(size_t off)
{
    return (4 - (off & 3)) & 3;
}

/* Compares a length-delimited name with a NUL-terminated string without reading past either. */
static bool name_equals(const char *name, size_t name_len, const char *s)
{
    size_t i = 0;
    for (; i < name_len; i++) {
        if (s[i] == '\0' || s[i] != name[i]) {
            return false;
        }
    }
    return s[i] == '\0';
}

/* Strips one leading "./" so that names from `find . | cpio` compare equal to plain names. */
static const char *skip_dot_slash(const char *s, size_t *len)
{
    if (*len >= 2 && s[0] == '.' && s[1] == '/') {
        *len -= 2;
        return s + 2;
    }
    return s;
}

/* Length of a NUL-terminated string; local because no libc is available in the kernel. */
static size_t c_strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    return n;
}

/* Makes the status sticky so a caller that ignores one error cannot walk into garbage later. */
static int reader_fail(struct cpio_reader *r, int status)
{
    r->state = status;
    return status;
}

/* Contract in cpio.h: positions *r before the first header; a NULL archive reads as empty. */
void cpio_reader_init(struct cpio_reader *r, const void *archive, size_t size)
{
    r->base = archive;
    r->size = archive != NULL ? size : 0;
    r->pos = 0;
    r->state = CPIO_OK;
}

/*
 * Contract in cpio.h: one entry per call, sticky CPIO_END/errors, *out written only on CPIO_OK.
 * Checks run in header order so the reported error is the first thing wrong at r->pos.
 */
int cpio_next(struct cpio_reader *r, struct cpio_entry *out)
{
    if (r->state != CPIO_OK) {
        return r->state;
    }

    const uint8_t *base = r->base;
    const size_t size = r->size;
    const size_t hdr = r->pos;

    /* r is a public struct; a caller-mangled pos must not become an out-of-bounds read. */
    if (hdr >= size) {
        r->pos = size;
        return reader_fail(r, CPIO_ERR_NO_TRAILER);
    }
    if (size - hdr < CPIO_NEWC_HEADER_SIZE) {
        return reader_fail(r, CPIO_ERR_TRUNCATED_HEADER);
    }

    const uint8_t *h = base + hdr;
    for (size_t i = 0; i < NEWC_MAGIC_LEN; i++) {
        if (h[i] != (uint8_t)newc_magic[i]) {
            return reader_fail(r, CPIO_ERR_MAGIC);
        }
    }

    /* All fields are checked, not just the ones used, so a damaged header is not half-trusted. */
    uint32_t field[NEWC_NUM_FIELDS];
    for (size_t i = 0; i < NEWC_NUM_FIELDS; i++) {
        if (!parse_field(h + NEWC_MAGIC_LEN + i * NEWC_FIELD_LEN, &field[i])) {
            return reader_fail(r, CPIO_ERR_BAD_FIELD);
        }
    }

    const size_t namesize = field[F_NAMESIZE];
    const size_t filesize = field[F_FILESIZE];
    const size_t name_off = hdr + CPIO_NEWC_HEADER_SIZE;

    if (namesize == 0) {
        return reader_fail(r, CPIO_ERR_NAME_UNTERMINATED);
    }
    if (namesize > size - name_off) {
        return reader_fail(r, CPIO_ERR_NAME_OVERRUN);
    }

    /* namesize includes the NUL; an early NUL would make name_len disagree with C string use. */
    const char *name = (const char *)(base + name_off);
    const size_t name_len = namesize - 1;
    if (name[name_len] != '\0') {
        return reader_fail(r, CPIO_ERR_NAME_UNTERMINATED);
    }
    for (size_t i = 0; i < name_len; i++) {
        if (name[i] == '\0') {
            return reader_fail(r, CPIO_ERR_NAME_UNTERMINATED);
        }
    }

    /* The trailer's padding and (normally zero) filesize are irrelevant: nothing follows it. */
    if (name_equals(name, name_len, trailer_name)) {
        return reader_fail(r, CPIO_END);
    }

    const size_t name_end = name_off + namesize;
    size_t data_off;
    if (pad4(name_end) <= size - name_end) {
        data_off = name_end + pad4(name_end);
    } else if (name_end == size && filesize == 0) {
        /* Archive ends right after the name: tolerated; the missing trailer is reported next. */
        data_off = size;
    } else {
        return reader_fail(r, CPIO_ERR_DATA_OVERRUN);
    }

    if (filesize > size - data_off) {
        return reader_fail(r, CPIO_ERR_DATA_OVERRUN);
    }
    const size_t data_end = data_off + filesize;
    size_t next;
    if (pad4(data_end) <= size - data_end) {
        next = data_end + pad4(data_end);
    } else if (data_end == size) {
        next = size;
    } else {
        return reader_fail(r, CPIO_ERR_DATA_OVERRUN);
    }

    out->name = name;
    out->name_len = name_len;
    out->data = base + data_off;
    out->size = filesize;
    out->mode = field[F_MODE];
    out->offset = hdr;
    r->pos = next;
    return CPIO_OK;
}

/* Contract in cpio.h: a static string for every input, so callers can print any status. */
const char *cpio_strerror(int status)
{
    switch (status) {
    case CPIO_OK:
        return "ok";
    case CPIO_END:
        return "end of archive";
    case CPIO_ERR_MAGIC:
        return "bad magic";
    case CPIO_ERR_TRUNCATED_HEADER:
        return "truncated header";
    case CPIO_ERR_BAD_FIELD:
        return "non-hex header field";
    case CPIO_ERR_NAME_OVERRUN:
        return "name runs past end of archive";
    case CPIO_ERR_NAME_UNTERMINATED:
        return "name not NUL-terminated";
    case CPIO_ERR_DATA_OVERRUN:
        return "file data runs past end of archive";
    case CPIO_ERR_NO_TRAILER:
        return "missing TRAILER!!!";
    default:
        return "unknown cpio status";
    }
}

/* Contract in cpio.h: CPIO_END for a well-formed archive, else the first error. */
int cpio_validate(const void *archive, size_t size, size_t *files)
{
    struct cpio_reader r;
    struct cpio_entry e;
    size_t count = 0;
    int st;

    cpio_reader_init(&r, archive, size);
    /* Terminates: each CPIO_OK advances pos by at least a header plus a 1-byte name. */
    while ((st = cpio_next(&r, &e)) == CPIO_OK) {
        if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFREG) {
            count++;
        }
    }
    if (files != NULL) {
        *files = count;
    }
    return st;
}

/* Contract in cpio.h: first entry equal to name once one leading "./" is dropped from each. */
int cpio_find(const void *archive, size_t size, const char *name, struct cpio_entry *out)
{
    struct cpio_reader r;
    struct cpio_entry e;
    size_t want_len = c_strlen(name);
    const char *want = skip_dot_slash(name, &want_len);
    int st;

    cpio_reader_init(&r, archive, size);
    while ((st = cpio_next(&r, &e)) == CPIO_OK) {
        size_t len = e.name_len;
        const char *n = skip_dot_slash(e.name, &len);
        if (len == want_len && name_equals(n, len, want)) {
            if (out != NULL) {
                *out = e;
            }
            return CPIO_OK;
        }
    }
    return st;
}
