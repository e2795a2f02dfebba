/*
 * Host unit tests for lib/cpio (newc reader).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -Ilib tests/unit/test_cpio.c lib/cpio/cpio.c -lcmocka
 *
 * Archives under test are either built here with a tiny newc writer or embedded verbatim (the
 * GNU cpio archive below), so the tests need no tools at run time. Whenever an out-of-bounds
 * read would matter, the archive is copied into a malloc'd buffer of exactly its size so that
 * ASan flags any overrun.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpio/cpio.h"

#define HDR CPIO_NEWC_HEADER_SIZE

/* Offsets of the header fields (after the 6-byte magic, 8 hex digits each). */
#define OFF_MODE     14
#define OFF_FILESIZE 54
#define OFF_NAMESIZE 94
#define OFF_CHECK    102

/*
 * Generated once with GNU cpio 2.13:
 *   mkdir -p etc/sub; printf 'hello\n' > etc/motd; : > etc/empty; printf abcdefg > etc/sub/seven
 *   printf 0123456789ABCDEF > init; chmod 755 init
 *   TZ=UTC touch -d '2024-01-01 00:00:00' etc/motd etc/empty etc/sub/seven etc/sub etc init
 *   printf '%s\n' etc etc/motd etc/empty etc/sub etc/sub/seven ./init |
 *       cpio -o -H newc --owner=0:0 --reproducible | xxd -i
 * GNU cpio strips the "./" from "./init" and zero-pads the archive to 512-byte blocks.
 */
