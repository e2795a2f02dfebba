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

/* Runs crc (not inverted) over length bytes one at a time. */
static uint32_t crc_bytes(uint32_t crc, const uint8_t *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++)
        crc = (crc >> 8) ^ crc_tables[0][(crc ^ bytes[i]) & 0xffu];
    return crc;
}

/* Four bytes at p as a little-endian word (the order the reflected CRC takes them in),
   whatever the host's byte order and p's alignment. */
static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t hmfs_crc32c_software(const void *data, size_t length)
{
    if (!crc_tables_ready)
        crc_tables_build();
    const uint8_t *bytes = data;
    uint32_t crc = 0xffffffffu;
    /* Bytewise up to an 8-byte boundary, so the loads below are aligned where that matters. */
    size_t head = (size_t)(-(uintptr_t)bytes & 7u);
    if (head > length)
        head = length;
    crc = crc_bytes(crc, bytes, head);
    bytes += head;
    length -= head;
    while (length >= 8) {
        uint32_t low = load_le32(bytes) ^ crc, high = load_le32(bytes + 4);
        crc = crc_tables[7][low & 0xffu] ^ crc_tables[6][(low >> 8) & 0xffu] ^
              crc_tables[5][(low >> 16) & 0xffu] ^ crc_tables[4][low >> 24] ^
              crc_tables[3][high & 0xffu] ^ crc_tables[2][(high >> 8) & 0xffu] ^
              crc_tables[1][(high >> 16) & 0xffu] ^ crc_tables[0][high >> 24];
        bytes += 8;
        length -= 8;
    }
    return crc_bytes(crc, bytes, length) ^ 0xffffffffu;
}

uint32_t hmfs_crc32c_bytewise(const void *data, size_t length)
{
    if (!crc_tables_ready)
        crc_tables_build();
    return crc_bytes(0xffffffffu, data, length) ^ 0xffffffffu;
}

void hmfs_crc32c_set(hmfs_crc32c_fn implementation)
{
    crc_implementation = implementation;
}

uint32_t hmfs_crc32c(const void *data, size_t length)
{
    if (crc_implementation)
        return crc_implementation(data, length);
    return hmfs_crc32c_software(data, length);
}
