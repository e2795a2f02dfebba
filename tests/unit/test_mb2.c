/*
 * Host unit tests for the Multiboot2 MBI parser (lib/mb2).
 *
 * Blobs are built by hand with a tiny builder so each test states exactly which bytes the parser
 * sees. The fuzz tests copy blobs into malloc'd buffers of exactly the advertised size so that
 * AddressSanitizer flags any read past the limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mb2/mb2.h"

/* ---- blob builder ---- */

#define BLOB_CAP 4096

struct blob {
    _Alignas(8) uint8_t buf[BLOB_CAP];
    size_t len;     /* bytes written so far (always 8-aligned between tags) */
    size_t tag_off; /* offset of the tag being built */
};

static void put_u8(struct blob *b, uint8_t v)
{
    assert_true(b->len < BLOB_CAP);
    b->buf[b->len++] = v;
}

static void put_u16(struct blob *b, uint16_t v)
{
    put_u8(b, (uint8_t)v);
    put_u8(b, (uint8_t)(v >> 8));
}

static void put_u32(struct blob *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put_u8(b, (uint8_t)(v >> (8 * i)));
}

static void put_u64(struct blob *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_bytes(struct blob *b, const void *p, size_t n)
{
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++)
        put_u8(b, s[i]);
}

static void put_str(struct blob *b, const char *s)
{
    put_bytes(b, s, strlen(s) + 1);
}

static void poke_u32(struct blob *b, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->buf[off + i] = (uint8_t)(v >> (8 * i));
}

/* Starts an MBI: total_size is patched by blob_finish(). */
static void blob_init(struct blob *b)
{
    memset(b, 0, sizeof(*b));
    put_u32(b, 0);
    put_u32(b, 0);
}

static void tag_begin(struct blob *b, uint32_t type)
{
    b->tag_off = b->len;
    put_u32(b, type);
    put_u32(b, 0);
}

/* Patches the tag's size with what was written, then pads to 8. */
static void tag_end(struct blob *b)
{
    poke_u32(b, b->tag_off + 4, (uint32_t)(b->len - b->tag_off));
    while (b->len % 8 != 0)
        put_u8(b, 0);
}

/* Emits a tag with an explicit (possibly lying) size field and raw payload. */
static size_t tag_raw(struct blob *b, uint32_t type, uint32_t size, const void *payload, size_t n)
{
    size_t off = b->len;
    put_u32(b, type);
    put_u32(b, size);
    put_bytes(b, payload, n);
    while (b->len % 8 != 0)
        put_u8(b, 0);
    return off;
}

static void tag_string(struct blob *b, uint32_t type, const char *s)
{
    tag_begin(b, type);
    put_str(b, s);
    tag_end(b);
}

static void tag_module(struct blob *b, uint32_t start, uint32_t end, const char *s)
{
    tag_begin(b, 3);
    put_u32(b, start);
    put_u32(b, end);
    put_str(b, s);
    tag_end(b);
}

static void tag_meminfo(struct blob *b, uint32_t lower, uint32_t upper)
{
    tag_begin(b, 4);
    put_u32(b, lower);
    put_u32(b, upper);
    tag_end(b);
}

struct test_mmap {
    uint64_t base, length;
    uint32_t type;
};

static void tag_mmap(struct blob *b, uint32_t entry_size, const struct test_mmap *e, size_t n)
{
    tag_begin(b, 6);
    put_u32(b, entry_size);
    put_u32(b, 0); /* entry_version */
    for (size_t i = 0; i < n; i++) {
        size_t start = b->len;
        put_u64(b, e[i].base);
        put_u64(b, e[i].length);
        put_u32(b, e[i].type);
        while (b->len - start < entry_size)
            put_u8(b, 0);
    }
    tag_end(b);
}

static void tag_fb_rgb(struct blob *b)
{
    tag_begin(b, 8);
    put_u64(b, 0xfd000000u);
    put_u32(b, 4096); /* pitch */
    put_u32(b, 1024); /* width */
    put_u32(b, 768);  /* height */
    put_u8(b, 32);    /* bpp */
    put_u8(b, 1);     /* RGB */
    put_u16(b, 0);    /* reserved (u16 as GRUB emits it) */
    const uint8_t colors[6] = {16, 8, 8, 8, 0, 8};
    put_bytes(b, colors, sizeof(colors));
    tag_end(b);
}

