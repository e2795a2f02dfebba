/*
 * ELF64 executable validator. See elf.h for the contract.
 *
 * Bounds discipline: every file-supplied offset is compared against the bytes remaining
 * (`len > size - off` after `off <= size`), never added to something first, and every address
 * sum is formed only after a check has shown it cannot wrap. Sizes are compared as uint64_t so
 * the same code is right whatever the width of size_t.
 */
#include "elf/elf.h"

/* ELF header layout (ELF-64 Object File Format, version 1.5). */
#define EHDR_SIZE   64u
#define EI_MAG0     0
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define E_TYPE      16
#define E_MACHINE   18
#define E_VERSION   20
#define E_ENTRY     24
#define E_PHOFF     32
#define E_EHSIZE    52
#define E_PHENTSIZE 54
#define E_PHNUM     56
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_X86_64   62
#define PHDR_MAX    64u
#define PHDR_ALIGN  8u
#define PHDR_SIZE   56u

/* Program header layout. */
#define P_TYPE   0
#define P_FLAGS  4
#define P_OFFSET 8
#define P_VADDR  16
#define P_FILESZ 32
#define P_MEMSZ  40
#define P_ALIGN  48

#define PT_LOAD    1
#define PT_DYNAMIC 2
#define PT_INTERP  3
#define PT_TLS     7

#define PAGE     ((uint64_t)ELF_PAGE_SIZE)
#define SEG_MASK ((uint32_t)(ELF_SEG_R | ELF_SEG_W | ELF_SEG_X))

/* One program header, decoded; p_offset etc. keep their ELF names to ease auditing. */
struct phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};

/* Little-endian load of n <= 8 bytes; byte by byte so any alignment of the input is fine. */
static uint64_t load_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i > 0; i--) {
        v = (v << 8) | p[i - 1];
    }
    return v;
}

/* Fixed-width little-endian loads of ELF fields at p; the caller has bounds-checked them. */
static uint16_t load16(const uint8_t *p)
{
    return (uint16_t)load_le(p, 2);
}

/* As load16, for 32-bit fields. */
static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)load_le(p, 4);
}

/* As load16, for 64-bit fields. */
static uint64_t load64(const uint8_t *p)
{
    return load_le(p, 8);
}

