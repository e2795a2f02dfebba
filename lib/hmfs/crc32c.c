/*
 * CRC32C in portable C (contract in crc32c.h): slicing-by-8 over tables built on first use.
 * Eight bytes go through eight table lookups at once instead of one byte through one, which
 * takes about half the instructions of the byte-at-a-time loop: the checksum of every block
 * the file server reads or writes is computed here on CPUs without SSE4.2 (QEMU's qemu64).
 */
#include "hmfs/crc32c.h"

/* crc_tables[0][i] is the CRC of the byte i; crc_tables[k][i] that of i followed by k zero
   bytes, so eight bytes' contributions can be looked up independently and xored. */
static uint32_t crc_tables[8][256];
static bool crc_tables_ready;
static hmfs_crc32c_fn crc_implementation;

/* Fills crc_tables (eight shifts of the reflected polynomial per byte, then one byte more per
   table). */
static void crc_tables_build(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t crc = i;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
        crc_tables[0][i] = crc;
    }
    for (unsigned k = 1; k < 8; k++)
        for (unsigned i = 0; i < 256; i++) {
            uint32_t previous = crc_tables[k - 1][i];
            crc_tables[k][i] = (previous >> 8) ^ crc_tables[0][previous & 0xffu];
        }
    crc_tables_ready = true;
}

/* Runs crc (not inverted) over length bytes one at a time, copying them to out if copy. */
static inline __attribute__((always_inline)) uint32_t
crc_bytes(uint32_t crc, uint8_t *out, const uint8_t *bytes, size_t length, bool copy)
{
    for (size_t i = 0; i < length; i++) {
        uint8_t byte = bytes[i]; /* read once: the copy and the checksum see the same byte */
        crc = (crc >> 8) ^ crc_tables[0][(crc ^ byte) & 0xffu];
        if (copy)
            out[i] = byte;
    }
    return crc;
}

/* The 8 bytes at p as a little-endian word (the order the reflected CRC takes them in), and
   the word back as 8 bytes in that order, whatever p's alignment: one load and one store where
   the host is little-endian (__builtin_memcpy of a constant size is expanded inline even in
   the freestanding build, where memcpy is a call), bytes elsewhere. */
static uint64_t load_le64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
#endif
}

static void store_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    __builtin_memcpy(p, &v, sizeof v);
#else
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}

/* hmfs_crc32c_software_update with copy constant, so each caller gets a loop without the
   test in it. */
static inline __attribute__((always_inline)) uint32_t
slicing(uint32_t crc, uint8_t *out, const uint8_t *bytes, size_t length, bool copy)
{
    /* Bytewise up to an 8-byte boundary, so the loads below are aligned where that matters. */
    size_t head = (size_t)(-(uintptr_t)bytes & 7u);
    if (head > length)
        head = length;
    crc = crc_bytes(crc, out, bytes, head, copy);
    bytes += head;
    out += copy ? head : 0;
    length -= head;
    while (length >= 8) {
        uint64_t word = load_le64(bytes);
        uint32_t low = (uint32_t)word ^ crc, high = (uint32_t)(word >> 32);
        if (copy) {
            store_le64(out, word);
            out += 8;
        }
        crc = crc_tables[7][low & 0xffu] ^ crc_tables[6][(low >> 8) & 0xffu] ^
              crc_tables[5][(low >> 16) & 0xffu] ^ crc_tables[4][low >> 24] ^
              crc_tables[3][high & 0xffu] ^ crc_tables[2][(high >> 8) & 0xffu] ^
              crc_tables[1][(high >> 16) & 0xffu] ^ crc_tables[0][high >> 24];
        bytes += 8;
        length -= 8;
    }
    return crc_bytes(crc, out, bytes, length, copy);
}

uint32_t hmfs_crc32c_software_update(uint32_t crc, void *out, const void *data, size_t length)
{
    if (!crc_tables_ready)
        crc_tables_build();
    return out ? slicing(crc, out, data, length, true) : slicing(crc, NULL, data, length, false);
}

uint32_t hmfs_crc32c_software(const void *data, size_t length)
{
    return hmfs_crc32c_software_update(HMFS_CRC32C_START, NULL, data, length) ^ 0xffffffffu;
}

uint32_t hmfs_crc32c_bytewise(const void *data, size_t length)
{
    if (!crc_tables_ready)
        crc_tables_build();
    return crc_bytes(HMFS_CRC32C_START, NULL, data, length, false) ^ 0xffffffffu;
}

void hmfs_crc32c_set(hmfs_crc32c_fn implementation)
{
    crc_implementation = implementation;
}

uint32_t hmfs_crc32c_update(uint32_t crc, void *out, const void *data, size_t length)
{
    if (crc_implementation)
        return crc_implementation(crc, out, data, length);
    return hmfs_crc32c_software_update(crc, out, data, length);
}

uint32_t hmfs_crc32c(const void *data, size_t length)
{
    return hmfs_crc32c_update(HMFS_CRC32C_START, NULL, data, length) ^ 0xffffffffu;
}
