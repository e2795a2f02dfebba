/*
 * IDENTIFY data (NVMe 1.4 section 5.15.2): the controller's strings, limits and namespaces, a
 * namespace's size and block format, the active namespace list. Every field the driver relies
 * on is checked: the data come from a device and are not trusted. See nvme.h.
 */
#include "nvme/nvme.h"

#include <string.h>

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Copies an ASCII field of bytes (space-padded) into out (bytes + 1): spaces and NULs trimmed
   at both ends, bytes outside printable ASCII made '?', so the string is safe to print. */
static void ascii_field(const uint8_t *field, unsigned bytes, char *out)
{
    unsigned start = 0, end = bytes;
    while (end > 0 && (field[end - 1] == ' ' || field[end - 1] == 0))
        end--;
    while (start < end && field[start] == ' ')
        start++;
    unsigned n = 0;
    for (unsigned i = start; i < end; i++)
        out[n++] = field[i] >= 0x20 && field[i] <= 0x7e ? (char)field[i] : '?';
    out[n] = 0;
}

/* Whether the entry size field (bits 3:0 required, 7:4 largest, both log2) allows 2^log. */
static bool entry_size_ok(uint8_t field, unsigned log)
{
    return (field & 0xf) <= log && (field >> 4) >= log;
}

enum nvme_identify_error nvme_identify_controller(const uint8_t *data, uint32_t page_min,
                                                  struct nvme_controller_id *out)
{
    memset(out, 0, sizeof *out);
    out->vendor = le16(data + 0);
    ascii_field(data + 4, NVME_SERIAL_BYTES, out->serial);
    ascii_field(data + 24, NVME_MODEL_BYTES, out->model);
    ascii_field(data + 64, NVME_FIRMWARE_BYTES, out->firmware);
    out->controller = le16(data + 78);
    out->write_cache = data[525] & 1;
    out->sgl = (le32(data + 536) & 3) != 0; /* 01b: any alignment; 10b: dwords (ours are) */
    out->namespaces = le32(data + 516);
    if (!entry_size_ok(data[512], NVME_SQES_LOG) || !entry_size_ok(data[513], NVME_CQES_LOG))
        return NVME_IDENTIFY_ENTRY_SIZE;
    if (out->namespaces == 0 || out->namespaces > NVME_MAX_NAMESPACES)
        return NVME_IDENTIFY_NAMESPACES;
    uint8_t mdts = data[77];
    if (mdts > NVME_MAX_MDTS)
        return NVME_IDENTIFY_MDTS;
    out->max_transfer = mdts ? (uint64_t)page_min << mdts : 0;
    return NVME_IDENTIFY_OK;
}

enum nvme_identify_error nvme_identify_namespace(const uint8_t *data, struct nvme_namespace_id *out)
{
    memset(out, 0, sizeof *out);
    uint64_t size = le64(data + 0), capacity = le64(data + 8);
    unsigned formats = data[25] + 1u, format = data[26] & 0xf;
    if (size == 0)
        return NVME_IDENTIFY_INACTIVE;
    if (capacity > size)
        return NVME_IDENTIFY_CAPACITY;
    if (formats > 16 || format >= formats)
        return NVME_IDENTIFY_FORMAT;
    uint32_t lbaf = le32(data + 128 + 4 * format);
    if (lbaf & 0xffff)
        return NVME_IDENTIFY_METADATA;
    unsigned lbads = (lbaf >> 16) & 0xff;
    if (lbads != 9 && lbads != 12)
        return NVME_IDENTIFY_BLOCK_SIZE;
    if (size > UINT64_MAX >> lbads)
        return NVME_IDENTIFY_CAPACITY;
    out->blocks = size;
    out->block_size = 1u << lbads;
    return NVME_IDENTIFY_OK;
}

const char *nvme_identify_error_text(enum nvme_identify_error e)
{
    switch (e) {
    case NVME_IDENTIFY_OK:
        return "ok";
    case NVME_IDENTIFY_ENTRY_SIZE:
        return "SQES/CQES do not allow 64-byte submission and 16-byte completion entries";
    case NVME_IDENTIFY_NAMESPACES:
        return "a namespace count (NN) of 0 or above 1024";
    case NVME_IDENTIFY_MDTS:
        return "an absurd maximum transfer size (MDTS above 20)";
    case NVME_IDENTIFY_INACTIVE:
        return "not active (a size of 0 blocks)";
    case NVME_IDENTIFY_CAPACITY:
        return "a capacity larger than its size, or a size past 2^64 bytes";
    case NVME_IDENTIFY_FORMAT:
        return "FLBAS names an LBA format it does not list";
    case NVME_IDENTIFY_METADATA:
        return "an LBA format with metadata (only 512 and 4096 bytes without are supported)";
    case NVME_IDENTIFY_BLOCK_SIZE:
        return "a block size other than 512 or 4096 bytes";
    }
    return "unknown IDENTIFY error";
}

unsigned nvme_active_namespaces(const uint8_t *data, uint32_t nn, uint32_t *ids, unsigned max)
{
    unsigned count = 0;
    uint32_t last = 0;
    for (unsigned i = 0; i < NVME_IDENTIFY_BYTES / 4 && count < max; i++) {
        uint32_t id = le32(data + 4 * i);
        if (id == 0)
            break;
        if (id <= last || id > nn)
            continue; /* out of order or past NN: not trusted */
        ids[count++] = id;
        last = id;
    }
    return count;
}
