/*
 * Host unit tests for lib/elf (static ELF64 executable validator).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -fno-omit-frame-pointer -Ilib -Ikernel
 *        tests/unit/test_elf.c lib/elf/elf.c -lcmocka
 *
 * Images are built here with a small writer (ELF header, program headers, payload) or embedded
 * verbatim (a real static executable below). Every parse goes through parse_checked(), which
 * copies the image into a malloc'd buffer of exactly its size so that ASan flags any overrun,
 * and checks the documented guarantees on the result, reading every byte of every file range
 * it reports the way a loader would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf.h"

#define P    ((uint64_t)ELF_PAGE_SIZE)
#define BASE 0x400000ull
#define END  0x0000800000000000ull
#define R    ELF_SEG_R
#define W    ELF_SEG_W
#define X    ELF_SEG_X

#define PT_NULL         0u
#define PT_LOAD         1u
#define PT_DYNAMIC      2u
#define PT_INTERP       3u
#define PT_NOTE         4u
#define PT_PHDR         6u
#define PT_TLS          7u
#define PT_GNU_STACK    0x6474e551u
#define PT_GNU_RELRO    0x6474e552u
#define PT_GNU_PROPERTY 0x6474e553u

/* ELF header field offsets. */
#define E_TYPE      16
#define E_MACHINE   18
#define E_VERSION   20
#define E_ENTRY     24
#define E_PHOFF     32
#define E_EHSIZE    52
#define E_PHENTSIZE 54
#define E_PHNUM     56

/* Program header field offsets, relative to the header. */
#define P_TYPE   0
#define P_FLAGS  4
#define P_OFFSET 8
#define P_VADDR  16
#define P_FILESZ 32
#define P_MEMSZ  40
#define P_ALIGN  48

#define EHDR    64u
#define PHENT   56u
#define IMG_MAX 8192u

static const struct elf_limits limits = {BASE, END};

/*
 * A real static executable, generated once with GCC 12.2 / binutils 2.40 from
 *
 *   static const char msg[] = "missive tiny\n";
 *   long counter = 42;
 *   char scratch[256];
 *   _Thread_local long tls_value = 7;
 *   static long sys(long nr, long a, long b, long c)
 *   {
 *       long ret;
 *       __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
 *                        : "rcx", "r11", "memory");
 *       return ret;
 *   }
 *   void _start(void)
 *   {
 *       scratch[0] = (char)counter;
 *       sys(1, 1, (long)msg, sizeof msg - 1);
 *       sys(60, 0, 0, 0);
 *       for (;;) {
 *       }
 *   }
 *
 *   gcc -static -nostdlib -fno-pie -no-pie -Os -fno-asynchronous-unwind-tables
 *       -Wl,--build-id=none -Wl,-z,noseparate-code -Wl,-z,norelro
 *       -Wl,-Ttext-segment=0x400000 -Wl,-z,max-page-size=0x1000 -o tiny tiny.c
 *   strip tiny; xxd -i -n tiny_elf tiny
 *
 * (noseparate-code and norelro keep the file under 1 KB instead of four padded pages.)
 * `readelf -lh tiny` reports:
 *   Entry point address: 0x400120
 *   LOAD  off 0x000 vaddr 0x400000 filesz 0x166 memsz 0x166 R E align 0x1000
 *   LOAD  off 0x168 vaddr 0x401168 filesz 0x010 memsz 0x118 RW  align 0x1000
 *   TLS   off 0x168 vaddr 0x401168 filesz 0x008 memsz 0x008 R   align 0x8
 *   GNU_STACK                                                RW  align 0x10
 */