/* True for 1, 2, 4, ...; callers decide separately whether 0 ("no constraint") is allowed. */
static bool is_pow2(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* True if [off, off + len) lies inside a file of `size` bytes; cannot wrap for any inputs. */
static bool file_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

/* Zero segment, written field by field: a struct literal could become a memset call. */
static void clear_segment(struct elf_segment *s)
{
    s->vaddr = 0;
    s->memsz = 0;
    s->offset = 0;
    s->filesz = 0;
    s->flags = 0;
}

/* Puts *out in the documented "nothing valid" state that both entry and every error leave. */
static void clear_image(struct elf_image *out, int error_index)
{
    out->entry = 0;
    for (size_t i = 0; i < ELF_MAX_SEGMENTS; i++) {
        clear_segment(&out->segments[i]);
    }
    out->segment_count = 0;
    out->has_tls = false;
    clear_segment(&out->tls);
    out->tls_align = 0;
    out->error_index = error_index;
}

/* Reports status: wipes the partial result so a caller ignoring the status finds nothing. */
static int fail(struct elf_image *out, int status, int error_index)
{
    clear_image(out, error_index);
    return status;
}

/* Decodes program header i; the caller has checked the whole table lies inside the file. */
static void read_phdr(const uint8_t *table, size_t i, struct phdr *ph)
{
    const uint8_t *p = table + i * PHDR_SIZE;
    ph->type = load32(p + P_TYPE);
    ph->flags = load32(p + P_FLAGS);
    ph->offset = load64(p + P_OFFSET);
    ph->vaddr = load64(p + P_VADDR);
    ph->filesz = load64(p + P_FILESZ);
    ph->memsz = load64(p + P_MEMSZ);
    ph->align = load64(p + P_ALIGN);
}

/*
 * Checks the file header up to and including the program header table's placement. Returns
 * ELF_OK with the entry point, table offset and count, or the first field that is wrong, in
 * field order. Size is checked first so every fixed-offset read below is in bounds.
 */
static int check_header(const uint8_t *f, uint64_t size, uint64_t *entry, uint64_t *phoff,
                        uint16_t *phnum)
{
    static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};

    if (f == NULL || size < EHDR_SIZE) {
        return ELF_ERR_TRUNCATED;
    }
    for (unsigned i = 0; i < 4; i++) {
        if (f[EI_MAG0 + i] != magic[i]) {
            return ELF_ERR_MAGIC;
        }
    }
    if (f[EI_CLASS] != ELFCLASS64) {
        return ELF_ERR_CLASS;
    }
    if (f[EI_DATA] != ELFDATA2LSB) {
        return ELF_ERR_ENCODING;
    }
    /* EI_OSABI is deliberately not checked: static toolchains emit both SYSV and GNU. */
    if (f[EI_VERSION] != EV_CURRENT) {
        return ELF_ERR_VERSION;
    }
    if (load16(f + E_TYPE) != ET_EXEC) {
        return ELF_ERR_TYPE;
    }
    if (load16(f + E_MACHINE) != EM_X86_64) {
        return ELF_ERR_MACHINE;
    }
    if (load32(f + E_VERSION) != EV_CURRENT) {
        return ELF_ERR_VERSION;
    }

    const uint64_t off = load64(f + E_PHOFF);
    const uint16_t num = load16(f + E_PHNUM);
    /*
     * Exact sizes rather than ">=": the format has one layout, and anything else means a
     * different format or a forged header. A table overlapping the ELF header is never produced
     * by a linker, so it is refused rather than half-interpreted. e_phnum 0xffff (PN_XNUM, real
     * count in section 0) exceeds the maximum and is refused with it.
     */
    if (load16(f + E_EHSIZE) != EHDR_SIZE || load16(f + E_PHENTSIZE) != PHDR_SIZE || num == 0 ||
        num > PHDR_MAX || off % PHDR_ALIGN != 0 || off < EHDR_SIZE) {
        return ELF_ERR_PHDR;
    }
    /* num <= 64, so num * 56 cannot overflow. */
    if (!file_range_ok(off, (uint64_t)num * PHDR_SIZE, size)) {
        return ELF_ERR_TRUNCATED;
    }

    *entry = load64(f + E_ENTRY);
    *phoff = off;
    *phnum = num;
    return ELF_OK;
}

/*
 * Checks a PT_TLS header and records it. Only the file range is checked against the file: the
 * template's vaddr is informational (see elf.h). Alignment 0 is refused, unlike for PT_LOAD,
 * because tls_align is handed to code that rounds with it and must be a real power of two.
 */
static int take_tls(const struct phdr *ph, uint64_t size, struct elf_image *out)
{
    if (out->has_tls || ph->filesz > ph->memsz || !file_range_ok(ph->offset, ph->filesz, size) ||
        !is_pow2(ph->align) || ph->align > PAGE) {
        return ELF_ERR_TLS;
    }
    out->has_tls = true;
    out->tls.vaddr = ph->vaddr;
    out->tls.memsz = ph->memsz;
    out->tls.offset = ph->offset;
    out->tls.filesz = ph->filesz;
    out->tls.flags = ph->flags & SEG_MASK;
    out->tls_align = ph->align;
    return ELF_OK;
}

/*
 * Checks that the whole pages of [vaddr, vaddr + memsz) (memsz > 0) lie in [base, end). Rounding
 * outward matters only for limits that are not page-aligned, where mapping the segment's first
 * or last page would otherwise reach outside the window. No sum here can wrap: vaddr + memsz is
 * formed only once it is known to be <= end, and rounding up is done by counting pages.
 */