static void tag_rsdp(struct blob *b, uint32_t type, uint8_t fill, size_t n)
{
    tag_begin(b, type);
    for (size_t i = 0; i < n; i++)
        put_u8(b, fill);
    tag_end(b);
}

static void tag_u64(struct blob *b, uint32_t type, uint64_t v)
{
    tag_begin(b, type);
    put_u64(b, v);
    tag_end(b);
}

static void tag_u32(struct blob *b, uint32_t type, uint32_t v)
{
    tag_begin(b, type);
    put_u32(b, v);
    tag_end(b);
}

static void tag_empty(struct blob *b, uint32_t type)
{
    tag_begin(b, type);
    tag_end(b);
}

/* Appends the end tag and patches total_size. */
static void blob_finish(struct blob *b)
{
    put_u32(b, 0);
    put_u32(b, 8);
    poke_u32(b, 0, (uint32_t)b->len);
}

static int parse_blob(struct blob *b, struct mb2_info *info)
{
    return mb2_parse(b->buf, b->len, info);
}

static const struct test_mmap good_mmap[] = {
    {0x0, 0x9fc00, MB2_MEM_AVAILABLE},
    {0x9fc00, 0x400, MB2_MEM_RESERVED},
    {0x100000, 0x7ee0000, MB2_MEM_AVAILABLE},
    {0x7fe0000, 0x20000, MB2_MEM_ACPI_RECLAIMABLE},
    {0xfffc0000, 0x40000, 99},
};

/* A GRUB-like MBI with every tag the parser knows, old RSDP before new. */
static void build_good(struct blob *b)
{
    blob_init(b);
    tag_string(b, 1, "console=serial verbose");
    tag_string(b, 2, "GRUB 2.12");
    tag_module(b, 0x200000, 0x201000, "init");
    tag_module(b, 0x202000, 0x202000, "");
    tag_meminfo(b, 639, 129920);
    tag_empty(b, 1005);                   /* unknown */
    tag_u64(b, 5, 0x80ffffffffffffffull); /* bootdev: real, but not decoded, so "unknown" */
    tag_mmap(b, 24, good_mmap, sizeof(good_mmap) / sizeof(good_mmap[0]));
    tag_fb_rgb(b);
    tag_rsdp(b, 14, 0x11, 20);
    tag_rsdp(b, 15, 0x22, 36);
    tag_u64(b, 12, 0x7f9e018ull);
    tag_empty(b, 18);
    tag_u32(b, 21, 0x1000000);
    blob_finish(b);
}

/* ---- good input ---- */

static void test_good_full(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    build_good(&b);

    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_int_equal(info.total_size, b.len);
    assert_string_equal(info.cmdline, "console=serial verbose");
    assert_string_equal(info.bootloader_name, "GRUB 2.12");
    assert_true((const uint8_t *)info.cmdline > b.buf &&
                (const uint8_t *)info.cmdline < b.buf + b.len);

    assert_true(info.has_meminfo);
    assert_int_equal(info.mem_lower_kb, 639);
    assert_int_equal(info.mem_upper_kb, 129920);

    assert_int_equal(info.module_count, 2);
    assert_int_equal(info.modules_dropped, 0);
    assert_int_equal(info.modules[0].start, 0x200000);
    assert_int_equal(info.modules[0].end, 0x201000);
    assert_string_equal(info.modules[0].cmdline, "init");
    assert_int_equal(info.modules[1].start, 0x202000);
    assert_int_equal(info.modules[1].end, 0x202000);
    assert_string_equal(info.modules[1].cmdline, "");

    assert_int_equal(info.mmap_entry_size, 24);
    assert_int_equal(info.mmap_count, 5);
    for (size_t i = 0; i < 5; i++) {
        struct mb2_mmap_entry e;
        assert_true(mb2_mmap_get(&info, i, &e));
        assert_int_equal(e.base, good_mmap[i].base);
        assert_int_equal(e.length, good_mmap[i].length);
        assert_int_equal(e.type, good_mmap[i].type);
    }
    struct mb2_mmap_entry e = {1, 2, 3};
    assert_false(mb2_mmap_get(&info, 5, &e));
    assert_false(mb2_mmap_get(&info, SIZE_MAX, &e));
    assert_int_equal(e.base, 1); /* untouched on failure */

    assert_true(info.has_framebuffer);
    assert_int_equal(info.framebuffer.addr, 0xfd000000u);
    assert_int_equal(info.framebuffer.pitch, 4096);
    assert_int_equal(info.framebuffer.width, 1024);
    assert_int_equal(info.framebuffer.height, 768);
    assert_int_equal(info.framebuffer.bpp, 32);
    assert_int_equal(info.framebuffer.type, 1);
    assert_int_equal(info.framebuffer.red_pos, 16);
    assert_int_equal(info.framebuffer.red_size, 8);
    assert_int_equal(info.framebuffer.green_pos, 8);
    assert_int_equal(info.framebuffer.green_size, 8);
    assert_int_equal(info.framebuffer.blue_pos, 0);
    assert_int_equal(info.framebuffer.blue_size, 8);

    /* New RSDP preferred even though the old one came first. */
    assert_int_equal(info.rsdp_version, 2);
    assert_int_equal(info.rsdp_size, 36);
    assert_non_null(info.rsdp);
    assert_int_equal(((const uint8_t *)info.rsdp)[0], 0x22);
    assert_int_equal(((const uint8_t *)info.rsdp)[35], 0x22);

    assert_true(info.has_efi64);
    assert_int_equal(info.efi64_system_table, 0x7f9e018ull);
    assert_true(info.efi_boot_services_not_exited);
    assert_true(info.has_load_base);
    assert_int_equal(info.load_base_addr, 0x1000000);
    assert_int_equal(info.unknown_tags, 2);
    assert_int_equal(info.error_offset, 0);
}

