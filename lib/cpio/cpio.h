/*
 * Reader for cpio archives in the SVR4 "newc" format (magic "070701"), as produced by
 * `cpio -o -H newc` and used for the initrd.
 *
 * Freestanding: depends only on <stdint.h>, <stddef.h> and <stdbool.h> and calls no libc
 * function, so the kernel can use it before anything else is up. Every access stays inside
 * [archive, archive + size) whatever the bytes are, so a corrupt or hostile initrd can at worst
 * produce an error status.
 *
 * Returned pointers (entry names and data) point into the caller's archive buffer; nothing is
 * copied and nothing is allocated.
 */
#ifndef MISSIVE_LIB_CPIO_H
#define MISSIVE_LIB_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cpio_status {
    CPIO_OK = 0,                     /* an entry was returned */
    CPIO_END = 1,                    /* TRAILER!!! reached: archive is complete */
    CPIO_ERR_MAGIC = -1,             /* header does not start with "070701" */
    CPIO_ERR_TRUNCATED_HEADER = -2,  /* fewer than 110 bytes left for a header */
    CPIO_ERR_BAD_FIELD = -3,         /* a header field holds a non-hex digit */
    CPIO_ERR_NAME_OVERRUN = -4,      /* namesize runs past the end of the archive */
    CPIO_ERR_NAME_UNTERMINATED = -5, /* namesize is 0 or the name's last byte is not NUL (or NUL
                                        appears early) */
    CPIO_ERR_DATA_OVERRUN = -6,      /* filesize (or its padding before the next header) runs past
                                        the end */
    CPIO_ERR_NO_TRAILER = -7,        /* archive ended (no bytes left) without TRAILER!!! */
};

/* Size of a newc header: 6 bytes of magic followed by 13 fields of 8 hex digits. */
#define CPIO_NEWC_HEADER_SIZE 110

/* File type bits of cpio_entry.mode (same values as POSIX st_mode). */
#define CPIO_S_IFMT  0170000u
#define CPIO_S_IFDIR 0040000u
#define CPIO_S_IFREG 0100000u

struct cpio_entry {
    const char *name; /* NUL-terminated, inside the archive */
    size_t name_len;  /* without the NUL */
    const void *data; /* inside the archive */
    size_t size;      /* file size in bytes */
    uint32_t mode;    /* st_mode bits from the header */
    size_t offset;    /* offset of this entry's header in the archive */
};

struct cpio_reader {
    const uint8_t *base;
    size_t size;
    size_t pos;
    int state;
};

/*
 * Prepares *r to walk the archive of `size` bytes at `archive` from its first header. The
 * archive is not inspected here; errors surface from cpio_next(). A NULL archive is treated as
 * an empty one (size 0) so that a missing initrd reports CPIO_ERR_NO_TRAILER instead of
 * faulting.
 */
void cpio_reader_init(struct cpio_reader *r, const void *archive, size_t size);

/*
 * Returns CPIO_OK and fills *out, CPIO_END at the trailer (and on every later call), or a
 * negative error (and the same error on every later call). r->pos tells where the error was
 * found.
 *
 * After CPIO_OK, r->pos is the offset of the next header. After CPIO_END or an error, r->pos is
 * the offset of the header being parsed (the trailer's header for CPIO_END; the archive size for
 * CPIO_ERR_NO_TRAILER). *out is written only when CPIO_OK is returned.
 *
 * Entry names are returned exactly as stored (a leading "./" is kept). Padding after the name
 * or the data may be absent only when the archive ends exactly where that padding would start;
 * the entry is then returned and the next call reports CPIO_ERR_NO_TRAILER (or CPIO_END if the
 * entry was the trailer).
 */
int cpio_next(struct cpio_reader *r, struct cpio_entry *out);

/* Returns a short English description of a cpio_status value; never NULL. */
const char *cpio_strerror(int status);

/*
 * Walks the whole archive; CPIO_END (1) if well formed, else the first error. *files counts
 * regular entries before the trailer (may be NULL); on error it holds the count of regular
 * entries returned before the error.
 */
int cpio_validate(const void *archive, size_t size, size_t *files);

/*
 * Finds an entry by exact name (a leading "./" in the archive name is ignored, so "./a" matches
 * "a"). Returns CPIO_OK, CPIO_END if not found, or an error if the archive is malformed before
 * it.
 *
 * A leading "./" in `name` is ignored too, so lookups are symmetric. The first matching entry
 * wins. Entries after the match are not examined, so CPIO_OK does not mean the whole archive is
 * valid; use cpio_validate() for that. `out` may be NULL to only test for presence.
 */
int cpio_find(const void *archive, size_t size, const char *name, struct cpio_entry *out);

#endif /* MISSIVE_LIB_CPIO_H */