static bool address_ok(uint64_t vaddr, uint64_t memsz, uint64_t base, uint64_t end)
{
    if (vaddr - vaddr % PAGE < base || vaddr >= end || memsz > end - vaddr) {
        return false;
    }
    const uint64_t seg_end = vaddr + memsz;
    const uint64_t end_pages = seg_end / PAGE + (seg_end % PAGE != 0);
    return end_pages <= end / PAGE;
}

/* Page number of a segment's first byte. */
static uint64_t first_page(const struct elf_segment *s)
{
    return s->vaddr / PAGE;
}

/*
 * Page number of a segment's last byte (memsz > 0). Inclusive rather than one-past-the-end so a
 * segment ending at 2^64 stays representable; the sum cannot wrap once address_ok() held.
 */
static uint64_t last_page(const struct elf_segment *s)
{
    return (s->vaddr + (s->memsz - 1)) / PAGE;
}

/*
 * Checks a PT_LOAD with memsz > 0 and inserts it into out->segments in vaddr order. Checks run
 * from the segment's own fields to its relation with the others, so the reported error is
 * about this header whenever it is wrong on its own.
 */
static int take_load(const struct phdr *ph, uint64_t size, const struct elf_limits *limits,
                     struct elf_image *out)
{
    if (ph->filesz > ph->memsz || !file_range_ok(ph->offset, ph->filesz, size)) {
        return ELF_ERR_SEGMENT_BOUNDS;
    }
    /* An empty window when limits is NULL: nothing can be loaded without being told where. */
    const uint64_t base = limits != NULL ? limits->user_base : 1;
    const uint64_t end = limits != NULL ? limits->user_end : 0;
    if (!address_ok(ph->vaddr, ph->memsz, base, end)) {
        return ELF_ERR_SEGMENT_ADDRESS;
    }
    /* Congruence lets the file page be mapped directly; only the page size matters to us. */
    if ((ph->align > 1 && !is_pow2(ph->align)) || ph->vaddr % PAGE != ph->offset % PAGE) {
        return ELF_ERR_SEGMENT_ALIGN;
    }
    if ((ph->flags & ELF_SEG_W) != 0 && (ph->flags & ELF_SEG_X) != 0) {
        return ELF_ERR_SEGMENT_WX;
    }

    struct elf_segment seg = {
        .vaddr = ph->vaddr,
        .memsz = ph->memsz,
        .offset = ph->offset,
        .filesz = ph->filesz,
        .flags = ph->flags & SEG_MASK,
    };
    /* Page granularity: two segments sharing a page would need conflicting mappings of it. */
    size_t pos = out->segment_count;
    for (size_t i = 0; i < out->segment_count; i++) {
        const struct elf_segment *o = &out->segments[i];
        if (first_page(&seg) <= last_page(o) && first_page(o) <= last_page(&seg)) {
            return ELF_ERR_SEGMENT_OVERLAP;
        }
        if (pos == out->segment_count && seg.vaddr < o->vaddr) {
            pos = i;
        }
    }
    if (out->segment_count == ELF_MAX_SEGMENTS) {
        return ELF_ERR_TOO_MANY_SEGMENTS;
    }
    for (size_t i = out->segment_count; i > pos; i--) {
        out->segments[i] = out->segments[i - 1];
    }
    out->segments[pos] = seg;
    out->segment_count++;
    return ELF_OK;
}

/* True if entry is in the file-backed bytes of an executable segment; bss holds no code. */
static bool entry_ok(const struct elf_image *img, uint64_t entry)
{
    for (size_t i = 0; i < img->segment_count; i++) {
        const struct elf_segment *s = &img->segments[i];
        if ((s->flags & ELF_SEG_X) != 0 && entry >= s->vaddr && entry - s->vaddr < s->filesz) {
            return true;
        }
    }
    return false;
}