static const unsigned char gnu_initrd_cpio[] = {
    0x30, 0x37, 0x30, 0x37, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x34, 0x31, 0x45, 0x44, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x33, 0x36, 0x35,
    0x39, 0x32, 0x30, 0x30, 0x38, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x34, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x65, 0x74,
    0x63, 0x00, 0x00, 0x00, 0x30, 0x37, 0x30, 0x37, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x38, 0x31, 0x41, 0x34, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x31, 0x36, 0x35, 0x39, 0x32, 0x30, 0x30, 0x38, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x36, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x39, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x65, 0x74, 0x63, 0x2f, 0x6d, 0x6f, 0x74, 0x64, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c,
    0x6f, 0x0a, 0x00, 0x00, 0x30, 0x37, 0x30, 0x37, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x32, 0x30, 0x30, 0x30, 0x30, 0x38, 0x31, 0x41, 0x34, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x31, 0x36, 0x35, 0x39, 0x32, 0x30, 0x30, 0x38, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x41, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x65, 0x74, 0x63, 0x2f, 0x65, 0x6d, 0x70, 0x74, 0x79, 0x00, 0x30, 0x37, 0x30, 0x37,
    0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x33, 0x30, 0x30, 0x30, 0x30, 0x34, 0x31,
    0x45, 0x44, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x32, 0x36, 0x35, 0x39, 0x32, 0x30, 0x30,
    0x38, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x38, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x65, 0x74, 0x63, 0x2f, 0x73, 0x75,
    0x62, 0x00, 0x00, 0x00, 0x30, 0x37, 0x30, 0x37, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x34, 0x30, 0x30, 0x30, 0x30, 0x38, 0x31, 0x41, 0x34, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x31, 0x36, 0x35, 0x39, 0x32, 0x30, 0x30, 0x38, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x37, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x45, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x65, 0x74, 0x63, 0x2f, 0x73, 0x75, 0x62, 0x2f, 0x73, 0x65, 0x76, 0x65, 0x6e, 0x00,
    0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x00, 0x30, 0x37, 0x30, 0x37, 0x30, 0x31, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x35, 0x30, 0x30, 0x30, 0x30, 0x38, 0x31, 0x45, 0x44, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x36, 0x35, 0x39, 0x32, 0x30, 0x30, 0x38, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x35, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x69, 0x6e, 0x69, 0x74, 0x00, 0x00, 0x30, 0x31, 0x32, 0x33,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x30, 0x37, 0x30, 0x37,
    0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x42, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x54, 0x52, 0x41, 0x49, 0x4c, 0x45,
    0x52, 0x21, 0x21, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

/* Offset of the TRAILER!!! header in gnu_initrd_cpio, and where its name (with NUL) ends. */
#define GNU_TRAILER_OFF      0x2ecu
#define GNU_TRAILER_NAME_END (GNU_TRAILER_OFF + HDR + 11)

/* ---- a minimal newc writer -------------------------------------------------------------- */

struct builder {
    uint8_t buf[4096];
    size_t len;
};

static void put_bytes(struct builder *b, const void *p, size_t n)
{
    assert_true(n <= sizeof(b->buf) - b->len);
    if (n == 0) {
        return; /* p may be NULL for empty data, and memcpy(dst, NULL, 0) is undefined */
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

static void put_pad4(struct builder *b)
{
    static const uint8_t zeros[3];
    put_bytes(b, zeros, (4 - (b->len & 3)) & 3);
}

/* Writes a raw header; callers choose namesize/filesize freely to fabricate broken archives. */
static void put_header(struct builder *b, uint32_t mode, uint32_t filesize, uint32_t namesize)
{
    char hdr[HDR + 1];
    int n =
        snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                 0x1234u, mode, 0u, 0u, 1u, 0x65920080u, filesize, 0u, 0u, 0u, 0u, namesize, 0u);
    assert_int_equal(n, HDR);
    put_bytes(b, hdr, HDR);
}

/* Appends a well-formed entry and returns the offset of its header. */
static size_t add_entry(struct builder *b, const char *name, uint32_t mode, const void *data,
                        size_t size)
{
    size_t off = b->len;
    size_t namesize = strlen(name) + 1;
    put_header(b, mode, (uint32_t)size, (uint32_t)namesize);
    put_bytes(b, name, namesize);
    put_pad4(b);
    put_bytes(b, data, size);
    put_pad4(b);
    return off;
}

static size_t add_file(struct builder *b, const char *name, const char *data)
{
    return add_entry(b, name, 0100644, data, strlen(data));
}

static size_t add_dir(struct builder *b, const char *name)
{
    return add_entry(b, name, 040755, NULL, 0);
}

static size_t add_trailer(struct builder *b)
{
    return add_entry(b, "TRAILER!!!", 0, NULL, 0);
}

/* Copies n bytes into a heap block of exactly n bytes so ASan catches any read past the end. */
static uint8_t *dup_exact(const void *p, size_t n)
{
    uint8_t *q = malloc(n);
    if (n != 0) {
        assert_non_null(q);
        memcpy(q, p, n);
    }
    return q;
}

static int validate_exact(const void *p, size_t n, size_t *files)
{
    uint8_t *q = dup_exact(p, n);
    int st = cpio_validate(q, n, files);
    free(q);
    return st;
}

/* Walks a copy of exactly n bytes and returns the final status and where the reader stopped. */
static int walk_exact(const void *p, size_t n, size_t *pos)
{
    uint8_t *q = dup_exact(p, n);
    struct cpio_reader r;
    struct cpio_entry e;
    int st;
    cpio_reader_init(&r, q, n);
    while ((st = cpio_next(&r, &e)) == CPIO_OK) {
    }
    *pos = r.pos;
    free(q);
    return st;
}

static void expect_entry(struct cpio_reader *r, const char *name, uint32_t mode, const char *data,
                         size_t size, size_t offset)
{
    struct cpio_entry e;
    assert_int_equal(cpio_next(r, &e), CPIO_OK);
    assert_string_equal(e.name, name);
    assert_int_equal(e.name_len, strlen(name));
    assert_int_equal(e.mode, mode);
    assert_int_equal(e.size, size);
    assert_int_equal(e.offset, offset);
    if (size != 0) {
        assert_memory_equal(e.data, data, size);
    }
    /* Data must sit after the 4-aligned name, and the next header must be 4-aligned too. */
    assert_int_equal(((const uint8_t *)e.data - r->base) % 4, 0);
    assert_int_equal(r->pos % 4, 0);
}

/* A builder archive used by several tests: dirs, an empty file, every data-padding length. */
struct sample {
    struct builder b;
    size_t off[8];
};

static void build_sample(struct sample *s)
{
    memset(s, 0, sizeof(*s));
    s->off[0] = add_dir(&s->b, "etc");
    s->off[1] = add_file(&s->b, "etc/motd", "hello\n");
    s->off[2] = add_file(&s->b, "etc/empty", "");
    s->off[3] = add_dir(&s->b, "./bin");
    s->off[4] = add_entry(&s->b, "./bin/init", 0100755,
                          "\x7f"
                          "ELF\0\1\2",
                          7);
    s->off[5] = add_file(&s->b, "a", "x");
    s->off[6] = add_file(&s->b, "bb", "1234");
    s->off[7] = add_trailer(&s->b);
}

/* ---- well-formed archives ---------------------------------------------------------------- */

static void test_walk_built_archive(void **state)
{
    (void)state;
    struct sample s;
    build_sample(&s);
    uint8_t *q = dup_exact(s.b.buf, s.b.len);
    struct cpio_reader r;
    struct cpio_entry e;

    cpio_reader_init(&r, q, s.b.len);
    expect_entry(&r, "etc", 040755, NULL, 0, s.off[0]);
    expect_entry(&r, "etc/motd", 0100644, "hello\n", 6, s.off[1]);
    expect_entry(&r, "etc/empty", 0100644, NULL, 0, s.off[2]);
    expect_entry(&r, "./bin", 040755, NULL, 0, s.off[3]);
    expect_entry(&r, "./bin/init", 0100755,
                 "\x7f"
                 "ELF\0\1\2",
                 7, s.off[4]);
    expect_entry(&r, "a", 0100644, "x", 1, s.off[5]);
    expect_entry(&r, "bb", 0100644, "1234", 4, s.off[6]);
    assert_int_equal(cpio_next(&r, &e), CPIO_END);
    assert_int_equal(r.pos, s.off[7]);
    /* CPIO_END is sticky and leaves *out alone. */
    memset(&e, 0xa5, sizeof(e));
    assert_int_equal(cpio_next(&r, &e), CPIO_END);
    assert_int_equal(cpio_next(&r, &e), CPIO_END);
    assert_int_equal(e.size, (size_t)0xa5a5a5a5a5a5a5a5ull);

    size_t files = 99;
    assert_int_equal(cpio_validate(q, s.b.len, &files), CPIO_END);
    assert_int_equal(files, 5);
    assert_int_equal(cpio_validate(q, s.b.len, NULL), CPIO_END);
    free(q);
}

static void test_walk_gnu_archive(void **state)
{
    (void)state;
    const size_t n = sizeof(gnu_initrd_cpio);
    uint8_t *q = dup_exact(gnu_initrd_cpio, n);
    struct cpio_reader r;
    struct cpio_entry e;

    assert_int_equal(n, 1024);
    cpio_reader_init(&r, q, n);
    expect_entry(&r, "etc", 040755, NULL, 0, 0x0);
    expect_entry(&r, "etc/motd", 0100644, "hello\n", 6, 0x74);
    expect_entry(&r, "etc/empty", 0100644, NULL, 0, 0xf4);
    expect_entry(&r, "etc/sub", 040755, NULL, 0, 0x16c);
    expect_entry(&r, "etc/sub/seven", 0100644, "abcdefg", 7, 0x1e4);
    expect_entry(&r, "init", 0100755, "0123456789ABCDEF", 16, 0x268);
    assert_int_equal(cpio_next(&r, &e), CPIO_END);
    assert_int_equal(r.pos, GNU_TRAILER_OFF);

    size_t files = 0;
    assert_int_equal(cpio_validate(q, n, &files), CPIO_END);
    assert_int_equal(files, 4);
    /* The 512-byte block padding is not needed; the trailer's own padding is optional too. */
    assert_int_equal(cpio_validate(q, GNU_TRAILER_NAME_END, &files), CPIO_END);
    assert_int_equal(files, 4);
    free(q);
}

static void test_lowercase_hex_accepted(void **state)
{
    (void)state;
    struct builder b = {0};
    size_t off = add_file(&b, "f", "0123456789abcdef!"); /* filesize 0x11 */
    add_trailer(&b);
    memcpy(b.buf + off + OFF_MODE, "000081a4", 8);
    memcpy(b.buf + off + OFF_CHECK, "deadbeef", 8);

    struct cpio_entry e;
    uint8_t *q = dup_exact(b.buf, b.len);
    assert_int_equal(cpio_find(q, b.len, "f", &e), CPIO_OK);
    assert_int_equal(e.mode, 0100644);
    assert_int_equal(e.size, 17);
    assert_memory_equal(e.data, "0123456789abcdef!", 17);
    assert_int_equal(cpio_validate(q, b.len, NULL), CPIO_END);
    free(q);
}

/* ---- cpio_find --------------------------------------------------------------------------- */

static void test_find_gnu_archive(void **state)
{
    (void)state;
    const size_t n = sizeof(gnu_initrd_cpio);
    uint8_t *q = dup_exact(gnu_initrd_cpio, n);
    struct cpio_entry e;

    assert_int_equal(cpio_find(q, n, "etc/sub/seven", &e), CPIO_OK);
    assert_string_equal(e.name, "etc/sub/seven");
    assert_int_equal(e.size, 7);
    assert_memory_equal(e.data, "abcdefg", 7);
    assert_int_equal(e.offset, 0x1e4);

    /* "./" on the query side is ignored as well. */
    assert_int_equal(cpio_find(q, n, "./init", &e), CPIO_OK);
    assert_string_equal(e.name, "init");
    assert_int_equal(e.mode, 0100755);
    assert_memory_equal(e.data, "0123456789ABCDEF", 16);

    assert_int_equal(cpio_find(q, n, "etc/sub", &e), CPIO_OK);
    assert_int_equal(e.mode & CPIO_S_IFMT, CPIO_S_IFDIR);
    assert_int_equal(e.size, 0);

    assert_int_equal(cpio_find(q, n, "etc/empty", NULL), CPIO_OK);
    /* Exact match only: no prefixes, no extensions, no trailer, no empty name. */
    assert_int_equal(cpio_find(q, n, "etc/mot", &e), CPIO_END);
    assert_int_equal(cpio_find(q, n, "etc/motd2", &e), CPIO_END);
    assert_int_equal(cpio_find(q, n, "ETC/MOTD", &e), CPIO_END);
    assert_int_equal(cpio_find(q, n, "/etc/motd", &e), CPIO_END);
    assert_int_equal(cpio_find(q, n, "TRAILER!!!", &e), CPIO_END);
    assert_int_equal(cpio_find(q, n, "", &e), CPIO_END);
    assert_int_equal(cpio_find(q, n, "missing", NULL), CPIO_END);
    free(q);
}

static void test_find_dot_slash(void **state)
{
    (void)state;
    struct sample s;
    build_sample(&s);
    uint8_t *q = dup_exact(s.b.buf, s.b.len);
    struct cpio_entry e;

    /* Archive name "./bin/init": found with and without "./" in the query. */
    assert_int_equal(cpio_find(q, s.b.len, "bin/init", &e), CPIO_OK);
    assert_string_equal(e.name, "./bin/init"); /* returned as stored */
    assert_int_equal(e.name_len, 10);
    assert_int_equal(e.offset, s.off[4]);
    assert_int_equal(e.size, 7);
    assert_memory_equal(e.data,
                        "\x7f"
                        "ELF\0\1\2",
                        7);
    memset(&e, 0, sizeof(e));
    assert_int_equal(cpio_find(q, s.b.len, "./bin/init", &e), CPIO_OK);
    assert_int_equal(e.offset, s.off[4]);

    /* Archive name "etc/motd": found with and without "./" in the query. */
    assert_int_equal(cpio_find(q, s.b.len, "etc/motd", &e), CPIO_OK);
    assert_int_equal(e.offset, s.off[1]);
    assert_int_equal(cpio_find(q, s.b.len, "./etc/motd", &e), CPIO_OK);
    assert_int_equal(e.offset, s.off[1]);
    assert_memory_equal(e.data, "hello\n", 6);

    assert_int_equal(cpio_find(q, s.b.len, "bin", &e), CPIO_OK);
    assert_int_equal(e.mode, 040755);
    /* Only one "./" is stripped. */
    assert_int_equal(cpio_find(q, s.b.len, "././bin", &e), CPIO_END);
    assert_int_equal(cpio_find(q, s.b.len, "bin/", &e), CPIO_END);
    free(q);
}

static void test_find_first_match_wins(void **state)
{
    (void)state;
    struct builder b = {0};
    size_t first = add_file(&b, "./dup", "one");
    add_file(&b, "dup", "two");
    add_trailer(&b);
    struct cpio_entry e;
    uint8_t *q = dup_exact(b.buf, b.len);
    assert_int_equal(cpio_find(q, b.len, "dup", &e), CPIO_OK);
    assert_int_equal(e.offset, first);
    assert_memory_equal(e.data, "one", 3);
    free(q);
}

static void test_find_and_errors(void **state)
{
    (void)state;
    struct builder b = {0};
    add_file(&b, "good", "data");
    size_t bad = b.len;
    add_file(&b, "later", "zz");
    add_trailer(&b);
    b.buf[bad] = 'X'; /* break the second header's magic */

    struct cpio_entry e;
    uint8_t *q = dup_exact(b.buf, b.len);
    /* An entry before the damage is still found: find does not read further than needed. */
    assert_int_equal(cpio_find(q, b.len, "good", &e), CPIO_OK);
    assert_memory_equal(e.data, "data", 4);
    assert_int_equal(cpio_find(q, b.len, "later", &e), CPIO_ERR_MAGIC);
    assert_int_equal(cpio_find(q, b.len, "nope", &e), CPIO_ERR_MAGIC);
    size_t files = 0;
    assert_int_equal(cpio_validate(q, b.len, &files), CPIO_ERR_MAGIC);
    assert_int_equal(files, 1);
    free(q);
}

/* ---- errors ----------------------------------------------------------------------------- */

static void test_err_bad_magic(void **state)
{
    (void)state;
    struct builder b = {0};
    size_t pos;
    add_file(&b, "f", "abc");
    add_trailer(&b);

    for (size_t i = 0; i < 6; i++) {
        struct builder c = b;
        c.buf[i] = '9';
        assert_int_equal(walk_exact(c.buf, c.len, &pos), CPIO_ERR_MAGIC);
        assert_int_equal(pos, 0);
    }
    /* The CRC variant "070702" and old ASCII "070707" are different formats. */
    struct builder c = b;
    c.buf[5] = '2';
    assert_int_equal(validate_exact(c.buf, c.len, NULL), CPIO_ERR_MAGIC);
    c.buf[5] = '7';
    assert_int_equal(validate_exact(c.buf, c.len, NULL), CPIO_ERR_MAGIC);

    /* Garbage of header length. */
    uint8_t junk[HDR];
    memset(junk, 0, sizeof(junk));
    assert_int_equal(validate_exact(junk, sizeof(junk), NULL), CPIO_ERR_MAGIC);

    /* A bad second header is reported at its own offset. */
    struct builder d = {0};
    add_file(&d, "f", "abc");
    size_t second = add_file(&d, "g", "");
    add_trailer(&d);
    d.buf[second + 3] = 'x';
    assert_int_equal(walk_exact(d.buf, d.len, &pos), CPIO_ERR_MAGIC);
    assert_int_equal(pos, second);
}

static void test_err_truncated_header(void **state)
{
    (void)state;
    struct builder b = {0};
    size_t pos;
    add_file(&b, "f", "abc");
    size_t trailer = add_trailer(&b);

    /* Fewer than 110 bytes left where the trailer header should be. */
    for (size_t cut = trailer + 1; cut < trailer + HDR; cut++) {
        assert_int_equal(walk_exact(b.buf, cut, &pos), CPIO_ERR_TRUNCATED_HEADER);
        assert_int_equal(pos, trailer);
    }
    /* Stray bytes that are not even a magic still count as a truncated header. */
    struct builder c = {0};
    add_file(&c, "f", "abc");
    put_bytes(&c, "\0\0\0\0", 4);
    assert_int_equal(validate_exact(c.buf, c.len, NULL), CPIO_ERR_TRUNCATED_HEADER);
}

static void test_err_smaller_than_header(void **state)
{
    (void)state;
    struct builder b = {0};
    add_file(&b, "f", "abc");
    add_trailer(&b);
    static const size_t sizes[] = {1, 5, 6, 7, 50, HDR - 1};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t files = 77;
        assert_int_equal(validate_exact(b.buf, sizes[i], &files), CPIO_ERR_TRUNCATED_HEADER);
        assert_int_equal(files, 0);
        assert_int_equal(cpio_find(b.buf, sizes[i], "f", NULL), CPIO_ERR_TRUNCATED_HEADER);
    }
}

static void test_err_empty_input(void **state)
{
    (void)state;
    struct cpio_reader r;
    struct cpio_entry e;
    size_t files = 77;
    uint8_t *q = malloc(1);
    assert_non_null(q);

    assert_int_equal(cpio_validate(q, 0, &files), CPIO_ERR_NO_TRAILER);
    assert_int_equal(files, 0);
    assert_int_equal(cpio_find(q, 0, "x", &e), CPIO_ERR_NO_TRAILER);
    /* A missing initrd (NULL) behaves like an empty one, whatever size is claimed. */
    assert_int_equal(cpio_validate(NULL, 0, NULL), CPIO_ERR_NO_TRAILER);
    assert_int_equal(cpio_validate(NULL, 4096, NULL), CPIO_ERR_NO_TRAILER);

    cpio_reader_init(&r, q, 0);
    assert_int_equal(cpio_next(&r, &e), CPIO_ERR_NO_TRAILER);
    assert_int_equal(r.pos, 0);
    free(q);
}

static void test_err_bad_field(void **state)
{
    (void)state;
    struct builder b = {0};
    size_t pos;
    add_file(&b, "f", "abc");
    size_t second = add_file(&b, "g", "defg");
    add_trailer(&b);

    static const uint8_t bad[] = {'g', 'G', 'x', ' ', '-', '+', '\0', 0xff, '/', ':', '@', '`'};
    /* Every digit of every one of the 13 fields is checked, in both headers. */
    for (size_t h = 0; h < 2; h++) {
        size_t base = h == 0 ? 0 : second;
        for (size_t i = 6; i < HDR; i++) {
            for (size_t v = 0; v < sizeof(bad); v++) {
                struct builder c = b;
                c.buf[base + i] = bad[v];
                size_t files = 77;
                assert_int_equal(validate_exact(c.buf, c.len, &files), CPIO_ERR_BAD_FIELD);
                assert_int_equal(files, h);
                assert_int_equal(walk_exact(c.buf, c.len, &pos), CPIO_ERR_BAD_FIELD);
                assert_int_equal(pos, base);
            }
        }
    }
}

static void test_err_name_overrun(void **state)
{
    (void)state;
    size_t pos;
    /* namesize one past the end of the archive, exactly at the end, and absurdly large. */
    struct builder b = {0};
    put_header(&b, 0100644, 0, 6);
    put_bytes(&b, "abcd", 5); /* "abcd\0": 5 bytes, namesize says 6 */
    assert_int_equal(walk_exact(b.buf, b.len, &pos), CPIO_ERR_NAME_OVERRUN);
    assert_int_equal(pos, 0);

    struct builder c = {0};
    put_header(&c, 0100644, 0, 0xffffffffu);
    put_bytes(&c, "abcd", 5);
    assert_int_equal(validate_exact(c.buf, c.len, NULL), CPIO_ERR_NAME_OVERRUN);

    /* Header alone, nothing after it. */
    struct builder d = {0};
    put_header(&d, 0100644, 0, 1);
    assert_int_equal(validate_exact(d.buf, d.len, NULL), CPIO_ERR_NAME_OVERRUN);

    /* Trailer whose name is cut short. */
    struct builder t = {0};
    add_file(&t, "f", "abc");
    size_t trailer = add_trailer(&t);
    for (size_t cut = trailer + HDR; cut < trailer + HDR + 11; cut++) {
        assert_int_equal(walk_exact(t.buf, cut, &pos), CPIO_ERR_NAME_OVERRUN);
        assert_int_equal(pos, trailer);
    }
}

static void test_err_namesize_zero(void **state)
{
    (void)state;
    struct builder b = {0};
    size_t pos;
    add_file(&b, "f", "abc");
    size_t second = b.len;
    put_header(&b, 0100644, 0, 0);
    put_bytes(&b, "\0\0\0\0", 4);
    add_trailer(&b);
    assert_int_equal(walk_exact(b.buf, b.len, &pos), CPIO_ERR_NAME_UNTERMINATED);
    assert_int_equal(pos, second);
}

static void test_err_name_unterminated(void **state)
{
    (void)state;
    size_t pos;
    /* Last byte covered by namesize is not NUL. */
    struct builder b = {0};
    put_header(&b, 0100644, 0, 4);
    put_bytes(&b, "abcd", 4);
    put_pad4(&b);
    add_trailer(&b);
    assert_int_equal(walk_exact(b.buf, b.len, &pos), CPIO_ERR_NAME_UNTERMINATED);
    assert_int_equal(pos, 0);

    /* NUL before the end of namesize: "ab\0d\0" with namesize 5. */
    struct builder c = {0};
    put_header(&c, 0100644, 0, 5);
    put_bytes(&c, "ab\0d", 5);
    put_pad4(&c);
    add_trailer(&c);
    assert_int_equal(validate_exact(c.buf, c.len, NULL), CPIO_ERR_NAME_UNTERMINATED);

    /* A name that is only the NUL (namesize 1) is fine: an empty name. */
    struct builder d = {0};
    put_header(&d, 0100644, 0, 1);
    put_bytes(&d, "", 1);
    put_pad4(&d);
    add_trailer(&d);
    assert_int_equal(validate_exact(d.buf, d.len, NULL), CPIO_END);

    /* "TRAILER!!!" without its NUL is not a trailer but an unterminated name. */
    struct builder t = {0};
    put_header(&t, 0, 0, 10);
    put_bytes(&t, "TRAILER!!!", 10);
    put_pad4(&t);
    assert_int_equal(validate_exact(t.buf, t.len, NULL), CPIO_ERR_NAME_UNTERMINATED);
}

static void test_err_data_overrun(void **state)
{
    (void)state;
    size_t pos;
    struct builder b = {0};
    add_file(&b, "f", "abc");
    size_t second = add_file(&b, "data", "0123456789");
    size_t trailer = add_trailer(&b);
    size_t data_off = second + HDR + 5 + 1; /* "data\0" ends at +115, padded to +116 */

    /* Archive cut inside the data. */
    for (size_t cut = data_off; cut < data_off + 10; cut++) {
        assert_int_equal(walk_exact(b.buf, cut, &pos), CPIO_ERR_DATA_OVERRUN);
        assert_int_equal(pos, second);
    }
    /* Cut inside the data padding (10 bytes of data need 2 bytes of padding). */
    assert_int_equal(trailer, data_off + 12);
    assert_int_equal(walk_exact(b.buf, data_off + 11, &pos), CPIO_ERR_DATA_OVERRUN);
    assert_int_equal(pos, second);

    /* filesize far too large, including the maximum. */
    static const uint32_t sizes[] = {11, 13, 0x1000, 0x7fffffffu, 0xffffffffu};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        struct builder c = {0};
        put_header(&c, 0100644, sizes[i], 2);
        put_bytes(&c, "x", 2);
        put_pad4(&c);
        put_bytes(&c, "0123456789", 10); /* no trailer: the data would swallow it anyway */
        assert_int_equal(validate_exact(c.buf, c.len, NULL), CPIO_ERR_DATA_OVERRUN);
    }

    /* Name padding cut short when there is data to follow. */
    struct builder d = {0};
    put_header(&d, 0100644, 4, 3);
    put_bytes(&d, "ab", 3); /* header+name = 113, needs 3 bytes of padding */
    put_bytes(&d, "\0", 1);
    assert_int_equal(validate_exact(d.buf, d.len, NULL), CPIO_ERR_DATA_OVERRUN);
}

