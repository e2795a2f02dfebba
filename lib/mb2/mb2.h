/*
 * Multiboot2 boot information (MBI) parser.
 *
 * The kernel receives the MBI address from the bootloader before any memory
 * management exists, so this parser is freestanding: it never allocates, never
 * calls libc, and treats the MBI as untrusted bytes. Every read stays inside
 * [mbi, mbi + limit) and within total_size, whatever the contents are.
 *
 * Pointers stored in struct mb2_info (strings, mmap entries, RSDP) point into
 * the MBI itself; they stay valid only as long as the MBI memory does.
 */
#ifndef MB2_MB2_H
#define MB2_MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value the bootloader leaves in EAX; the caller checks it before parsing. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_MAX_MODULES      16

enum mb2_status {
    MB2_OK = 0,
    MB2_ERR_ALIGN = -1,       /* mbi pointer not 8-byte aligned */
    MB2_ERR_TOTAL_SIZE = -2,  /* total_size < 16, not a multiple of 8, or larger than limit */
    MB2_ERR_TAG_SIZE = -3,    /* a tag with size < 8, or running past total_size */
    MB2_ERR_NO_END = -4,      /* no end tag (type 0, size 8) before total_size */
    MB2_ERR_TAG_PAYLOAD = -5, /* a known tag whose size is too small for its fixed fields, or an
                                 mmap entry_size < 24 or not a multiple of 8, or a string not
                                 NUL-terminated inside its tag */
};

enum mb2_mmap_type {
    MB2_MEM_AVAILABLE = 1,
    MB2_MEM_RESERVED = 2,
    MB2_MEM_ACPI_RECLAIMABLE = 3,
    MB2_MEM_NVS = 4,
    MB2_MEM_BAD = 5
};

struct mb2_mmap_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type; /* enum mb2_mmap_type, or another value the firmware reported */
};

struct mb2_module {
    uint32_t start;
    uint32_t end; /* exclusive */
    const char *cmdline;
};

struct mb2_framebuffer {
    uint64_t addr;
    uint32_t pitch;
    uint32_t width;
    uint32_t height;
    uint8_t bpp;
    uint8_t type; /* 0 indexed, 1 RGB, 2 EGA text */
    /* valid when type == 1 */
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct mb2_info {
    uint32_t total_size;
    const char *cmdline;         /* NULL if no tag (type 1) */
    const char *bootloader_name; /* NULL if no tag (type 2) */
    bool has_meminfo;            /* type 4 */
    uint32_t mem_lower_kb, mem_upper_kb;
    const uint8_t *mmap_entries; /* type 6; read entries with mb2_mmap_get() */
    uint32_t mmap_entry_size;
    size_t mmap_count;                          /* 0 if absent */
    struct mb2_module modules[MB2_MAX_MODULES]; /* type 3, in MBI order */
    size_t module_count;
    size_t modules_dropped; /* modules beyond MB2_MAX_MODULES */
    bool has_framebuffer;   /* type 8 */
    struct mb2_framebuffer framebuffer;
    /* type 14 (old, version 1) or 15 (new, version 2); the new one is preferred when both are
       present; NULL/0 if absent. rsdp points just after the tag header and rsdp_size is the
       number of payload bytes the tag carries (>= 20 for version 1, >= 36 for version 2). */
    const void *rsdp;
    size_t rsdp_size;
    int rsdp_version;
    bool has_efi64; /* type 12 */
    uint64_t efi64_system_table;
    bool efi_boot_services_not_exited; /* type 18 present */
    uint64_t load_base_addr;           /* type 21 */
    bool has_load_base;
    size_t unknown_tags; /* tags of types not listed above, skipped */
    size_t error_offset; /* on error: offset of the offending tag from mbi */
};

/*
 * Parses the MBI at mbi; limit is how many bytes from mbi the caller knows are readable (the
 * parser reads total_size from the first word only if limit >= 8). Fills *out (zeroed first) and
 * returns MB2_OK or an error.
 *
 * out must not be NULL. A NULL mbi is treated as "nothing readable" (MB2_ERR_TOTAL_SIZE). On
 * error every field of *out is zero except error_offset: the offending tag's offset, 0 for
 * header errors (alignment, total_size), total_size for MB2_ERR_NO_END. Parsing stops at the
 * first end tag; bytes after it, up to total_size, are ignored. For singleton tags appearing more
 * than once the first occurrence wins (all occurrences are still validated). A type-0 tag whose
 * size is not 8 is rejected with MB2_ERR_TAG_SIZE.
 */
int mb2_parse(const void *mbi, size_t limit, struct mb2_info *out);

/*
 * Copies memory map entry i (i < info->mmap_count) into *out; false if i is out of range. Reads
 * fields with memcpy-free byte loops since entries may be unaligned in hand-made blobs.
 */
bool mb2_mmap_get(const struct mb2_info *info, size_t i, struct mb2_mmap_entry *out);

/* Returns a static, human-readable description of an mb2_status value; never NULL. */
const char *mb2_strerror(int status);

/* "available", "reserved", "ACPI reclaimable", "ACPI NVS", "bad", "unknown"; never NULL. */
const char *mb2_mmap_type_name(uint32_t type);

#endif /* MB2_MB2_H */