/* Contract in elf.h: header first, then program headers in table order, then the entry point. */
int elf_parse(const void *file, size_t size, const struct elf_limits *limits, struct elf_image *out)
{
    const uint8_t *f = file;
    const uint64_t fsize = f != NULL ? (uint64_t)size : 0;
    uint64_t entry = 0, phoff = 0;
    uint16_t phnum = 0;

    clear_image(out, -1);
    int st = check_header(f, fsize, &entry, &phoff, &phnum);
    if (st != ELF_OK) {
        return fail(out, st, -1);
    }

    /* phoff <= size was checked, so it fits in size_t. */
    const uint8_t *table = f + (size_t)phoff;
    for (size_t i = 0; i < phnum; i++) {
        struct phdr ph;
        read_phdr(table, i, &ph);
        switch (ph.type) {
        case PT_INTERP:
        case PT_DYNAMIC:
            st = ELF_ERR_DYNAMIC;
            break;
        case PT_TLS:
            st = take_tls(&ph, fsize, out);
            break;
        case PT_LOAD:
            /* Maps nothing, so nothing about it can hurt; linkers emit these for empty output. */
            st = ph.memsz != 0 ? take_load(&ph, fsize, limits, out) : ELF_OK;
            break;
        default:
            /* PT_NOTE, PT_PHDR, PT_GNU_STACK, ...: nothing a static loader must act on. */
            st = ELF_OK;
            break;
        }
        if (st != ELF_OK) {
            return fail(out, st, (int)i);
        }
    }

    if (out->segment_count == 0) {
        return fail(out, ELF_ERR_NO_SEGMENTS, -1);
    }
    if (!entry_ok(out, entry)) {
        return fail(out, ELF_ERR_ENTRY, -1);
    }
    out->entry = entry;
    return ELF_OK;
}

/* Contract in elf.h: a static string for every input, so callers can print any status. */
const char *elf_strerror(int status)
{
    switch (status) {
    case ELF_OK:
        return "ok";
    case ELF_ERR_TRUNCATED:
        return "file truncated: shorter than the ELF header or the program header table";
    case ELF_ERR_MAGIC:
        return "not an ELF file (magic must be \\x7fELF)";
    case ELF_ERR_CLASS:
        return "wrong ELF class (only ELFCLASS64 is allowed)";
    case ELF_ERR_ENCODING:
        return "wrong data encoding (only little-endian is allowed)";
    case ELF_ERR_VERSION:
        return "wrong ELF version (must be 1)";
    case ELF_ERR_TYPE:
        return "wrong file type (only static ET_EXEC executables are allowed)";
    case ELF_ERR_MACHINE:
        return "wrong machine (only EM_X86_64 is allowed)";
    case ELF_ERR_PHDR:
        return "bad program header table (need ehsize 64, phentsize 56, 1..64 entries, phoff "
               "8-aligned after the ELF header)";
    case ELF_ERR_SEGMENT_BOUNDS:
        return "segment file range past end of file, or filesz larger than memsz";
    case ELF_ERR_SEGMENT_ADDRESS:
        return "segment address outside user space [user_base, user_end)";
    case ELF_ERR_SEGMENT_ALIGN:
        return "segment misaligned (vaddr and offset must agree modulo the page size, align 0, 1 "
               "or a power of two)";
    case ELF_ERR_SEGMENT_OVERLAP:
        return "segments overlap (no two loadable segments may share a page)";
    case ELF_ERR_SEGMENT_WX:
        return "segment both writable and executable (W^X required)";
    case ELF_ERR_TOO_MANY_SEGMENTS:
        return "too many loadable segments (at most 16)";
    case ELF_ERR_NO_SEGMENTS:
        return "no loadable segment (need a PT_LOAD with memsz > 0)";
    case ELF_ERR_ENTRY:
        return "entry point outside the file-backed part of an executable segment";
    case ELF_ERR_DYNAMIC:
        return "dynamically linked (PT_INTERP or PT_DYNAMIC not allowed)";
    case ELF_ERR_TLS:
        return "bad TLS segment (at most one; filesz <= memsz, inside the file, align a power of "
               "two up to 4096)";
    default:
        return "unknown ELF status";
    }
}