static void test_minimal(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    blob_finish(&b);

    assert_int_equal(b.len, 16);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_int_equal(info.total_size, 16);
    assert_null(info.cmdline);
    assert_null(info.bootloader_name);
    assert_false(info.has_meminfo);
    assert_null(info.mmap_entries);
    assert_int_equal(info.mmap_count, 0);
    assert_int_equal(info.module_count, 0);
    assert_false(info.has_framebuffer);
    assert_null(info.rsdp);
    assert_int_equal(info.rsdp_size, 0);
    assert_int_equal(info.rsdp_version, 0);
    assert_false(info.has_efi64);
    assert_false(info.efi_boot_services_not_exited);
    assert_false(info.has_load_base);
    assert_int_equal(info.unknown_tags, 0);

    struct mb2_mmap_entry e;
    assert_false(mb2_mmap_get(&info, 0, &e));
    assert_false(mb2_mmap_get(NULL, 0, &e));
}

static void test_stale_output_is_cleared(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    memset(&info, 0xa5, sizeof(info));
    blob_init(&b);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_null(info.cmdline);
    assert_int_equal(info.module_count, 0);
    assert_int_equal(info.modules[MB2_MAX_MODULES - 1].start, 0);
    assert_int_equal(info.error_offset, 0);
}

static void test_rsdp_order_and_old_only(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;

    /* New before old: still version 2. */
    blob_init(&b);
    tag_rsdp(&b, 15, 0x22, 40); /* larger than 36 is accepted */
    tag_rsdp(&b, 14, 0x11, 20);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_int_equal(info.rsdp_version, 2);
    assert_int_equal(info.rsdp_size, 40);
    assert_ptr_equal(info.rsdp, b.buf + 16);

    /* Old only: version 1, pointing just after the tag header. */
    blob_init(&b);
    tag_rsdp(&b, 14, 0x11, 20);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_int_equal(info.rsdp_version, 1);
    assert_int_equal(info.rsdp_size, 20);
    assert_ptr_equal(info.rsdp, b.buf + 16);
    assert_int_equal(((const uint8_t *)info.rsdp)[19], 0x11);
}

/* Duplicated singleton tags: the first occurrence wins, later ones are still validated. */
static void test_duplicate_tags_first_wins(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    tag_string(&b, 1, "first");
    tag_meminfo(&b, 1, 2);
    tag_rsdp(&b, 15, 0x22, 36);
    tag_string(&b, 1, "second");
    tag_meminfo(&b, 3, 4);
    tag_rsdp(&b, 15, 0x33, 36);
    tag_rsdp(&b, 14, 0x11, 20);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_string_equal(info.cmdline, "first");
    assert_int_equal(info.mem_lower_kb, 1);
    assert_int_equal(info.mem_upper_kb, 2);
    assert_int_equal(info.rsdp_version, 2);
    assert_int_equal(((const uint8_t *)info.rsdp)[0], 0x22);

    blob_init(&b);
    tag_string(&b, 1, "first");
    size_t off = tag_raw(&b, 1, 10, "xy", 2);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);
    assert_int_equal(info.error_offset, off);
}