static void test_trailer_name_exact(void **state)
{
    (void)state;
    /* Near-miss names are ordinary entries; only the exact "TRAILER!!!" ends the archive. */
    static const char *const near[] = {"TRAILER!!", "TRAILER!!!x", "trailer!!!", "./TRAILER!!!"};
    for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
        struct builder b = {0};
        add_file(&b, near[i], "abc");
        size_t files = 0;
        assert_int_equal(validate_exact(b.buf, b.len, &files), CPIO_ERR_NO_TRAILER);
        assert_int_equal(files, 1);
        add_trailer(&b);
        assert_int_equal(validate_exact(b.buf, b.len, &files), CPIO_END);
        assert_int_equal(files, 1);
    }
}

static void test_validate_counts_only_regular(void **state)
{
    (void)state;
    struct builder b = {0};
    add_dir(&b, "d");
    add_entry(&b, "link", 0120777, "d", 1);  /* symlink: shares the 0100000 bit */
    add_entry(&b, "sock", 0140755, NULL, 0); /* socket: shares the 0100000 bit */
    add_entry(&b, "tty", 020620, NULL, 0);   /* character device */
    add_entry(&b, "fifo", 010644, NULL, 0);
    add_entry(&b, "blk", 060660, NULL, 0);
    add_file(&b, "r1", "1");
    add_entry(&b, "r2", 0100000, NULL, 0); /* regular file with no permission bits */
    add_trailer(&b);
    size_t files = 0;
    assert_int_equal(validate_exact(b.buf, b.len, &files), CPIO_END);
    assert_int_equal(files, 2);

    struct cpio_entry e;
    assert_int_equal(cpio_find(b.buf, b.len, "link", &e), CPIO_OK);
    assert_int_equal(e.mode, 0120777);
    assert_int_equal(e.size, 1);
    assert_memory_equal(e.data, "d", 1);
}

