/*
 * Multiboot2 boot information parser. See mb2.h for the contract.
 *
 * Layouts follow the Multiboot2 specification as GRUB actually emits them: in the framebuffer
 * tag the field after framebuffer_type is a u16 "reserved" (GRUB's multiboot2.h), so the colour
 * info starts at offset 32, even though the specification text shows a u8 there.
 */
#include "mb2/mb2.h"

enum {
    TAG_END = 0,
    TAG_CMDLINE = 1,
    TAG_BOOTLOADER_NAME = 2,
    TAG_MODULE = 3,
    TAG_BASIC_MEMINFO = 4,
    TAG_MMAP = 6,
    TAG_FRAMEBUFFER = 8,
    TAG_EFI64 = 12,
    TAG_ACPI_OLD = 14,
    TAG_ACPI_NEW = 15,
    TAG_EFI_BS_NOT_EXITED = 18,
    TAG_LOAD_BASE_ADDR = 21,
};

/* Minimum tag sizes (header included) needed to read each tag's fixed fields. */
enum {
    TAG_HEADER_SIZE = 8,
    MBI_HEADER_SIZE = 8,
    MBI_MIN_TOTAL_SIZE = 16, /* header plus the end tag */
    MODULE_MIN_SIZE = 16,
    MEMINFO_MIN_SIZE = 16,
    MMAP_MIN_SIZE = 16,
    MMAP_ENTRY_MIN_SIZE = 24,
    FB_COMMON_SIZE = 32,
    FB_RGB_SIZE = 38,
    EFI64_MIN_SIZE = 16,
    RSDP_V1_SIZE = 20,
    RSDP_V2_SIZE = 36,
    LOAD_BASE_MIN_SIZE = 12,
};

enum { FB_TYPE_RGB = 1 };

/* Little-endian loads built from bytes: MBI fields may be unaligned in hand-made blobs and the
   kernel is built without a memcpy to lean on. Callers guarantee the bytes are in bounds. */
static uint32_t load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t load_u64(const uint8_t *p)
{
    return (uint64_t)load_u32(p) | (uint64_t)load_u32(p + 4) << 32;
}

/* Zeroes *info byte by byte. volatile keeps the compiler from turning the loop into a call to
   memset, which a freestanding kernel may not provide. */
static void zero_info(struct mb2_info *info)
{
    volatile unsigned char *p = (volatile unsigned char *)info;
    for (size_t i = 0; i < sizeof(*info); i++)
        p[i] = 0;
}

/* Returns the string at [s, end) if it is NUL-terminated before end, else NULL: callers later
   treat these as C strings, so an unterminated one would send them past the tag. */
static const char *terminated_string(const uint8_t *s, const uint8_t *end)
{
    for (const uint8_t *p = s; p < end; p++) {
        if (*p == 0)
            return (const char *)s;
    }
    return NULL;
}

/* Records the payload of one known tag in *out. tag points at a tag header whose size bytes are
   all inside the MBI (size >= 8). Returns MB2_OK or MB2_ERR_TAG_PAYLOAD. */