static void test_fb_ega_text(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    tag_begin(&b, 8);
    put_u64(&b, 0xb8000);
    put_u32(&b, 160);
    put_u32(&b, 80);
    put_u32(&b, 25);
    put_u8(&b, 16);
    put_u8(&b, 2);
    put_u16(&b, 0);
    tag_end(&b); /* 32 bytes, no colour info needed for EGA text */
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_true(info.has_framebuffer);
    assert_int_equal(info.framebuffer.addr, 0xb8000);
    assert_int_equal(info.framebuffer.width, 80);
    assert_int_equal(info.framebuffer.height, 25);
    assert_int_equal(info.framebuffer.type, 2);
    assert_int_equal(info.framebuffer.red_size, 0);
}

static void test_mmap_large_entries(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    tag_mmap(&b, 40, good_mmap, 3);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_int_equal(info.mmap_entry_size, 40);
    assert_int_equal(info.mmap_count, 3);
    struct mb2_mmap_entry e;
    assert_true(mb2_mmap_get(&info, 2, &e));
    assert_int_equal(e.base, 0x100000);
    assert_int_equal(e.length, 0x7ee0000);
    assert_int_equal(e.type, MB2_MEM_AVAILABLE);
}

static void test_mmap_get_unaligned(void **state)
{
    (void)state;
    _Alignas(8) uint8_t raw[1 + 2 * 24];
    struct blob tmp;
    blob_init(&tmp);
    tmp.len = 0;
    put_u64(&tmp, 0x1122334455667788ull);
    put_u64(&tmp, 0x99aabbccddeeff00ull);
    put_u32(&tmp, MB2_MEM_NVS);
    put_u32(&tmp, 0);
    put_u64(&tmp, 0x1000);
    put_u64(&tmp, 0x2000);
    put_u32(&tmp, MB2_MEM_BAD);
    put_u32(&tmp, 0);
    memcpy(raw + 1, tmp.buf, 48);

    struct mb2_info info;
    memset(&info, 0, sizeof(info));
    info.mmap_entries = raw + 1;
    info.mmap_entry_size = 24;
    info.mmap_count = 2;
    struct mb2_mmap_entry e;
    assert_true(mb2_mmap_get(&info, 0, &e));
    assert_int_equal(e.base, 0x1122334455667788ull);
    assert_int_equal(e.length, 0x99aabbccddeeff00ull);
    assert_int_equal(e.type, MB2_MEM_NVS);
    assert_true(mb2_mmap_get(&info, 1, &e));
    assert_int_equal(e.base, 0x1000);
    assert_int_equal(e.type, MB2_MEM_BAD);
    assert_false(mb2_mmap_get(&info, 2, &e));
    assert_false(mb2_mmap_get(&info, 0, NULL));
}

/* ---- malformed headers ---- */

static void test_unaligned_pointer(void **state)
{
    (void)state;
    static struct blob b;
    static _Alignas(8) uint8_t shifted[64];
    struct mb2_info info;
    blob_init(&b);
    blob_finish(&b);
    for (size_t shift = 1; shift < 8; shift++) {
        memcpy(shifted + shift, b.buf, b.len);
        info.error_offset = 123;
        assert_int_equal(mb2_parse(shifted + shift, b.len, &info), MB2_ERR_ALIGN);
        assert_int_equal(info.error_offset, 0);
    }
}

static void test_limit_below_header(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    blob_finish(&b);
    for (size_t limit = 0; limit < 8; limit++)
        assert_int_equal(mb2_parse(b.buf, limit, &info), MB2_ERR_TOTAL_SIZE);
    assert_int_equal(mb2_parse(NULL, 0, &info), MB2_ERR_TOTAL_SIZE);
    assert_int_equal(mb2_parse(NULL, 4096, &info), MB2_ERR_TOTAL_SIZE);
}