static const unsigned char tiny_elf[] = {
    0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x20, 0x01, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xd8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x38, 0x00, 0x04, 0x00, 0x40, 0x00, 0x08, 0x00, 0x07, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x66, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x66, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
    0x68, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x68, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x07, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x68, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x68, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x51, 0xe5, 0x74, 0x64, 0x06, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x48, 0x8b, 0x05, 0x49, 0x10, 0x00, 0x00, 0xbe, 0x58, 0x01, 0x40, 0x00, 0xba, 0x0d, 0x00, 0x00,
    0x00, 0x88, 0x05, 0x49, 0x10, 0x00, 0x00, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x48, 0x89, 0xc7, 0x0f,
    0x05, 0x31, 0xd2, 0xb8, 0x3c, 0x00, 0x00, 0x00, 0x48, 0x89, 0xd7, 0x48, 0x89, 0xd6, 0x0f, 0x05,
    0xeb, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6d, 0x69, 0x73, 0x73, 0x69, 0x76, 0x65, 0x20,
    0x74, 0x69, 0x6e, 0x79, 0x0a, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x47, 0x43, 0x43, 0x3a, 0x20, 0x28, 0x44, 0x65,
    0x62, 0x69, 0x61, 0x6e, 0x20, 0x31, 0x32, 0x2e, 0x32, 0x2e, 0x30, 0x2d, 0x31, 0x34, 0x2b, 0x64,
    0x65, 0x62, 0x31, 0x32, 0x75, 0x31, 0x29, 0x20, 0x31, 0x32, 0x2e, 0x32, 0x2e, 0x30, 0x00, 0x00,
    0x2e, 0x73, 0x68, 0x73, 0x74, 0x72, 0x74, 0x61, 0x62, 0x00, 0x2e, 0x74, 0x65, 0x78, 0x74, 0x00,
    0x2e, 0x72, 0x6f, 0x64, 0x61, 0x74, 0x61, 0x00, 0x2e, 0x74, 0x64, 0x61, 0x74, 0x61, 0x00, 0x2e,
    0x64, 0x61, 0x74, 0x61, 0x00, 0x2e, 0x62, 0x73, 0x73, 0x00, 0x2e, 0x63, 0x6f, 0x6d, 0x6d, 0x65,
    0x6e, 0x74, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x01, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x20, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x58, 0x01, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x58, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x19, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x68, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x70, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x70, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x78, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x78, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x27, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9f, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

/* ---- image writer ---------------------------------------------------------------------- */

struct img {
    uint8_t b[IMG_MAX];
    size_t size;
    uint16_t phnum;
};

/* Stores v little-endian in width bytes at p. */
static void put(uint8_t *p, uint64_t v, unsigned width)
{
    for (unsigned i = 0; i < width; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* Loads width little-endian bytes at p. */
static uint64_t get(const uint8_t *p, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = width; i > 0; i--) {
        v = (v << 8) | p[i - 1];
    }
    return v;
}

/* Starts a valid ELF header (phdrs right after it, none yet); bytes after it are a pattern. */
static void img_init(struct img *m, size_t size, uint64_t entry)
{
    assert_true(size <= IMG_MAX);
    memset(m->b, 0, sizeof m->b);
    for (size_t i = EHDR; i < size; i++) {
        m->b[i] = (uint8_t)(i * 7 + 3);
    }
    m->size = size;
    m->phnum = 0;
    const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
    memcpy(m->b, ident, sizeof ident);
    put(m->b + E_TYPE, 2, 2);
    put(m->b + E_MACHINE, 62, 2);
    put(m->b + E_VERSION, 1, 4);
    put(m->b + E_ENTRY, entry, 8);
    put(m->b + E_PHOFF, EHDR, 8);
    put(m->b + E_EHSIZE, EHDR, 2);
    put(m->b + E_PHENTSIZE, PHENT, 2);
    put(m->b + E_PHNUM, 0, 2);
    put(m->b + 58, 64, 2); /* e_shentsize: irrelevant, but realistic */
}

/* Program header i of an image built by img_init (table right after the ELF header). */
static uint8_t *phdr_at(struct img *m, size_t i)
{
    return m->b + EHDR + i * PHENT;
}

/* Appends a program header and returns its index. */
static size_t img_phdr(struct img *m, uint32_t type, uint32_t flags, uint64_t offset,
                       uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
    size_t i = m->phnum++;
    assert_true(EHDR + m->phnum * PHENT <= m->size);
    uint8_t *p = phdr_at(m, i);
    put(p + P_TYPE, type, 4);
    put(p + P_FLAGS, flags, 4);
    put(p + P_OFFSET, offset, 8);
    put(p + P_VADDR, vaddr, 8);
    put(p + 24, vaddr, 8); /* p_paddr: ignored */
    put(p + P_FILESZ, filesz, 8);
    put(p + P_MEMSZ, memsz, 8);
    put(p + P_ALIGN, align, 8);
    put(m->b + E_PHNUM, m->phnum, 2);
    return i;
}

/* Overwrites one field (P_*) of program header i, with the field's own width. */
static void set_ph(struct img *m, size_t i, unsigned field, uint64_t v)
{
    put(phdr_at(m, i) + field, v, field == P_TYPE || field == P_FLAGS ? 4 : 8);
}

/* Overwrites one ELF header field (E_*) of the given width. */
static void set_eh(struct img *m, unsigned field, uint64_t v, unsigned width)
{
    put(m->b + field, v, width);
}

/* Program header indices in the good image. */
enum { G_TEXT, G_RODATA, G_DATA, G_TLS, G_STACK, G_NOTE, G_COUNT };
#define G_ENTRY 0x401210ull

/*
 * A well-formed image laid out the way ld does without separate-code: small file, offsets
 * congruent to vaddrs modulo the page. Text R X, rodata R, data+bss RW (bss runs two pages on),
 * a TLS template inside the data, and two ignored headers.
 */
static void make_good(struct img *m)
{
    img_init(m, 0x2c0, G_ENTRY);
    img_phdr(m, PT_LOAD, R | X, 0x200, 0x401200, 0x40, 0x40, P);
    img_phdr(m, PT_LOAD, R, 0x240, 0x402240, 0x40, 0x40, P);
    img_phdr(m, PT_LOAD, R | W, 0x280, 0x403280, 0x40, 0x2000, P);
    img_phdr(m, PT_TLS, R, 0x280, 0x403280, 0x10, 0x20, 16);
    img_phdr(m, PT_GNU_STACK, R | W, 0, 0, 0, 0, 16);
    img_phdr(m, PT_NOTE, R, 0x2a0, 0x4032a0, 0x20, 0x20, 4);
}

/* ---- checked parse --------------------------------------------------------------------- */

/* True if every field of s is zero, as elf_parse leaves unused and rejected entries. */
static bool seg_is_zero(const struct elf_segment *s)
{
    return s->vaddr == 0 && s->memsz == 0 && s->offset == 0 && s->filesz == 0 && s->flags == 0;
}

static volatile uint8_t sink;

/* Reads [off, off + len) of the file as a loader would copy it, so ASan checks the range. */
static void touch(const uint8_t *file, size_t size, uint64_t off, uint64_t len)
{
    assert_true(off <= size);
    assert_true(len <= size - off);
    uint8_t acc = 0;
    for (uint64_t i = 0; i < len; i++) {
        acc ^= file[off + i];
    }
    sink = acc;
}

/* Checks everything elf.h promises about *img for status st, whatever the input was. */
static void check_result(const uint8_t *file, size_t size, const struct elf_limits *lim, int st,
                         const struct elf_image *img)
{
    assert_true(st <= 0 && st >= ELF_ERR_TLS);
    const char *msg = elf_strerror(st);
    assert_non_null(msg);
    assert_true(msg[0] != '\0');

    if (st != ELF_OK) {
        assert_true(img->error_index >= -1 && img->error_index < 64);
        assert_int_equal(img->entry, 0);
        assert_int_equal(img->segment_count, 0);
        for (size_t i = 0; i < ELF_MAX_SEGMENTS; i++) {
            assert_true(seg_is_zero(&img->segments[i]));
        }
        assert_false(img->has_tls);
        assert_true(seg_is_zero(&img->tls));
        assert_int_equal(img->tls_align, 0);
        return;
    }

    assert_int_equal(img->error_index, -1);
    assert_true(img->segment_count >= 1 && img->segment_count <= ELF_MAX_SEGMENTS);
    bool entry_found = false;
    for (size_t i = 0; i < img->segment_count; i++) {
        const struct elf_segment *s = &img->segments[i];
        assert_true(s->memsz > 0);
        assert_true(s->filesz <= s->memsz);
        touch(file, size, s->offset, s->filesz);
        assert_true(s->vaddr >= lim->user_base);
        assert_true(s->vaddr < lim->user_end);
        assert_true(s->memsz <= lim->user_end - s->vaddr);
        assert_int_equal(s->vaddr % P, s->offset % P);
        assert_int_equal(s->flags & ~(uint32_t)(R | W | X), 0);
        assert_false((s->flags & W) && (s->flags & X));
        if (i > 0) {
            const struct elf_segment *prev = &img->segments[i - 1];
            /* Sorted and no shared page: prev's last page is below this one's first. */
            assert_true((prev->vaddr + prev->memsz - 1) / P < s->vaddr / P);
        }
        if ((s->flags & X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->filesz) {
            entry_found = true;
        }
    }
    assert_true(entry_found);
    for (size_t i = img->segment_count; i < ELF_MAX_SEGMENTS; i++) {
        assert_true(seg_is_zero(&img->segments[i]));
    }
    if (img->has_tls) {
        assert_true(img->tls.filesz <= img->tls.memsz);
        touch(file, size, img->tls.offset, img->tls.filesz);
        assert_true(img->tls_align >= 1 && img->tls_align <= P);
        assert_int_equal(img->tls_align & (img->tls_align - 1), 0);
    } else {
        assert_true(seg_is_zero(&img->tls));
        assert_int_equal(img->tls_align, 0);
    }
}

/*
 * Parses a heap copy of exactly `size` bytes (placed at an odd address when `misalign`) and
 * checks the result's guarantees. *out is pre-filled with garbage to check it gets reset.
 */
static int parse_with(const void *data, size_t size, const struct elf_limits *lim, bool misalign,
                      struct elf_image *out)
{
    size_t extra = misalign ? 1 : 0;
    uint8_t *block = malloc(size + extra + (size + extra == 0));
    assert_non_null(block);
    uint8_t *copy = block + extra;
    if (size > 0) {
        memcpy(copy, data, size);
    }
    memset(out, 0xa5, sizeof *out);
    int st = elf_parse(copy, size, lim, out);
    check_result(copy, size, lim, st, out);
    free(block);
    return st;
}

/* Checked parse of a built image against the standard limits. */
static int parse_img(const struct img *m, struct elf_image *out)
{
    return parse_with(m->b, m->size, &limits, false, out);
}

/* Parses and expects status st with error_index idx. */
static void expect(const struct img *m, int st, int idx)
{
    struct elf_image out;
    int got = parse_img(m, &out);
    if (got != st) {
        fail_msg("expected %d (%s), got %d (%s)", st, elf_strerror(st), got, elf_strerror(got));
    }
    assert_int_equal(out.error_index, idx);
}

/* Parses and expects acceptance. */
static void expect_ok(const struct img *m)
{
    expect(m, ELF_OK, -1);
}

/* Checks every field of a reported segment. */
static void expect_seg(const struct elf_segment *s, uint64_t vaddr, uint64_t memsz, uint64_t offset,
                       uint64_t filesz, uint32_t flags)
{
    assert_int_equal(s->vaddr, vaddr);
    assert_int_equal(s->memsz, memsz);
    assert_int_equal(s->offset, offset);
    assert_int_equal(s->filesz, filesz);
    assert_int_equal(s->flags, flags);
}

/* ---- good images ----------------------------------------------------------------------- */

/* The good image parses to exactly its three loads, its TLS template and its entry. */
static void test_good_image(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;
    make_good(&m);
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    assert_int_equal(out.entry, G_ENTRY);
    assert_int_equal(out.segment_count, 3);
    expect_seg(&out.segments[0], 0x401200, 0x40, 0x200, 0x40, R | X);
    expect_seg(&out.segments[1], 0x402240, 0x40, 0x240, 0x40, R);
    expect_seg(&out.segments[2], 0x403280, 0x2000, 0x280, 0x40, R | W);
    assert_true(out.has_tls);
    expect_seg(&out.tls, 0x403280, 0x20, 0x280, 0x10, R);
    assert_int_equal(out.tls_align, 16);
    assert_int_equal(out.error_index, -1);
}

/* Input need not be aligned: fields are read byte by byte. */
static void test_unaligned_input(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;
    make_good(&m);
    assert_int_equal(parse_with(m.b, m.size, &limits, true, &out), ELF_OK);
    assert_int_equal(out.entry, G_ENTRY);
    assert_int_equal(out.segment_count, 3);
}

/* Loads listed out of vaddr order come back sorted. */
static void test_segments_sorted(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;
    img_init(&m, 0x400, 0x402300);
    img_phdr(&m, PT_LOAD, R | W, 0x380, 0x405380, 0x10, 0x10, P);
    img_phdr(&m, PT_LOAD, R, 0x200, 0x401200, 0x10, 0x10, P);
    img_phdr(&m, PT_LOAD, R, 0x340, 0x404340, 0x10, 0x10, P);
    img_phdr(&m, PT_LOAD, R | X, 0x300, 0x402300, 0x10, 0x10, P);
    img_phdr(&m, PT_LOAD, R, 0x240, 0x4ff240, 0x10, 0x10, P);
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    assert_int_equal(out.segment_count, 5);
    const uint64_t want[] = {0x401200, 0x402300, 0x404340, 0x405380, 0x4ff240};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(out.segments[i].vaddr, want[i]);
    }
    assert_int_equal(out.segments[1].flags, R | X);
    assert_int_equal(out.segments[3].flags, R | W);
}

/* Other header types, memsz-0 loads and extra p_flags bits are ignored; no TLS is fine. */
static void test_ignored_headers(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;
    img_init(&m, 0x400, 0x401300);
    img_phdr(&m, PT_NULL, 0, 0xffffffffffffffff, 0xffffffffffffffff, 5, 1, 3);
    img_phdr(&m, PT_PHDR, R, EHDR, BASE + EHDR, 7 * PHENT, 7 * PHENT, 8);
    img_phdr(&m, PT_NOTE, R, 0xfff0, 0, 0x100, 0, 3);
    img_phdr(&m, PT_GNU_PROPERTY, R, 0x200, 0x1, 0x10, 0x10, 8);
    img_phdr(&m, PT_GNU_RELRO, R, 0x300, 0x401300, 0x10, 0x10, 1);
    /* memsz 0: maps nothing, so even nonsense fields do not matter. */
    img_phdr(&m, PT_LOAD, R | W | X, 0xffffffff, 0x10, 0x100, 0, 7);
    img_phdr(&m, PT_LOAD, 0x0ff00000u | R | X, 0x300, 0x401300, 0x10, 0x10, P);
    img_phdr(&m, PT_GNU_STACK, R | W | X, 0, 0, 0, 0, 16);
    img_phdr(&m, 0x70000000u, R, 0xffffffffffffffff, 0, 1, 1, 0); /* processor-specific */
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    assert_int_equal(out.segment_count, 1);
    expect_seg(&out.segments[0], 0x401300, 0x10, 0x300, 0x10, R | X);
    assert_false(out.has_tls);
}

/* A segment may be exactly as large as the rest of the file, and start at offset 0. */
static void test_segment_to_end_of_file(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;
    img_init(&m, 0x300, BASE + 0x100);
    img_phdr(&m, PT_LOAD, R | X, 0, BASE, 0x300, 0x300, P);
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    expect_seg(&out.segments[0], BASE, 0x300, 0, 0x300, R | X);
    /* Entirely zero-filled segments (filesz 0) are fine too, even with an offset at the end. */
    img_phdr(&m, PT_LOAD, R | W, 0x300, BASE + 0x1300, 0, 0x1000, P);
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    expect_seg(&out.segments[1], BASE + 0x1300, 0x1000, 0x300, 0, R | W);
}

/* Segments with no R/W/X bit, and p_align 0, 1, or large powers of two, are allowed. */
static void test_flags_and_align_allowed(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;
    img_init(&m, 0x400, 0x401200);
    img_phdr(&m, PT_LOAD, R | X, 0x200, 0x401200, 0x10, 0x10, 0);
    img_phdr(&m, PT_LOAD, 0, 0x240, 0x402240, 0x10, 0x10, 1);
    img_phdr(&m, PT_LOAD, R, 0x280, 0x403280, 0x10, 0x10, 0x200000);
    img_phdr(&m, PT_LOAD, W, 0x2c0, 0x4042c0, 0x10, 0x10, 1ull << 63);
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    assert_int_equal(out.segment_count, 4);
    assert_int_equal(out.segments[1].flags, 0);
    assert_int_equal(out.segments[3].flags, W);
}

/* 64 program headers are accepted; 16 loads are accepted. */
static void test_max_counts(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;
    img_init(&m, 0x1000, 0x401000);
    for (size_t i = 0; i < ELF_MAX_SEGMENTS; i++) {
        img_phdr(&m, PT_LOAD, i == 0 ? R | X : R, 0, 0x401000 + i * P, 0x10, 0x10, P);
    }
    while (m.phnum < 64) {
        img_phdr(&m, PT_NOTE, R, 0, 0, 0, 0, 4);
    }
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    assert_int_equal(out.segment_count, ELF_MAX_SEGMENTS);
    assert_int_equal(out.segments[15].vaddr, 0x401000 + 15 * P);
}

/* ---- the real executable --------------------------------------------------------------- */

/* A gcc/ld static executable parses to what readelf reports (see the comment on tiny_elf). */
static void test_real_executable(void **state)
{
    (void)state;
    struct elf_image out;
    assert_int_equal(parse_with(tiny_elf, sizeof tiny_elf, &limits, false, &out), ELF_OK);
    assert_int_equal(out.entry, 0x400120);
    assert_int_equal(out.segment_count, 2);
    expect_seg(&out.segments[0], 0x400000, 0x166, 0x000, 0x166, R | X);
    expect_seg(&out.segments[1], 0x401168, 0x118, 0x168, 0x010, R | W);
    assert_true(out.has_tls);
    expect_seg(&out.tls, 0x401168, 0x8, 0x168, 0x8, R);
    assert_int_equal(out.tls_align, 8);
    assert_int_equal(parse_with(tiny_elf, sizeof tiny_elf, &limits, true, &out), ELF_OK);
    /* A window starting one page higher no longer holds its text. */
    const struct elf_limits higher = {BASE + P, END};
    assert_int_equal(parse_with(tiny_elf, sizeof tiny_elf, &higher, false, &out),
                     ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(out.error_index, 0);
}

/* ---- ELF header errors ----------------------------------------------------------------- */

/* Anything shorter than the 64-byte ELF header is truncated, whatever it starts with. */
static void test_truncated_header(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;
    make_good(&m);
    for (size_t n = 0; n < EHDR; n++) {
        assert_int_equal(parse_with(m.b, n, &limits, false, &out), ELF_ERR_TRUNCATED);
        assert_int_equal(out.error_index, -1);
    }
    memset(&out, 0xa5, sizeof out);
    assert_int_equal(elf_parse(NULL, 0, &limits, &out), ELF_ERR_TRUNCATED);
    check_result(NULL, 0, &limits, ELF_ERR_TRUNCATED, &out);
    /* A NULL file is empty whatever size claims. */
    assert_int_equal(elf_parse(NULL, 4096, &limits, &out), ELF_ERR_TRUNCATED);
}

/* A program header table running past the end of the file, including by wrapping. */
static void test_truncated_phdrs(void **state)
{
    (void)state;
    struct img m;
    make_good(&m);
    /* The table ends at 64 + 6 * 56 = 400: one byte short of it. */
    m.size = EHDR + G_COUNT * PHENT - 1;
    expect(&m, ELF_ERR_TRUNCATED, -1);
    m.size++;
    /* Table present but segment data missing: now it is the segment that is out of bounds. */
    expect(&m, ELF_ERR_SEGMENT_BOUNDS, G_TEXT);

    make_good(&m);
    set_eh(&m, E_PHNUM, 64, 2); /* 64 * 56 bytes of table do not fit in 0x2c0 */
    expect(&m, ELF_ERR_TRUNCATED, -1);
    make_good(&m);
    set_eh(&m, E_PHOFF, m.size, 8); /* phoff == size: zero bytes of table available */
    expect(&m, ELF_ERR_TRUNCATED, -1);
    set_eh(&m, E_PHOFF, 0x10000, 8);
    expect(&m, ELF_ERR_TRUNCATED, -1);
    set_eh(&m, E_PHOFF, 0xfffffffffffffff8ull, 8); /* phoff + table size would wrap */
    expect(&m, ELF_ERR_TRUNCATED, -1);
    set_eh(&m, E_PHOFF, m.size - PHENT * G_COUNT + 8, 8); /* 8 bytes short */
    expect(&m, ELF_ERR_TRUNCATED, -1);
}

/* Each of the four magic bytes matters. */
static void test_bad_magic(void **state)
{
    (void)state;
    struct img m;
    for (size_t i = 0; i < 4; i++) {
        make_good(&m);
        m.b[i] ^= 0x20;
        expect(&m, ELF_ERR_MAGIC, -1);
    }
}

/* Only ELFCLASS64. */
static void test_bad_class(void **state)
{
    (void)state;
    struct img m;
    const uint8_t bad[] = {0, 1, 3, 0xff};
    for (size_t i = 0; i < sizeof bad; i++) {
        make_good(&m);
        m.b[4] = bad[i];
        expect(&m, ELF_ERR_CLASS, -1);
    }
}

/* Only little-endian (ELFDATA2LSB). */
static void test_bad_encoding(void **state)
{
    (void)state;
    struct img m;
    const uint8_t bad[] = {0, 2, 3};
    for (size_t i = 0; i < sizeof bad; i++) {
        make_good(&m);
        m.b[5] = bad[i];
        expect(&m, ELF_ERR_ENCODING, -1);
    }
}

/* Both the e_ident version byte and the 32-bit e_version must be 1. */
static void test_bad_version(void **state)
{
    (void)state;
    struct img m;
    make_good(&m);
    m.b[6] = 0;
    expect(&m, ELF_ERR_VERSION, -1);
    m.b[6] = 2;
    expect(&m, ELF_ERR_VERSION, -1);
    make_good(&m);
    set_eh(&m, E_VERSION, 0, 4);
    expect(&m, ELF_ERR_VERSION, -1);
    set_eh(&m, E_VERSION, 0x01000000, 4); /* big-endian 1 */
    expect(&m, ELF_ERR_VERSION, -1);
}

/* OS/ABI, ABI version, padding, e_flags and section header fields are not checked. */
static void test_unchecked_header_fields(void **state)
{
    (void)state;
    struct img m;
    make_good(&m);
    m.b[7] = 3; /* ELFOSABI_GNU, as some static toolchains emit */
    for (size_t i = 8; i < 16; i++) {
        m.b[i] = 0xff;
    }
    for (size_t i = 40; i < 52; i++) { /* e_shoff, e_flags */
        m.b[i] = 0xff;
    }
    for (size_t i = 58; i < 64; i++) { /* e_shentsize, e_shnum, e_shstrndx */
        m.b[i] = 0xff;
    }
    expect_ok(&m);
}

/* Only ET_EXEC: relocatable, shared (PIE) and core files are refused. */
static void test_bad_type(void **state)
{
    (void)state;
    struct img m;
    const uint16_t bad[] = {0, 1, 3, 4, 0xfe00, 0x0200};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make_good(&m);
        set_eh(&m, E_TYPE, bad[i], 2);
        expect(&m, ELF_ERR_TYPE, -1);
    }
}

/* Only EM_X86_64, read as a little-endian 16-bit field. */
static void test_bad_machine(void **state)
{
    (void)state;
    struct img m;
    const uint16_t bad[] = {0, 3, 40, 183, 0x3e00, 62 + 256};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make_good(&m);
        set_eh(&m, E_MACHINE, bad[i], 2);
        expect(&m, ELF_ERR_MACHINE, -1);
    }
}

/* Header sizes, entry count and table placement outside what is allowed. */
static void test_bad_phdr_table(void **state)
{
    (void)state;
    struct img m;
    const struct {
        unsigned field;
        uint64_t value;
        unsigned width;
    } bad[] = {
        {E_EHSIZE, 52, 2},    {E_EHSIZE, 0, 2},    {E_EHSIZE, 128, 2},
        {E_PHENTSIZE, 32, 2}, {E_PHENTSIZE, 0, 2}, {E_PHENTSIZE, 64, 2},
        {E_PHNUM, 0, 2},      {E_PHNUM, 65, 2},    {E_PHNUM, 0xffff, 2},
        {E_PHOFF, 68, 8},     {E_PHOFF, 65, 8},    {E_PHOFF, 0xffffffffffffffffull, 8},
        {E_PHOFF, 0, 8},      {E_PHOFF, 56, 8},    {E_PHOFF, 8, 8},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make_good(&m);
        set_eh(&m, bad[i].field, bad[i].value, bad[i].width);
        expect(&m, ELF_ERR_PHDR, -1);
    }
}

/* The table may sit anywhere 8-aligned after the ELF header, e.g. at the end of the file. */
static void test_phdr_table_elsewhere(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;
    make_good(&m);
    size_t table = G_COUNT * PHENT;
    memcpy(m.b + 0x400, m.b + EHDR, table);
    m.size = 0x400 + table;
    set_eh(&m, E_PHOFF, 0x400, 8);
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    assert_int_equal(out.segment_count, 3);
    set_eh(&m, E_PHOFF, 0x408, 8); /* 8-aligned but no longer fits */
    expect(&m, ELF_ERR_TRUNCATED, -1);
}

/* ---- segment errors -------------------------------------------------------------------- */

/* A load's file range past the end of the file (also by wrapping), or filesz > memsz. */
static void test_segment_bounds(void **state)
{
    (void)state;
    struct img m;
    make_good(&m);
    set_ph(&m, G_DATA, P_FILESZ, 0x41); /* one past the end of the file */
    expect(&m, ELF_ERR_SEGMENT_BOUNDS, G_DATA);
    set_ph(&m, G_DATA, P_FILESZ, 0x40); /* exactly to the end */
    expect_ok(&m);

    make_good(&m);
    set_ph(&m, G_RODATA, P_FILESZ, 0x41);
    set_ph(&m, G_RODATA, P_MEMSZ, 0x40); /* filesz > memsz */
    expect(&m, ELF_ERR_SEGMENT_BOUNDS, G_RODATA);

    make_good(&m);
    set_ph(&m, G_TEXT, P_OFFSET, m.size + 1);
    set_ph(&m, G_TEXT, P_FILESZ, 0);
    expect(&m, ELF_ERR_SEGMENT_BOUNDS, G_TEXT);

    /* Overflow: offset near SIZE_MAX, huge filesz; naive offset + filesz would wrap. */
    make_good(&m);
    set_ph(&m, G_TEXT, P_OFFSET, SIZE_MAX);
    set_ph(&m, G_TEXT, P_FILESZ, 1);
    expect(&m, ELF_ERR_SEGMENT_BOUNDS, G_TEXT);
    set_ph(&m, G_TEXT, P_OFFSET, SIZE_MAX - 0xfff);
    set_ph(&m, G_TEXT, P_FILESZ, 0x1000);
    expect(&m, ELF_ERR_SEGMENT_BOUNDS, G_TEXT);
    make_good(&m);
    set_ph(&m, G_TEXT, P_FILESZ, UINT64_MAX - 0x1ff); /* 0x200 + filesz == 2^64 */
    set_ph(&m, G_TEXT, P_MEMSZ, UINT64_MAX);
    expect(&m, ELF_ERR_SEGMENT_BOUNDS, G_TEXT);
    make_good(&m);
    set_ph(&m, G_TEXT, P_FILESZ, UINT64_MAX);
    set_ph(&m, G_TEXT, P_MEMSZ, UINT64_MAX);
    expect(&m, ELF_ERR_SEGMENT_BOUNDS, G_TEXT);
}

/*
 * Builds a one-load image whose segment is [vaddr, vaddr + memsz) with one file byte (the entry
 * point) at an offset congruent to vaddr, kept clear of the program header table.
 */
static void make_single(struct img *m, uint64_t vaddr, uint64_t memsz, uint32_t flags)
{
    uint64_t offset = vaddr % P < 0x100 ? vaddr % P + P : vaddr % P;
    img_init(m, 0x1200, vaddr);
    img_phdr(m, PT_LOAD, flags, offset, vaddr, 1, memsz, P);
}

/* Parses a make_single image against lim; on error the load must be the one blamed. */
static int parse_single(uint64_t vaddr, uint64_t memsz, const struct elf_limits *lim)
{
    struct img m;
    struct elf_image out;
    make_single(&m, vaddr, memsz, R | X);
    int st = parse_with(m.b, m.size, lim, false, &out);
    if (st == ELF_OK) {
        assert_int_equal(out.segments[0].vaddr, vaddr);
        assert_int_equal(out.segments[0].memsz, memsz);
    } else {
        assert_int_equal(out.error_index, 0);
    }
    return st;
}

/* The user window at its exact edges: last valid and first invalid on each side. */
static void test_segment_address_limits(void **state)
{
    (void)state;
    /* Start: first valid address is user_base; one byte (or page) below is invalid. */
    assert_int_equal(parse_single(BASE, P, &limits), ELF_OK);
    assert_int_equal(parse_single(BASE - 1, P, &limits), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(BASE - P, P, &limits), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(BASE - P, 2 * P, &limits), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(0, P, &limits), ELF_ERR_SEGMENT_ADDRESS);
    /* End: the last valid segment ends exactly at user_end; one more byte is invalid. */
    assert_int_equal(parse_single(END - P, P, &limits), ELF_OK);
    assert_int_equal(parse_single(END - P, P + 1, &limits), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(END - 1, 1, &limits), ELF_OK);
    assert_int_equal(parse_single(END - 1, 2, &limits), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(END, 1, &limits), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(BASE, END - BASE, &limits), ELF_OK);
    assert_int_equal(parse_single(BASE, END - BASE + 1, &limits), ELF_ERR_SEGMENT_ADDRESS);
    /* Kernel half and non-canonical addresses. */
    assert_int_equal(parse_single(0xffffffff80000000ull, P, &limits), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(0x0000800000001000ull, P, &limits), ELF_ERR_SEGMENT_ADDRESS);
}

/* vaddr + memsz near 2^64 must be refused, never wrapped into range. */
static void test_segment_address_overflow(void **state)
{
    (void)state;
    /* vaddr + memsz wraps past 2^64 even when the window reaches the top. */
    const struct elf_limits all = {0, UINT64_MAX};
    const uint64_t top = UINT64_MAX - P + 1; /* 0xfffffffffffff000 */
    assert_int_equal(parse_single(top - P, P, &all), ELF_OK);
    assert_int_equal(parse_single(top + 0x200, P, &all), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(UINT64_MAX, 2, &all), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(BASE, UINT64_MAX, &all), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(BASE, UINT64_MAX, &limits), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(UINT64_MAX - 0xfff, 0x1000, &limits), ELF_ERR_SEGMENT_ADDRESS);
    /* user_end = 2^64 - 1 is not page-aligned: the last page cannot be mapped whole. */
    assert_int_equal(parse_single(top, 1, &all), ELF_ERR_SEGMENT_ADDRESS);
    /* A window whose end is the top page boundary: segments may end right at it. */
    const struct elf_limits upto_top = {0, top};
    assert_int_equal(parse_single(top - P, P, &upto_top), ELF_OK);
    assert_int_equal(parse_single(top - 1, 1, &upto_top), ELF_OK);
    assert_int_equal(parse_single(top - 1, 2, &upto_top), ELF_ERR_SEGMENT_ADDRESS);
}

/* Windows that are not page-aligned are enforced on whole pages; NULL or empty admit nothing. */
static void test_segment_address_odd_limits(void **state)
{
    (void)state;
    const struct elf_limits odd = {BASE + 0x800, BASE + 0x10800};
    assert_int_equal(parse_single(BASE + 0x800, 0x100, &odd), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(BASE + P, 0x100, &odd), ELF_OK);
    assert_int_equal(parse_single(BASE + 0xf000, P, &odd), ELF_OK);
    assert_int_equal(parse_single(BASE + 0xf000, P + 0x800, &odd), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(BASE + 0x10000, 0x100, &odd), ELF_ERR_SEGMENT_ADDRESS);

    const struct elf_limits empty = {BASE, BASE};
    const struct elf_limits inverted = {END, BASE};
    assert_int_equal(parse_single(BASE, P, &empty), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(parse_single(BASE, P, &inverted), ELF_ERR_SEGMENT_ADDRESS);

    struct img m;
    struct elf_image out;
    make_good(&m);
    memset(&out, 0xa5, sizeof out);
    assert_int_equal(elf_parse(m.b, m.size, NULL, &out), ELF_ERR_SEGMENT_ADDRESS);
    assert_int_equal(out.error_index, G_TEXT);
    assert_int_equal(out.segment_count, 0);
}

/* vaddr and offset must agree modulo the page; p_align must be 0, 1 or a power of two. */
static void test_segment_align(void **state)
{
    (void)state;
    struct img m;
    make_good(&m);
    set_ph(&m, G_RODATA, P_VADDR, 0x402248); /* vaddr % page 0x248, offset % page 0x240 */
    expect(&m, ELF_ERR_SEGMENT_ALIGN, G_RODATA);
    make_good(&m);
    set_ph(&m, G_DATA, P_OFFSET, 0x281);
    set_ph(&m, G_DATA, P_FILESZ, 0x3f);
    expect(&m, ELF_ERR_SEGMENT_ALIGN, G_DATA);

    const uint64_t bad_align[] = {3, 6, 0x1800, 0x1001, UINT64_MAX, (1ull << 63) + 1};
    for (size_t i = 0; i < sizeof bad_align / sizeof bad_align[0]; i++) {
        make_good(&m);
        set_ph(&m, G_TEXT, P_ALIGN, bad_align[i]);
        expect(&m, ELF_ERR_SEGMENT_ALIGN, G_TEXT);
    }
}

/* Two loads sharing any page are refused, the later in table order blamed. */
static void test_segment_overlap(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;

    /* rodata moved into the text's page: they share page 0x401000. */
    make_good(&m);
    set_ph(&m, G_RODATA, P_VADDR, 0x401240);
    expect(&m, ELF_ERR_SEGMENT_OVERLAP, G_RODATA);

    /* data's bss reaches into the page of a later segment listed after it. */
    make_good(&m);
    set_ph(&m, G_RODATA, P_VADDR, 0x405240);
    expect(&m, ELF_ERR_SEGMENT_OVERLAP, G_DATA);

    /* Identical segments, and one inside another. */
    make_good(&m);
    set_ph(&m, G_RODATA, P_OFFSET, 0x200);
    set_ph(&m, G_RODATA, P_VADDR, 0x401200);
    expect(&m, ELF_ERR_SEGMENT_OVERLAP, G_RODATA);
    make_good(&m);
    set_ph(&m, G_TEXT, P_VADDR, 0x404200); /* inside data's bss pages */
    expect(&m, ELF_ERR_SEGMENT_OVERLAP, G_DATA);

    /* Adjacent pages are fine: a segment ending on a page boundary, the next starting there. */
    img_init(&m, 0x1000, 0x401200);
    img_phdr(&m, PT_LOAD, R | X, 0x200, 0x401200, 0x10, 0xe00, P); /* ends at 0x402000 */
    img_phdr(&m, PT_LOAD, R, 0, 0x402000, 0x10, 0x10, P);
    img_phdr(&m, PT_LOAD, R | W, 0xfff, 0x402fff, 0x1, 0x1, P); /* last byte of the page */
    expect(&m, ELF_ERR_SEGMENT_OVERLAP, 2);
    set_ph(&m, 2, P_VADDR, 0x403fff);
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    assert_int_equal(out.segment_count, 3);

    /* Near the top of a full window: page arithmetic must not wrap. */
    const struct elf_limits all = {0, UINT64_MAX};
    const uint64_t top = UINT64_MAX - P + 1;
    img_init(&m, 0x400, top - 2 * P + 0x200);
    img_phdr(&m, PT_LOAD, R | X, 0x200, top - 2 * P + 0x200, 0x10, 0x10, P);
    img_phdr(&m, PT_LOAD, R, 0x200, top - P + 0x200, 0x10, 0xe00 - 1, P);
    assert_int_equal(parse_with(m.b, m.size, &all, false, &out), ELF_OK);
    set_ph(&m, 1, P_VADDR, top - 2 * P + 0x200);
    set_ph(&m, 1, P_MEMSZ, 0x10);
    assert_int_equal(parse_with(m.b, m.size, &all, false, &out), ELF_ERR_SEGMENT_OVERLAP);
    assert_int_equal(out.error_index, 1);
}

/* No load may be both writable and executable. */
static void test_segment_wx(void **state)
{
    (void)state;
    struct img m;
    make_good(&m);
    set_ph(&m, G_DATA, P_FLAGS, R | W | X);
    expect(&m, ELF_ERR_SEGMENT_WX, G_DATA);
    make_good(&m);
    set_ph(&m, G_TEXT, P_FLAGS, W | X);
    expect(&m, ELF_ERR_SEGMENT_WX, G_TEXT);
    /* W^X concerns loads only: a PT_GNU_STACK asking for RWX is ignored. */
    make_good(&m);
    set_ph(&m, G_STACK, P_FLAGS, R | W | X);
    expect_ok(&m);
}

/* The 17th load is refused and blamed. */
static void test_too_many_segments(void **state)
{
    (void)state;
    struct img m;
    img_init(&m, 0x1000, 0x401000);
    for (size_t i = 0; i <= ELF_MAX_SEGMENTS; i++) {
        img_phdr(&m, PT_LOAD, i == 0 ? R | X : R, 0, 0x401000 + i * P, 0x10, 0x10, P);
    }
    expect(&m, ELF_ERR_TOO_MANY_SEGMENTS, ELF_MAX_SEGMENTS);
    /* memsz-0 loads do not count. */
    set_ph(&m, 3, P_MEMSZ, 0);
    set_ph(&m, 3, P_FILESZ, 0);
    expect_ok(&m);
}

/* A file with nothing to map is refused. */
static void test_no_segments(void **state)
{
    (void)state;
    struct img m;
    img_init(&m, 0x400, 0x401200);
    img_phdr(&m, PT_NOTE, R, 0x200, 0x401200, 0x10, 0x10, 4);
    expect(&m, ELF_ERR_NO_SEGMENTS, -1);
    img_phdr(&m, PT_LOAD, R | X, 0x200, 0x401200, 0, 0, P);
    img_phdr(&m, PT_GNU_STACK, R | W, 0, 0, 0, 0, 16);
    expect(&m, ELF_ERR_NO_SEGMENTS, -1);
}

/* The entry point must be in the file-backed part of an executable load. */
static void test_entry(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;
    const struct {
        uint64_t entry;
        int status;
    } cases[] = {
        {0x401200, ELF_OK},                  /* first byte of text */
        {0x40123f, ELF_OK},                  /* last file-backed byte of text */
        {0x401240, ELF_ERR_ENTRY},           /* one past text */
        {0x4011ff, ELF_ERR_ENTRY},           /* one before text */
        {0x402240, ELF_ERR_ENTRY},           /* readable, not executable */
        {0x403290, ELF_ERR_ENTRY},           /* writable data */
        {0x404000, ELF_ERR_ENTRY},           /* bss */
        {0, ELF_ERR_ENTRY},                  /* unset */
        {UINT64_MAX, ELF_ERR_ENTRY},         /* wraps if entry - vaddr were computed carelessly */
        {0xffffffff80000000, ELF_ERR_ENTRY}, /* kernel */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        make_good(&m);
        set_eh(&m, E_ENTRY, cases[i].entry, 8);
        expect(&m, cases[i].status, -1);
    }

    /* Code in an executable segment's zero-filled tail is not code: entry must be file-backed. */
    make_good(&m);
    set_ph(&m, G_TEXT, P_MEMSZ, 0x800);
    set_eh(&m, E_ENTRY, 0x401240, 8);
    expect(&m, ELF_ERR_ENTRY, -1);
    set_eh(&m, E_ENTRY, 0x40123f, 8);
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    assert_int_equal(out.entry, 0x40123f);

    /* An executable segment with no file bytes cannot hold the entry. */
    make_good(&m);
    set_ph(&m, G_TEXT, P_FILESZ, 0);
    expect(&m, ELF_ERR_ENTRY, -1);

    /* Entry in a second executable segment is fine. */
    make_good(&m);
    set_ph(&m, G_RODATA, P_FLAGS, R | X);
    set_eh(&m, E_ENTRY, 0x402250, 8);
    expect_ok(&m);
}

/* PT_INTERP and PT_DYNAMIC are refused wherever they appear. */
static void test_dynamic(void **state)
{
    (void)state;
    struct img m;
    make_good(&m);
    set_ph(&m, G_NOTE, P_TYPE, PT_INTERP);
    expect(&m, ELF_ERR_DYNAMIC, G_NOTE);
    make_good(&m);
    set_ph(&m, G_STACK, P_TYPE, PT_DYNAMIC);
    expect(&m, ELF_ERR_DYNAMIC, G_STACK);
    /* Refused for its presence alone, before any later problem. */
    make_good(&m);
    set_ph(&m, G_TEXT, P_TYPE, PT_INTERP);
    expect(&m, ELF_ERR_DYNAMIC, G_TEXT);
}

/* PT_TLS: at most one, filesz <= memsz, inside the file, align a power of two <= 4096. */
static void test_tls(void **state)
{
    (void)state;
    struct img m;
    struct elf_image out;

    make_good(&m);
    set_ph(&m, G_NOTE, P_TYPE, PT_TLS); /* a second PT_TLS */
    expect(&m, ELF_ERR_TLS, G_NOTE);

    make_good(&m);
    set_ph(&m, G_TLS, P_FILESZ, 0x21);
    expect(&m, ELF_ERR_TLS, G_TLS);

    make_good(&m);
    set_ph(&m, G_TLS, P_OFFSET, 0x2b0);
    set_ph(&m, G_TLS, P_FILESZ, 0x11); /* one byte past the end */
    expect(&m, ELF_ERR_TLS, G_TLS);
    set_ph(&m, G_TLS, P_FILESZ, 0x10); /* exactly to the end */
    expect_ok(&m);

    make_good(&m);
    set_ph(&m, G_TLS, P_OFFSET, SIZE_MAX);
    set_ph(&m, G_TLS, P_FILESZ, 1);
    expect(&m, ELF_ERR_TLS, G_TLS);
    make_good(&m);
    set_ph(&m, G_TLS, P_FILESZ, UINT64_MAX - 0x27f); /* offset + filesz == 2^64 */
    set_ph(&m, G_TLS, P_MEMSZ, UINT64_MAX);
    expect(&m, ELF_ERR_TLS, G_TLS);

    const uint64_t bad_align[] = {0, 3, 24, 2 * P, UINT64_MAX, 1ull << 63};
    for (size_t i = 0; i < sizeof bad_align / sizeof bad_align[0]; i++) {
        make_good(&m);
        set_ph(&m, G_TLS, P_ALIGN, bad_align[i]);
        expect(&m, ELF_ERR_TLS, G_TLS);
    }
    const uint64_t good_align[] = {1, 2, 64, P};
    for (size_t i = 0; i < sizeof good_align / sizeof good_align[0]; i++) {
        make_good(&m);
        set_ph(&m, G_TLS, P_ALIGN, good_align[i]);
        assert_int_equal(parse_img(&m, &out), ELF_OK);
        assert_int_equal(out.tls_align, good_align[i]);
    }

    /* A bss-only template (filesz 0) is fine. */
    make_good(&m);
    set_ph(&m, G_TLS, P_FILESZ, 0);
    assert_int_equal(parse_img(&m, &out), ELF_OK);
    expect_seg(&out.tls, 0x403280, 0x20, 0x280, 0, R);
}

/* Errors are reported for the first bad header in table order, and later ones are not looked at. */
static void test_first_error_wins(void **state)
{
    (void)state;
    struct img m;
    make_good(&m);
    set_ph(&m, G_DATA, P_FLAGS, R | W | X);
    set_ph(&m, G_NOTE, P_TYPE, PT_DYNAMIC);
    expect(&m, ELF_ERR_SEGMENT_WX, G_DATA);
    /* Header errors come before any segment error. */
    set_eh(&m, E_MACHINE, 3, 2);
    expect(&m, ELF_ERR_MACHINE, -1);
}

/* Every status has its own phrase; unknown values get a fallback, never NULL. */
static void test_strerror(void **state)
{
    (void)state;
    for (int st = ELF_OK; st >= ELF_ERR_TLS; st--) {
        const char *s = elf_strerror(st);
        assert_non_null(s);
        assert_true(strlen(s) > 1);
        for (int other = st + 1; other <= ELF_OK; other++) {
            assert_string_not_equal(s, elf_strerror(other));
        }
    }
    assert_string_equal(elf_strerror(ELF_ERR_SEGMENT_ADDRESS),
                        "segment address outside user space [user_base, user_end)");
    assert_string_equal(elf_strerror(1), "unknown ELF status");
    assert_string_equal(elf_strerror(-19), "unknown ELF status");
    assert_non_null(elf_strerror(-2147483647 - 1));
}

/* ---- fuzz ------------------------------------------------------------------------------ */

/* Every prefix of a good image: no read past the prefix, and only the full image is accepted. */
static void fuzz_truncations(const uint8_t *data, size_t size)
{
    struct elf_image out;
    for (size_t n = 0; n <= size; n++) {
        int st = parse_with(data, n, &limits, false, &out);
        if (n == size) {
            assert_int_equal(st, ELF_OK);
        }
    }
}

/* Every byte set to each of a few telling values. */
static void fuzz_bytes(const uint8_t *data, size_t size)
{
    static const uint8_t values[] = {0, 0xff, 0x80, 1, 0x40};
    uint8_t *copy = malloc(size);
    assert_non_null(copy);
    struct elf_image out;
    for (size_t i = 0; i < size; i++) {
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(copy, data, size);
            copy[i] = values[v];
            parse_with(copy, size, &limits, false, &out);
        }
    }
    free(copy);
}

static uint64_t rng_state;

/* xorshift64*: deterministic across runs and platforms, so failures reproduce. */
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* Random multi-byte mutations biased toward the headers and toward boundary values. */
static void fuzz_random(const uint8_t *data, size_t size, uint64_t seed, unsigned rounds)
{
    const uint64_t interesting[] = {
        0,
        1,
        7,
        8,
        0x40,
        0x1000,
        0xfff,
        BASE,
        END,
        END - 1,
        END - P,
        UINT64_MAX,
        UINT64_MAX - P + 1,
        1ull << 63,
        SIZE_MAX - 0xfff,
        0x7fffffff,
        0xffffffff,
        0x100000000ull,
        PT_LOAD,
        PT_TLS,
        size,
        size - 1,
        size + 1,
    };
    const size_t n_interesting = sizeof interesting / sizeof interesting[0];
    uint8_t *copy = malloc(size);
    assert_non_null(copy);
    struct elf_image out;
    unsigned ok = 0;
    rng_state = seed;
    for (unsigned r = 0; r < rounds; r++) {
        memcpy(copy, data, size);
        size_t len = size;
        unsigned mutations = 1 + (unsigned)(rng() % 4);
        for (unsigned k = 0; k < mutations; k++) {
            uint64_t pick = rng();
            /* Mostly inside the ELF header and the program header table, where fields live. */
            size_t hot = size < 0x400 ? size : 0x400;
            size_t pos = (pick & 1) ? (size_t)(rng() % hot) : (size_t)(rng() % size);
            switch ((pick >> 1) % 5) {
            case 0:
                copy[pos] = (uint8_t)rng();
                break;
            case 1:
            case 2: {
                unsigned width = 1u << (rng() % 4); /* 1, 2, 4 or 8 bytes */
                uint64_t v = (rng() & 1) ? interesting[rng() % n_interesting] : rng();
                if (rng() % 4 == 0) {
                    v += rng() % 3 - 1; /* the value, or one off either way */
                }
                pos &= ~(size_t)(width - 1);
                if (width <= size - pos) {
                    put(copy + pos, v, width);
                }
                break;
            }
            case 3: {
                /* Copy one program header field over another, as a confused linker might. */
                size_t from = (size_t)(rng() % size) & ~(size_t)7;
                size_t to = pos & ~(size_t)7;
                if (from <= size - 8 && to <= size - 8) {
                    put(copy + to, get(copy + from, 8), 8);
                }
                break;
            }
            default:
                len = (size_t)(rng() % (size + 1));
                break;
            }
        }
        if (parse_with(copy, len, &limits, (r & 1) != 0, &out) == ELF_OK) {
            ok++;
        }
    }
    free(copy);
    /* Sanity: the mutator leaves some images valid, so the accepting path is exercised too. */
    assert_true(ok > 0);
    assert_true(ok < rounds);
}

/* Truncations, byte substitutions and random mutations of the built image. */
static void test_fuzz_good_image(void **state)
{
    (void)state;
    struct img m;
    make_good(&m);
    fuzz_truncations(m.b, m.size);
    fuzz_bytes(m.b, m.size);
    fuzz_random(m.b, m.size, 0x6d697373697665ull, 25000);
}

/* The same mutations of the real executable. */
static void test_fuzz_real_executable(void **state)
{
    (void)state;
    fuzz_truncations(tiny_elf, sizeof tiny_elf);
    fuzz_bytes(tiny_elf, sizeof tiny_elf);
    fuzz_random(tiny_elf, sizeof tiny_elf, 0x656c66ull, 25000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_image),
        cmocka_unit_test(test_unaligned_input),
        cmocka_unit_test(test_segments_sorted),
        cmocka_unit_test(test_ignored_headers),
        cmocka_unit_test(test_segment_to_end_of_file),
        cmocka_unit_test(test_flags_and_align_allowed),
        cmocka_unit_test(test_max_counts),
        cmocka_unit_test(test_real_executable),
        cmocka_unit_test(test_truncated_header),
        cmocka_unit_test(test_truncated_phdrs),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_bad_class),
        cmocka_unit_test(test_bad_encoding),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_unchecked_header_fields),
        cmocka_unit_test(test_bad_type),
        cmocka_unit_test(test_bad_machine),
        cmocka_unit_test(test_bad_phdr_table),
        cmocka_unit_test(test_phdr_table_elsewhere),
        cmocka_unit_test(test_segment_bounds),
        cmocka_unit_test(test_segment_address_limits),
        cmocka_unit_test(test_segment_address_overflow),
        cmocka_unit_test(test_segment_address_odd_limits),
        cmocka_unit_test(test_segment_align),
        cmocka_unit_test(test_segment_overlap),
        cmocka_unit_test(test_segment_wx),
        cmocka_unit_test(test_too_many_segments),
        cmocka_unit_test(test_no_segments),
        cmocka_unit_test(test_entry),
        cmocka_unit_test(test_dynamic),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_first_error_wins),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_fuzz_good_image),
        cmocka_unit_test(test_fuzz_real_executable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
