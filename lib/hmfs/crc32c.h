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

/* The running value a checksum starts from; the checksum is the last value ^ 0xffffffff. */
#define HMFS_CRC32C_START 0xffffffffu

/* An implementation: continues the running value crc over length bytes of data and, if out is
   not NULL, copies them to out in the same pass (out and data must not overlap), so that a
   block checked or made while it is copied is gone over once, not twice. */
typedef uint32_t (*hmfs_crc32c_fn)(uint32_t crc, void *out, const void *data, size_t length);

/* Continues crc over data (copying it to out unless out is NULL) with the implementation
   set. */
uint32_t hmfs_crc32c_update(uint32_t crc, void *out, const void *data, size_t length);

/* The same in portable C (slicing-by-8 tables): always available. */
uint32_t hmfs_crc32c_software(const void *data, size_t length);
uint32_t hmfs_crc32c_software_update(uint32_t crc, void *out, const void *data, size_t length);
/* The same a byte at a time through one table: the plain definition the others are tested
   against. */
uint32_t hmfs_crc32c_bytewise(const void *data, size_t length);

/* A hardware implementation, or NULL to go back to the table. */
void hmfs_crc32c_set(hmfs_crc32c_fn implementation);

/* The SSE4.2 implementation if this CPU has the instruction, else NULL (crc32c_hw.c: only
   built for x86_64 targets that may use SSE). */
hmfs_crc32c_fn hmfs_crc32c_hardware(void);

#endif