static void test_total_size_bad(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    blob_finish(&b);

    const uint32_t too_small[] = {0, 8, 15};
    for (size_t i = 0; i < 3; i++) {
        poke_u32(&b, 0, too_small[i]);
        assert_int_equal(mb2_parse(b.buf, b.len, &info), MB2_ERR_TOTAL_SIZE);
    }
    /* Not a multiple of 8 (even though readable). */
    poke_u32(&b, 0, 20);
    assert_int_equal(mb2_parse(b.buf, sizeof(b.buf), &info), MB2_ERR_TOTAL_SIZE);
    poke_u32(&b, 0, 17);
    assert_int_equal(mb2_parse(b.buf, sizeof(b.buf), &info), MB2_ERR_TOTAL_SIZE);
    /* Past limit. */
    poke_u32(&b, 0, 24);
    assert_int_equal(mb2_parse(b.buf, 16, &info), MB2_ERR_TOTAL_SIZE);
    poke_u32(&b, 0, UINT32_MAX - 7);
    assert_int_equal(mb2_parse(b.buf, 16, &info), MB2_ERR_TOTAL_SIZE);
    /* Valid again. */
    poke_u32(&b, 0, 16);
    assert_int_equal(mb2_parse(b.buf, 16, &info), MB2_OK);
}

/* ---- malformed tags ---- */

static void test_tag_size_zero_and_small(void **state)
{
    (void)state;
    const uint32_t sizes[] = {0, 1, 4, 7};
    for (size_t i = 0; i < 4; i++) {
        static struct blob b;
        struct mb2_info info;
        blob_init(&b);
        tag_string(&b, 1, "ok");
        size_t off = tag_raw(&b, 1005, sizes[i], "xxxxxxxx", 8);
        blob_finish(&b);
        assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_SIZE);
        assert_int_equal(info.error_offset, off);
        assert_null(info.cmdline); /* partial results are not exposed */
    }
}

static void test_tag_size_overrun(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    size_t off = tag_raw(&b, 1005, 0, "abcdefgh", 8);
    blob_finish(&b);
    /* Tag at 8 has 24 bytes until total_size (32): 25 overruns even with the end tag inside. */
    assert_int_equal(b.len, 32);
    poke_u32(&b, off + 4, 25);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_SIZE);
    assert_int_equal(info.error_offset, 8);
    poke_u32(&b, off + 4, UINT32_MAX);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_SIZE);
    assert_int_equal(info.error_offset, 8);
    /* Exactly reaching total_size swallows the end tag: no end. */
    poke_u32(&b, off + 4, 24);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_NO_END);
    assert_int_equal(info.error_offset, 32);
    /* 16 is fine: the end tag follows. */
    poke_u32(&b, off + 4, 16);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_int_equal(info.unknown_tags, 1);
}

static void test_missing_end(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    tag_string(&b, 1, "root=/dev/x");
    tag_empty(&b, 1005);
    poke_u32(&b, 0, (uint32_t)b.len);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_NO_END);
    assert_int_equal(info.error_offset, b.len);
    assert_null(info.cmdline);
}

static void test_end_tag_wrong_size(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    size_t off = tag_raw(&b, 0, 16, "\0\0\0\0\0\0\0\0", 8);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_SIZE);
    assert_int_equal(info.error_offset, off);
}

static void test_end_tag_stops_parsing(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    tag_string(&b, 2, "loader");
    put_u32(&b, 0);
    put_u32(&b, 8);
    tag_raw(&b, 1005, 3, NULL, 0); /* garbage after the end tag is ignored */
    poke_u32(&b, 0, (uint32_t)b.len);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_string_equal(info.bootloader_name, "loader");
    assert_int_equal(info.unknown_tags, 0);
}

static void test_unterminated_strings(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    const uint32_t types[] = {1, 2};
    for (size_t i = 0; i < 2; i++) {
        blob_init(&b);
        /* Size 12 covers "abcd" only; the padding zeros after it are outside the tag. */
        size_t off = tag_raw(&b, types[i], 12, "abcd", 4);
        blob_finish(&b);
        assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);
        assert_int_equal(info.error_offset, off);

        /* Empty payload: no room for a NUL at all. */
        blob_init(&b);
        tag_raw(&b, types[i], 8, NULL, 0);
        blob_finish(&b);
        assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);

        /* The same bytes with the NUL counted are fine. */
        blob_init(&b);
        tag_raw(&b, types[i], 13, "abcd", 5);
        blob_finish(&b);
        assert_int_equal(parse_blob(&b, &info), MB2_OK);
        assert_string_equal(types[i] == 1 ? info.cmdline : info.bootloader_name, "abcd");
    }
}