static int parse_tag(const uint8_t *tag, uint32_t type, uint32_t size, struct mb2_info *out)
{
    const uint8_t *end = tag + size;

    switch (type) {
    case TAG_CMDLINE:
    case TAG_BOOTLOADER_NAME: {
        const char *s = terminated_string(tag + TAG_HEADER_SIZE, end);
        if (s == NULL)
            return MB2_ERR_TAG_PAYLOAD;
        const char **slot = type == TAG_CMDLINE ? &out->cmdline : &out->bootloader_name;
        if (*slot == NULL)
            *slot = s;
        return MB2_OK;
    }
    case TAG_MODULE: {
        if (size < MODULE_MIN_SIZE)
            return MB2_ERR_TAG_PAYLOAD;
        uint32_t start = load_u32(tag + 8);
        uint32_t mod_end = load_u32(tag + 12);
        const char *s = terminated_string(tag + MODULE_MIN_SIZE, end);
        if (s == NULL || mod_end < start)
            return MB2_ERR_TAG_PAYLOAD;
        if (out->module_count < MB2_MAX_MODULES) {
            struct mb2_module *m = &out->modules[out->module_count++];
            m->start = start;
            m->end = mod_end;
            m->cmdline = s;
        } else {
            out->modules_dropped++;
        }
        return MB2_OK;
    }
    case TAG_BASIC_MEMINFO:
        if (size < MEMINFO_MIN_SIZE)
            return MB2_ERR_TAG_PAYLOAD;
        if (!out->has_meminfo) {
            out->has_meminfo = true;
            out->mem_lower_kb = load_u32(tag + 8);
            out->mem_upper_kb = load_u32(tag + 12);
        }
        return MB2_OK;
    case TAG_MMAP: {
        if (size < MMAP_MIN_SIZE)
            return MB2_ERR_TAG_PAYLOAD;
        uint32_t entry_size = load_u32(tag + 8);
        /* Entries must hold base, length and type, and stay 8-aligned so 64-bit fields in real
           GRUB output are naturally aligned. */
        if (entry_size < MMAP_ENTRY_MIN_SIZE || entry_size % 8 != 0)
            return MB2_ERR_TAG_PAYLOAD;
        if (out->mmap_entries == NULL) {
            out->mmap_entries = tag + MMAP_MIN_SIZE;
            out->mmap_entry_size = entry_size;
            /* A trailing partial entry is ignored rather than read. */
            out->mmap_count = (size - MMAP_MIN_SIZE) / entry_size;
        }
        return MB2_OK;
    }
    case TAG_FRAMEBUFFER: {
        if (size < FB_COMMON_SIZE)
            return MB2_ERR_TAG_PAYLOAD;
        uint8_t fb_type = tag[29];
        if (fb_type == FB_TYPE_RGB && size < FB_RGB_SIZE)
            return MB2_ERR_TAG_PAYLOAD;
        if (out->has_framebuffer)
            return MB2_OK;
        struct mb2_framebuffer *fb = &out->framebuffer;
        out->has_framebuffer = true;
        fb->addr = load_u64(tag + 8);
        fb->pitch = load_u32(tag + 16);
        fb->width = load_u32(tag + 20);
        fb->height = load_u32(tag + 24);
        fb->bpp = tag[28];
        fb->type = fb_type;
        if (fb_type == FB_TYPE_RGB) {
            fb->red_pos = tag[32];
            fb->red_size = tag[33];
            fb->green_pos = tag[34];
            fb->green_size = tag[35];
            fb->blue_pos = tag[36];
            fb->blue_size = tag[37];
        }
        return MB2_OK;
    }
    case TAG_EFI64:
        if (size < EFI64_MIN_SIZE)
            return MB2_ERR_TAG_PAYLOAD;
        if (!out->has_efi64) {
            out->has_efi64 = true;
            out->efi64_system_table = load_u64(tag + 8);
        }
        return MB2_OK;
    case TAG_ACPI_OLD:
        if (size < TAG_HEADER_SIZE + RSDP_V1_SIZE)
            return MB2_ERR_TAG_PAYLOAD;
        /* The v2 RSDP (XSDT capable) wins whatever the tag order. */
        if (out->rsdp == NULL) {
            out->rsdp = tag + TAG_HEADER_SIZE;
            out->rsdp_size = size - TAG_HEADER_SIZE;
            out->rsdp_version = 1;
        }
        return MB2_OK;
    case TAG_ACPI_NEW:
        if (size < TAG_HEADER_SIZE + RSDP_V2_SIZE)
            return MB2_ERR_TAG_PAYLOAD;
        if (out->rsdp_version != 2) {
            out->rsdp = tag + TAG_HEADER_SIZE;
            out->rsdp_size = size - TAG_HEADER_SIZE;
            out->rsdp_version = 2;
        }
        return MB2_OK;
    case TAG_EFI_BS_NOT_EXITED:
        out->efi_boot_services_not_exited = true;
        return MB2_OK;
    case TAG_LOAD_BASE_ADDR:
        if (size < LOAD_BASE_MIN_SIZE)
            return MB2_ERR_TAG_PAYLOAD;
        if (!out->has_load_base) {
            out->has_load_base = true;
            out->load_base_addr = load_u32(tag + 8);
        }
        return MB2_OK;
    default:
        out->unknown_tags++;
        return MB2_OK;
    }
}