static void test_err_no_trailer(void **state)
{
    (void)state;
    struct sample s;
    size_t pos;
    size_t files = 0;
    build_sample(&s);

    /* Cut exactly at each entry boundary: everything before is fine, the trailer is missing. */
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(walk_exact(s.b.buf, s.off[i], &pos), CPIO_ERR_NO_TRAILER);
        assert_int_equal(pos, s.off[i]);
    }
    assert_int_equal(validate_exact(s.b.buf, s.off[7], &files), CPIO_ERR_NO_TRAILER);
    assert_int_equal(files, 5);
    assert_int_equal(cpio_find(s.b.buf, s.off[7], "missing", NULL), CPIO_ERR_NO_TRAILER);

    /* The GNU archive cut right before its trailer. */
    assert_int_equal(validate_exact(gnu_initrd_cpio, GNU_TRAILER_OFF, &files), CPIO_ERR_NO_TRAILER);
    assert_int_equal(files, 4);
}

static void test_missing_padding_at_end(void **state)
{
    (void)state;
    struct cpio_reader r;
    struct cpio_entry e;

    /* Data ends exactly at the end of the archive without padding: entry returned, then the
     * missing trailer is reported. */
    struct builder b = {0};
    put_header(&b, 0100644, 5, 2);
    put_bytes(&b, "f", 2);
    put_pad4(&b);
    put_bytes(&b, "hello", 5);
    uint8_t *q = dup_exact(b.buf, b.len);
    cpio_reader_init(&r, q, b.len);
    assert_int_equal(cpio_next(&r, &e), CPIO_OK);
    assert_memory_equal(e.data, "hello", 5);
    assert_int_equal(r.pos, b.len);
    assert_int_equal(cpio_next(&r, &e), CPIO_ERR_NO_TRAILER);
    assert_int_equal(r.pos, b.len);
    free(q);

    /* Same for an empty file whose name ends the archive. */
    struct builder c = {0};
    put_header(&c, 0100644, 0, 3);
    put_bytes(&c, "fo", 3); /* header+name = 113 bytes: 3 bytes of name padding missing */
    q = dup_exact(c.buf, c.len);
    cpio_reader_init(&r, q, c.len);
    assert_int_equal(cpio_next(&r, &e), CPIO_OK);
    assert_int_equal(e.size, 0);
    assert_ptr_equal(e.data, q + c.len);
    assert_int_equal(cpio_next(&r, &e), CPIO_ERR_NO_TRAILER);
    free(q);

    /* But padding that is only partly there is a truncation, not a clean end. */
    for (size_t extra = 1; extra < 3; extra++) {
        assert_int_equal(validate_exact(c.buf, c.len + extra, NULL), CPIO_ERR_DATA_OVERRUN);
    }
    struct builder p = b;
    put_bytes(&p, "\0", 1);
    assert_int_equal(validate_exact(p.buf, p.len, NULL), CPIO_ERR_DATA_OVERRUN);

    /* A trailer without any padding after its name ends the archive cleanly. */
    struct builder t = {0};
    add_file(&t, "f", "abc");
    size_t trailer = t.len;
    put_header(&t, 0, 0, 11);
    put_bytes(&t, "TRAILER!!!", 11);
    assert_int_equal(validate_exact(t.buf, t.len, NULL), CPIO_END);
    assert_int_equal(t.len, trailer + HDR + 11);
}

