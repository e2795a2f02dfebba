/*
 * Reading ACPI tables' bytes, shared by the kernel's MADT parser (lib/acpi/madt.c) and the
 * acpi server's table parsers (lib/acpi/tables.c). Byte by byte, because ACPI tables carry
 * no alignment guarantee, and without libc (the kernel has none).
 */
#ifndef MISSIVE_ACPI_BYTES_H
#define MISSIVE_ACPI_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Little-endian fields at p. */
static inline uint16_t acpi_read16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t acpi_read32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_read64(const uint8_t *p)
{
    return (uint64_t)acpi_read32(p) | (uint64_t)acpi_read32(p + 4) << 32;
}

/* True if the n bytes at p equal the n bytes of s (a signature such as "RSD PTR "). */
static inline bool acpi_bytes_equal(const void *p, const char *s, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != (uint8_t)s[i])
            return false;
    return true;
}

/* True if the n bytes at p sum to 0 modulo 256, the ACPI checksum rule. */
static inline bool acpi_sum_is_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + b[i]);
    return sum == 0;
}

#endif