/*
 * Validates and decodes the MBI at mbi, reading nothing outside [mbi, mbi + min(limit,
 * total_size)). Returns MB2_OK with *out filled, or an mb2_status error with *out zeroed except
 * error_offset. See mb2.h for the full contract.
 */
int mb2_parse(const void *mbi, size_t limit, struct mb2_info *out)
{
    const uint8_t *base = mbi;
    int status;
    size_t off = 0;

    zero_info(out);
    if ((uintptr_t)mbi % 8 != 0)
        return MB2_ERR_ALIGN;
    if (mbi == NULL || limit < MBI_HEADER_SIZE)
        return MB2_ERR_TOTAL_SIZE;

    uint32_t total = load_u32(base);
    if (total < MBI_MIN_TOTAL_SIZE || total % 8 != 0 || total > limit)
        return MB2_ERR_TOTAL_SIZE;

    /* off and total are multiples of 8, so whenever off < total a full tag header fits. */
    off = MBI_HEADER_SIZE;
    while (off < total) {
        const uint8_t *tag = base + off;
        uint32_t type = load_u32(tag);
        uint32_t size = load_u32(tag + 4);

        if (size < TAG_HEADER_SIZE || size > total - off) {
            status = MB2_ERR_TAG_SIZE;
            goto fail;
        }
        if (type == TAG_END) {
            if (size != TAG_HEADER_SIZE) {
                status = MB2_ERR_TAG_SIZE;
                goto fail;
            }
            out->total_size = total;
            return MB2_OK;
        }
        status = parse_tag(tag, type, size, out);
        if (status != MB2_OK)
            goto fail;
        /* Cannot overflow or pass total: size <= total - off and total - off is a multiple of
           8, so rounding size up to 8 stays <= total - off. */
        off += ((size_t)size + 7) & ~(size_t)7;
    }
    status = MB2_ERR_NO_END;

fail:
    zero_info(out);
    out->error_offset = off;
    return status;
}

/* Copies entry i of the memory map found by mb2_parse(); false (and *out untouched) if info or
   out is NULL or i >= mmap_count. Entry bounds were checked against the tag at parse time. */
bool mb2_mmap_get(const struct mb2_info *info, size_t i, struct mb2_mmap_entry *out)
{
    if (info == NULL || out == NULL || info->mmap_entries == NULL || i >= info->mmap_count)
        return false;
    /* i < mmap_count and mmap_count * entry_size fits in the tag, so this cannot overflow. */
    const uint8_t *e = info->mmap_entries + i * info->mmap_entry_size;
    out->base = load_u64(e);
    out->length = load_u64(e + 8);
    out->type = load_u32(e + 16);
    return true;
}

/* Maps any int to a static message so callers can log a status without checking it first. */
const char *mb2_strerror(int status)
{
    switch (status) {
    case MB2_OK:
        return "success";
    case MB2_ERR_ALIGN:
        return "MBI pointer not 8-byte aligned";
    case MB2_ERR_TOTAL_SIZE:
        return "MBI total_size invalid or beyond readable limit";
    case MB2_ERR_TAG_SIZE:
        return "MBI tag size invalid or past total_size";
    case MB2_ERR_NO_END:
        return "MBI has no end tag";
    case MB2_ERR_TAG_PAYLOAD:
        return "MBI tag payload malformed";
    default:
        return "unknown MBI error";
    }
}

/* Maps any memory type to a static name; firmware may report types this parser does not know. */
const char *mb2_mmap_type_name(uint32_t type)
{
    switch (type) {
    case MB2_MEM_AVAILABLE:
        return "available";
    case MB2_MEM_RESERVED:
        return "reserved";
    case MB2_MEM_ACPI_RECLAIMABLE:
        return "ACPI reclaimable";
    case MB2_MEM_NVS:
        return "ACPI NVS";
    case MB2_MEM_BAD:
        return "bad";
    default:
        return "unknown";
    }
}