static void test_mmap_bad_entry_size(void **state)
{
    (void)state;
    const uint32_t bad[] = {0, 8, 16, 20, 23, 28, 25};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        static struct blob b;
        struct mb2_info info;
        blob_init(&b);
        tag_string(&b, 1, "x");
        size_t off = b.len;
        tag_mmap(&b, bad[i] < 24 ? 24 : bad[i], good_mmap, 2);
        poke_u32(&b, off + 8, bad[i]);
        blob_finish(&b);
        assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);
        assert_int_equal(info.error_offset, off);
        assert_int_equal(info.mmap_count, 0);
        assert_null(info.mmap_entries);
    }
}

static void test_mmap_tag_too_small(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    blob_init(&b);
    tag_raw(&b, 6, 12, "\x18\0\0\0", 4);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);

    /* Header only, no entries: valid, zero entries. */
    blob_init(&b);
    tag_mmap(&b, 24, NULL, 0);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_int_equal(info.mmap_count, 0);
}

static void test_module_bad(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;

    blob_init(&b);
    tag_module(&b, 0x1000, 0x2000, "a");
    size_t off = b.len;
    tag_module(&b, 0x3000, 0x2fff, "b");
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);
    assert_int_equal(info.error_offset, off);
    assert_int_equal(info.module_count, 0);

    /* Unterminated module string. */
    blob_init(&b);
    const uint8_t payload[12] = {0, 0x10, 0, 0, 0, 0x20, 0, 0, 'a', 'b', 'c', 'd'};
    tag_raw(&b, 3, 20, payload, sizeof(payload));
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);

    /* Too small for start/end, and exactly start/end with no string. */
    blob_init(&b);
    tag_raw(&b, 3, 12, payload, 4);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);
    blob_init(&b);
    tag_raw(&b, 3, 16, payload, 8);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);
}

static void test_too_many_modules(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    char name[8];
    blob_init(&b);
    for (uint32_t i = 0; i < MB2_MAX_MODULES + 4; i++) {
        name[0] = 'm';
        name[1] = (char)('a' + i);
        name[2] = 0;
        tag_module(&b, 0x100000 + i * 0x1000, 0x100800 + i * 0x1000, name);
    }
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_int_equal(info.module_count, MB2_MAX_MODULES);
    assert_int_equal(info.modules_dropped, 4);
    for (uint32_t i = 0; i < MB2_MAX_MODULES; i++) {
        assert_int_equal(info.modules[i].start, 0x100000 + i * 0x1000);
        assert_int_equal(info.modules[i].end, 0x100800 + i * 0x1000);
        assert_int_equal(info.modules[i].cmdline[1], 'a' + i);
    }

    /* Dropped modules are still validated. */
    blob_init(&b);
    for (uint32_t i = 0; i < MB2_MAX_MODULES; i++)
        tag_module(&b, 0, 0, "ok");
    size_t off = b.len;
    tag_module(&b, 2, 1, "bad");
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);
    assert_int_equal(info.error_offset, off);
}

/* Each known fixed-size tag, one byte short of its minimum, is rejected. */
static void test_known_tags_too_small(void **state)
{
    (void)state;
    static const uint8_t zeros[64];
    const struct {
        uint32_t type, min_size;
    } cases[] = {
        {4, 16}, {8, 32}, {12, 16}, {14, 28}, {15, 44}, {21, 12},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        static struct blob b;
        struct mb2_info info;
        blob_init(&b);
        size_t off =
            tag_raw(&b, cases[i].type, cases[i].min_size - 1, zeros, cases[i].min_size - 1 - 8);
        blob_finish(&b);
        assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);
        assert_int_equal(info.error_offset, off);

        blob_init(&b);
        tag_raw(&b, cases[i].type, cases[i].min_size, zeros, cases[i].min_size - 8);
        blob_finish(&b);
        assert_int_equal(parse_blob(&b, &info), MB2_OK);
        assert_int_equal(info.unknown_tags, 0);
    }

    /* RGB framebuffer needs its 6 colour bytes. */
    static struct blob b;
    struct mb2_info info;
    uint8_t fb[30] = {0};
    fb[21] = 1; /* framebuffer_type at tag offset 29 */
    blob_init(&b);
    tag_raw(&b, 8, 37, fb, 29);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_ERR_TAG_PAYLOAD);
    blob_init(&b);
    tag_raw(&b, 8, 38, fb, 30);
    blob_finish(&b);
    assert_int_equal(parse_blob(&b, &info), MB2_OK);
    assert_int_equal(info.framebuffer.type, 1);
}

