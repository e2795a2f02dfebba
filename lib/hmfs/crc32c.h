/*
 * CRC32C (Castagnoli, reflected polynomial 0x82f63b78), the checksum of every HMFS block.
 * Two implementations give the same values: a table-driven one in plain C (slicing-by-8), and the
 * SSE4.2 crc32 instruction (crc32c_hw.c) where the CPU has it. hmfs_crc32c uses the hardware one
 * once a program sets it (hmfs_crc32c_set(hmfs_crc32c_hardware())); the host tests compare them.
 */
#ifndef MISSIVE_HMFS_CRC32C_H
#define MISSIVE_HMFS_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The CRC32C of data (initial value ~0, final xor ~0: "123456789" gives 0xe3069283). */
uint32_t hmfs_crc32c(const void *data, size_t length);

/* The same in portable C (slicing-by-8 tables): always available. */
uint32_t hmfs_crc32c_software(const void *data, size_t length);
/* The same a byte at a time through one table: the plain definition the others are tested
   against. */
uint32_t hmfs_crc32c_bytewise(const void *data, size_t length);

/* A hardware implementation with the same contract, or NULL to go back to the table. */
typedef uint32_t (*hmfs_crc32c_fn)(const void *data, size_t length);
void hmfs_crc32c_set(hmfs_crc32c_fn implementation);

/* The SSE4.2 implementation if this CPU has the instruction, else NULL (crc32c_hw.c: only
   built for x86_64 targets that may use SSE). */
hmfs_crc32c_fn hmfs_crc32c_hardware(void);

#endif
