/*
 * CRC32C by a 256-entry table built on first use (contract in crc32c.h).
 */
#include "hmfs/crc32c.h"

static uint32_t crc_table[256];
static bool crc_table_ready;
static hmfs_crc32c_fn crc_implementation;

/* Fills crc_table: entry i is the CRC of the byte i, eight shifts of the polynomial. */
static void crc_table_build(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t crc = i;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
        crc_table[i] = crc;
    }
    crc_table_ready = true;
}

uint32_t hmfs_crc32c_software(const void *data, size_t length)
{
    if (!crc_table_ready)
        crc_table_build();
    const uint8_t *bytes = data;
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < length; i++)
        crc = (crc >> 8) ^ crc_table[(crc ^ bytes[i]) & 0xffu];
    return crc ^ 0xffffffffu;
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