static void test_strings(void **state)
{
    (void)state;
    assert_string_equal(mb2_mmap_type_name(MB2_MEM_AVAILABLE), "available");
    assert_string_equal(mb2_mmap_type_name(MB2_MEM_RESERVED), "reserved");
    assert_string_equal(mb2_mmap_type_name(MB2_MEM_ACPI_RECLAIMABLE), "ACPI reclaimable");
    assert_string_equal(mb2_mmap_type_name(MB2_MEM_NVS), "ACPI NVS");
    assert_string_equal(mb2_mmap_type_name(MB2_MEM_BAD), "bad");
    assert_string_equal(mb2_mmap_type_name(0), "unknown");
    assert_string_equal(mb2_mmap_type_name(UINT32_MAX), "unknown");

    const int codes[] = {MB2_OK,
                         MB2_ERR_ALIGN,
                         MB2_ERR_TOTAL_SIZE,
                         MB2_ERR_TAG_SIZE,
                         MB2_ERR_NO_END,
                         MB2_ERR_TAG_PAYLOAD,
                         -99,
                         42};
    for (size_t i = 0; i < 8; i++) {
        assert_non_null(mb2_strerror(codes[i]));
        for (size_t j = 0; j < i; j++)
            if (i < 6)
                assert_string_not_equal(mb2_strerror(codes[i]), mb2_strerror(codes[j]));
    }
    assert_string_equal(mb2_strerror(-99), mb2_strerror(42));
}

/* ---- fuzz-style robustness ---- */

static bool within(const void *p, const uint8_t *buf, size_t len)
{
    return (const uint8_t *)p >= buf && (const uint8_t *)p < buf + len;
}

/* Checks the parse result is internally consistent and only references bytes inside buf. */
static void check_result(int st, const struct mb2_info *info, const uint8_t *buf, size_t len)
{
    assert_true(st <= 0 && st >= MB2_ERR_TAG_PAYLOAD);
    if (st != MB2_OK) {
        assert_true(info->error_offset <= len);
        assert_int_equal(info->total_size, 0);
        assert_null(info->cmdline);
        assert_null(info->bootloader_name);
        assert_null(info->mmap_entries);
        assert_null(info->rsdp);
        assert_int_equal(info->module_count, 0);
        assert_int_equal(info->unknown_tags, 0);
        return;
    }
    assert_int_equal(info->error_offset, 0);
    assert_true(info->total_size >= 16 && info->total_size <= len);
    const char *strs[2 + MB2_MAX_MODULES];
    size_t n = 0;
    strs[n++] = info->cmdline;
    strs[n++] = info->bootloader_name;
    assert_true(info->module_count <= MB2_MAX_MODULES);
    for (size_t i = 0; i < info->module_count; i++) {
        assert_true(info->modules[i].end >= info->modules[i].start);
        strs[n++] = info->modules[i].cmdline;
    }
    for (size_t i = 0; i < n; i++) {
        if (strs[i] == NULL)
            continue;
        assert_true(within(strs[i], buf, len));
        /* Terminated inside the buffer: strnlen never hits the bound. */
        size_t room = (size_t)(buf + len - (const uint8_t *)strs[i]);
        size_t n_len = 0;
        while (n_len < room && strs[i][n_len] != 0)
            n_len++;
        assert_true(n_len < room);
    }
    if (info->mmap_count > 0) {
        assert_true(within(info->mmap_entries, buf, len));
        assert_true(info->mmap_entry_size >= 24 && info->mmap_entry_size % 8 == 0);
        size_t room = (size_t)(buf + len - info->mmap_entries);
        assert_true(info->mmap_count <= room / info->mmap_entry_size);
        struct mb2_mmap_entry e;
        assert_true(mb2_mmap_get(info, info->mmap_count - 1, &e));
        assert_false(mb2_mmap_get(info, info->mmap_count, &e));
    }
    if (info->rsdp != NULL) {
        assert_true(info->rsdp_version == 1 || info->rsdp_version == 2);
        assert_true(info->rsdp_size >= (info->rsdp_version == 1 ? 20u : 36u));
        assert_true(within(info->rsdp, buf, len));
        assert_true(info->rsdp_size <= (size_t)(buf + len - (const uint8_t *)info->rsdp));
    } else {
        assert_int_equal(info->rsdp_version, 0);
    }
}

static uint8_t *dup_exact(const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, src, len);
    return p;
}