static void test_errors_are_sticky(void **state)
{
    (void)state;
    struct builder b = {0};
    add_file(&b, "f", "abc");
    size_t second = b.len;
    put_header(&b, 0100644, 0, 0);
    put_bytes(&b, "\0\0\0\0", 4);
    add_trailer(&b);

    struct cpio_reader r;
    struct cpio_entry e;
    uint8_t *q = dup_exact(b.buf, b.len);
    cpio_reader_init(&r, q, b.len);
    assert_int_equal(cpio_next(&r, &e), CPIO_OK);
    assert_string_equal(e.name, "f");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cpio_next(&r, &e), CPIO_ERR_NAME_UNTERMINATED);
        assert_int_equal(r.pos, second);
    }
    assert_string_equal(e.name, "f"); /* untouched by the failing calls */

    /* A reader whose pos was scribbled over by the caller must not read out of bounds. */
    cpio_reader_init(&r, q, b.len);
    r.pos = (size_t)-1;
    assert_int_equal(cpio_next(&r, &e), CPIO_ERR_NO_TRAILER);
    free(q);
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(cpio_strerror(CPIO_ERR_MAGIC), "bad magic");
    static const int codes[] = {
        CPIO_OK,
        CPIO_END,
        CPIO_ERR_MAGIC,
        CPIO_ERR_TRUNCATED_HEADER,
        CPIO_ERR_BAD_FIELD,
        CPIO_ERR_NAME_OVERRUN,
        CPIO_ERR_NAME_UNTERMINATED,
        CPIO_ERR_DATA_OVERRUN,
        CPIO_ERR_NO_TRAILER,
    };
    const size_t n = sizeof(codes) / sizeof(codes[0]);
    /* Each known code has its own non-empty text, distinct from the fallback. */
    for (size_t i = 0; i < n; i++) {
        const char *s = cpio_strerror(codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        assert_string_not_equal(s, cpio_strerror(-1000));
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(s, cpio_strerror(codes[j]));
        }
    }
    assert_non_null(cpio_strerror(-8));
    assert_string_equal(cpio_strerror(-8), cpio_strerror(42));
}

