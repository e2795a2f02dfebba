/*
 * Validator and parser for static ELF64 x86_64 executables (ET_EXEC), as loaded from the initrd
 * by the kernel and later by the user-space process server.
 *
 * The file is untrusted. elf_parse() checks every header field it relies on and every program
 * header's bounds, and either describes exactly what to map or returns an error; whatever the
 * bytes are, it reads only inside [file, file + size) and no arithmetic on file-supplied values
 * can wrap. Input may be unaligned: multi-byte fields are assembled byte by byte.
 *
 * Freestanding: depends only on <stdint.h>, <stddef.h> and <stdbool.h> and calls no libc
 * function. Nothing is allocated and nothing points into the file afterwards; the result is
 * offsets and addresses that the caller maps and copies itself.
 */
#ifndef MISSIVE_LIB_ELF_H
#define MISSIVE_LIB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "missive/abi.h" /* PAGE_SIZE: segments are mapped in pages */

#define ELF_MAX_SEGMENTS 16
#define ELF_PAGE_SIZE    PAGE_SIZE

/* Segment permissions; the same bits as p_flags (PF_X, PF_W, PF_R). */
enum elf_seg_flags { ELF_SEG_X = 1, ELF_SEG_W = 2, ELF_SEG_R = 4 };

enum elf_status {
    ELF_OK = 0,
    ELF_ERR_TRUNCATED = -1,          /* file smaller than the ELF header, or program headers past
                                        the end */
    ELF_ERR_MAGIC = -2,              /* not \x7fELF */
    ELF_ERR_CLASS = -3,              /* not ELFCLASS64 */
    ELF_ERR_ENCODING = -4,           /* not little-endian */
    ELF_ERR_VERSION = -5,            /* e_ident version or e_version not 1 */
    ELF_ERR_TYPE = -6,               /* not ET_EXEC (Missive loads static, non-PIE programs) */
    ELF_ERR_MACHINE = -7,            /* not EM_X86_64 */
    ELF_ERR_PHDR = -8,               /* e_phentsize != 56, e_phnum 0 or > 64, e_ehsize != 64,
                                        phoff misaligned(8) or inside the ELF header */
    ELF_ERR_SEGMENT_BOUNDS = -9,     /* a PT_LOAD's file range past the end of the file, or
                                        filesz > memsz */
    ELF_ERR_SEGMENT_ADDRESS = -10,   /* a PT_LOAD outside [limits.user_base, limits.user_end), or
                                        vaddr+memsz overflows */
    ELF_ERR_SEGMENT_ALIGN = -11,     /* vaddr % page != offset % page, or p_align not 0/1/power of
                                        two */
    ELF_ERR_SEGMENT_OVERLAP = -12,   /* two PT_LOADs share a page */
    ELF_ERR_SEGMENT_WX = -13,        /* a PT_LOAD both writable and executable (W^X) */
    ELF_ERR_TOO_MANY_SEGMENTS = -14, /* more than ELF_MAX_SEGMENTS PT_LOADs */
    ELF_ERR_NO_SEGMENTS = -15,       /* no PT_LOAD with memsz > 0 */
    ELF_ERR_ENTRY = -16, /* entry point not inside an executable PT_LOAD's [vaddr, vaddr+filesz) */
    ELF_ERR_DYNAMIC = -17, /* PT_INTERP or PT_DYNAMIC present: no dynamic linking */
    ELF_ERR_TLS = -18,     /* PT_TLS bad: more than one, filesz > memsz, file range out of bounds,
                              align not power of two or > 4096 */
};

/* The user address window segments must fit in, e.g. 0x400000 and 0x0000800000000000. */
struct elf_limits {
    uint64_t user_base;
    uint64_t user_end; /* exclusive */
};

struct elf_segment {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t offset; /* file offset of the initialized bytes */
    uint64_t filesz; /* bytes to copy from the file; the rest of memsz is zero-filled */
    uint32_t flags;  /* elf_seg_flags; other p_flags bits are dropped */
};

struct elf_image {
    uint64_t entry;
    struct elf_segment segments[ELF_MAX_SEGMENTS]; /* PT_LOADs with memsz > 0, sorted by vaddr */
    size_t segment_count;
    bool has_tls;
    struct elf_segment tls; /* the PT_TLS template: initialized part from the file, rest zero */
    uint64_t tls_align;     /* power of two in [1, ELF_PAGE_SIZE] when has_tls */
    int error_index;        /* on a segment error: index of the offending program header, else -1 */
};

/*
 * Validates the whole file of `size` bytes at `file` against `limits` and describes it in *out.
 * Returns ELF_OK or the first problem found, checking the ELF header in field order and then the
 * program headers in table order (so on a segment error, out->error_index names the first bad
 * program header; for an overlap it is the later of the two in table order).
 *
 * *out is zeroed first with error_index -1; on error it is left zeroed apart from error_index,
 * so a half-validated image can never be used by mistake. `out` must not be NULL. A NULL `file`
 * reads as an empty one (ELF_ERR_TRUNCATED); a NULL `limits` is an empty address window, so any
 * loadable segment fails with ELF_ERR_SEGMENT_ADDRESS.
 *
 * Guarantees on ELF_OK:
 *  - every segment and the TLS template have offset + filesz <= size and filesz <= memsz;
 *  - every segment's whole pages lie inside [user_base, user_end) (for page-aligned limits this
 *    is the same as its byte range lying inside), no two segments share a page, none is W+X;
 *  - the entry point lies in the file-backed part of an executable segment.
 * tls.vaddr is reported as found and is not checked against the segments: initialize TLS from
 * the file range (tls.offset, tls.filesz), which is checked.
 */
int elf_parse(const void *file, size_t size, const struct elf_limits *limits,
              struct elf_image *out);

/*
 * Returns a short English phrase naming what was wrong and what was allowed; never NULL, also
 * for values that are not an elf_status.
 */
const char *elf_strerror(int status);

#endif /* MISSIVE_LIB_ELF_H */