static void test_fuzz_single_byte(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    build_good(&b);
    uint8_t *p = dup_exact(b.buf, b.len);
    const uint8_t values[] = {0, 0xff, 1, 7, 8};
    size_t ok = 0, failed = 0;

    for (size_t pos = 0; pos < b.len; pos++) {
        for (size_t v = 0; v < sizeof(values); v++) {
            memcpy(p, b.buf, b.len);
            p[pos] = values[v];
            int st = mb2_parse(p, b.len, &info);
            check_result(st, &info, p, b.len);
            if (st == MB2_OK)
                ok++;
            else
                failed++;
        }
    }
    /* Both outcomes occur: the corruption is actually reaching the validation paths. */
    assert_true(ok > 0);
    assert_true(failed > 0);
    /* Breaking total_size's low byte can never yield a valid MBI. */
    memcpy(p, b.buf, b.len);
    p[0] = 7;
    assert_int_equal(mb2_parse(p, b.len, &info), MB2_ERR_TOTAL_SIZE);
    free(p);
}

static void test_fuzz_truncated_limit(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    build_good(&b);
    for (size_t limit = 0; limit <= b.len; limit++) {
        uint8_t *p = dup_exact(b.buf, limit);
        int st = mb2_parse(p, limit, &info);
        assert_int_equal(st, limit == b.len ? MB2_OK : MB2_ERR_TOTAL_SIZE);
        check_result(st, &info, p, limit);
        free(p);
    }
}

/* Truncated blobs whose total_size is patched to fit: the tags are what gets cut. */
static void test_fuzz_truncated_total(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    build_good(&b);
    for (size_t len = 16; len < b.len; len += 8) {
        uint8_t *p = dup_exact(b.buf, len);
        p[0] = (uint8_t)len;
        p[1] = (uint8_t)(len >> 8);
        p[2] = p[3] = 0;
        int st = mb2_parse(p, len, &info);
        assert_true(st == MB2_ERR_TAG_SIZE || st == MB2_ERR_NO_END);
        check_result(st, &info, p, len);
        free(p);
    }
}

static void test_fuzz_random(void **state)
{
    (void)state;
    static struct blob b;
    struct mb2_info info;
    build_good(&b);
    uint8_t *p = dup_exact(b.buf, b.len);
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    const uint32_t interesting[] = {0, 1, 7, 8, 9, 15, 16, 24, 0x7fffffff, 0xfffffff8, 0xffffffff};

    for (int iter = 0; iter < 50000; iter++) {
        memcpy(p, b.buf, b.len);
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        int edits = 1 + (int)((rng >> 60) & 3);
        for (int k = 0; k < edits; k++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            size_t pos = (size_t)(rng >> 33) % b.len;
            if ((rng >> 20) & 1) {
                /* Overwrite an aligned word with a boundary value: hits size/type fields. */
                pos &= ~(size_t)3;
                uint32_t v = interesting[(rng >> 8) % 11];
                for (int j = 0; j < 4; j++)
                    p[pos + (size_t)j] = (uint8_t)(v >> (8 * j));
            } else {
                p[pos] = (uint8_t)(rng >> 12);
            }
        }
        int st = mb2_parse(p, b.len, &info);
        check_result(st, &info, p, b.len);
    }
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_full),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_stale_output_is_cleared),
        cmocka_unit_test(test_rsdp_order_and_old_only),
        cmocka_unit_test(test_duplicate_tags_first_wins),
        cmocka_unit_test(test_fb_ega_text),
        cmocka_unit_test(test_mmap_large_entries),
        cmocka_unit_test(test_mmap_get_unaligned),
        cmocka_unit_test(test_unaligned_pointer),
        cmocka_unit_test(test_limit_below_header),
        cmocka_unit_test(test_total_size_bad),
        cmocka_unit_test(test_tag_size_zero_and_small),
        cmocka_unit_test(test_tag_size_overrun),
        cmocka_unit_test(test_missing_end),
        cmocka_unit_test(test_end_tag_wrong_size),
        cmocka_unit_test(test_end_tag_stops_parsing),
        cmocka_unit_test(test_unterminated_strings),
        cmocka_unit_test(test_mmap_bad_entry_size),
        cmocka_unit_test(test_mmap_tag_too_small),
        cmocka_unit_test(test_module_bad),
        cmocka_unit_test(test_too_many_modules),
        cmocka_unit_test(test_known_tags_too_small),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_fuzz_single_byte),
        cmocka_unit_test(test_fuzz_truncated_limit),
        cmocka_unit_test(test_fuzz_truncated_total),
        cmocka_unit_test(test_fuzz_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