/* ---- fuzz-style robustness -------------------------------------------------------------- */

static bool is_status(int st)
{
    return st == CPIO_END || (st <= CPIO_ERR_MAGIC && st >= CPIO_ERR_NO_TRAILER);
}

/*
 * Walks an exact-size copy with a hard bound on iterations and checks that every entry handed
 * out lies inside the buffer and is self-consistent. Returns the final status and checks that
 * cpio_validate and cpio_find agree with it.
 */
static int check_archive(const uint8_t *src, size_t n, const char *const *names, size_t nnames)
{
    uint8_t *q = dup_exact(src, n);
    struct cpio_reader r;
    struct cpio_entry e;
    int st;
    size_t steps = 0;
    size_t last = 0;

    cpio_reader_init(&r, q, n);
    while ((st = cpio_next(&r, &e)) == CPIO_OK) {
        /* Each entry consumes at least a header and a 1-byte name, rounded up. */
        assert_true(++steps <= n / (HDR + 2) + 1);
        const uint8_t *name = (const uint8_t *)e.name;
        const uint8_t *data = e.data;
        assert_true(e.offset % 4 == 0 && e.offset < n);
        assert_true(steps == 1 || e.offset >= last + HDR + 2);
        last = e.offset;
        assert_ptr_equal(name, q + e.offset + HDR);
        assert_true(e.name_len < n - (e.offset + HDR));
        assert_int_equal(name[e.name_len], '\0');
        assert_int_equal(strlen(e.name), e.name_len);
        assert_true(data >= name + e.name_len + 1 && data <= q + n);
        assert_true(e.size <= (size_t)(q + n - data));
        assert_true(r.pos > e.offset && r.pos <= n);
        assert_true(r.pos == n || r.pos % 4 == 0);
        /* Touch every data byte so ASan checks the range. */
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < e.size; i++) {
            sink ^= data[i];
        }
        (void)sink;
    }
    assert_true(is_status(st));
    assert_int_equal(cpio_next(&r, &e), st);

    size_t files = 0;
    assert_int_equal(cpio_validate(q, n, &files), st);
    assert_true(files <= steps);

    for (size_t i = 0; i < nnames; i++) {
        int f = cpio_find(q, n, names[i], &e);
        if (f == CPIO_OK) {
            size_t len = e.name_len;
            const char *nm = e.name;
            if (len >= 2 && nm[0] == '.' && nm[1] == '/') {
                nm += 2;
            }
            assert_string_equal(nm, names[i]);
            assert_true((const uint8_t *)e.data + e.size <= q + n);
        } else {
            /* Not found or failed: that must be exactly where the full walk ended. */
            assert_int_equal(f, st);
        }
    }
    free(q);
    return st;
}

static void fuzz_archive(const uint8_t *arch, size_t n, size_t trailer_off,
                         const char *const *names, size_t nnames)
{
    const size_t trailer_name_end = trailer_off + HDR + 11;

    /* Every header offset, from a clean walk. */
    size_t hdrs[64];
    size_t nhdrs = 0;
    {
        struct cpio_reader r;
        struct cpio_entry e;
        cpio_reader_init(&r, arch, n);
        while (cpio_next(&r, &e) == CPIO_OK) {
            assert_true(nhdrs < 63);
            hdrs[nhdrs++] = e.offset;
        }
        assert_int_equal(r.pos, trailer_off);
        hdrs[nhdrs++] = trailer_off;
    }

    /* Every prefix. */
    for (size_t len = 0; len <= n; len++) {
        int st = check_archive(arch, len, names, nnames);
        if (len >= trailer_name_end) {
            assert_int_equal(st, CPIO_END);
            continue;
        }
        assert_true(st < 0);
        for (size_t h = 0; h < nhdrs; h++) {
            if (len == hdrs[h]) {
                assert_int_equal(st, CPIO_ERR_NO_TRAILER);
            } else if (len > hdrs[h] && len < hdrs[h] + HDR) {
                assert_int_equal(st, CPIO_ERR_TRUNCATED_HEADER);
            }
        }
    }

    /* Single-byte corruptions everywhere. */
    static const uint8_t values[] = {0x00, 0xff, '0', '1', '7', '8', 'F', 'f', 'g', 'z', 0x80};
    uint8_t *c = malloc(n);
    assert_non_null(c);
    for (size_t p = 0; p < n; p++) {
        for (size_t v = 0; v <= sizeof(values); v++) {
            uint8_t val = v < sizeof(values) ? values[v] : (uint8_t)(arch[p] ^ 0x01);
            if (val == arch[p]) {
                continue;
            }
            memcpy(c, arch, n);
            c[p] = val;
            int st = check_archive(c, n, names, nnames);

            if (p >= trailer_name_end) {
                /* Bytes after the trailer's name are never looked at. */
                assert_int_equal(st, CPIO_END);
                continue;
            }
            bool hex = (val >= '0' && val <= '9') || (val >= 'a' && val <= 'f') ||
                       (val >= 'A' && val <= 'F');
            for (size_t h = 0; h < nhdrs; h++) {
                if (p >= hdrs[h] && p < hdrs[h] + 6) {
                    assert_int_equal(st, CPIO_ERR_MAGIC);
                } else if (p >= hdrs[h] + 6 && p < hdrs[h] + HDR && !hex) {
                    assert_int_equal(st, CPIO_ERR_BAD_FIELD);
                }
            }
        }
    }
    free(c);
}

static void test_fuzz_gnu_archive(void **state)
{
    (void)state;
    static const char *const names[] = {"etc",           "etc/motd", "etc/empty",
                                        "etc/sub/seven", "init",     "nope"};
    fuzz_archive(gnu_initrd_cpio, sizeof(gnu_initrd_cpio), GNU_TRAILER_OFF, names,
                 sizeof(names) / sizeof(names[0]));
}

static void test_fuzz_built_archive(void **state)
{
    (void)state;
    static const char *const names[] = {"etc/motd", "bin/init", "a", "bb", "etc/empty", "zzz"};
    struct sample s;
    build_sample(&s);
    fuzz_archive(s.b.buf, s.b.len, s.off[7], names, sizeof(names) / sizeof(names[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_built_archive),
        cmocka_unit_test(test_walk_gnu_archive),
        cmocka_unit_test(test_lowercase_hex_accepted),
        cmocka_unit_test(test_find_gnu_archive),
        cmocka_unit_test(test_find_dot_slash),
        cmocka_unit_test(test_find_first_match_wins),
        cmocka_unit_test(test_find_and_errors),
        cmocka_unit_test(test_err_bad_magic),
        cmocka_unit_test(test_err_truncated_header),
        cmocka_unit_test(test_err_smaller_than_header),
        cmocka_unit_test(test_err_empty_input),
        cmocka_unit_test(test_err_bad_field),
        cmocka_unit_test(test_err_name_overrun),
        cmocka_unit_test(test_err_namesize_zero),
        cmocka_unit_test(test_err_name_unterminated),
        cmocka_unit_test(test_err_data_overrun),
        cmocka_unit_test(test_trailer_name_exact),
        cmocka_unit_test(test_validate_counts_only_regular),
        cmocka_unit_test(test_err_no_trailer),
        cmocka_unit_test(test_missing_padding_at_end),
        cmocka_unit_test(test_errors_are_sticky),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_fuzz_gnu_archive),
        cmocka_unit_test(test_fuzz_built_archive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
