/*
 * CRC32C with the SSE4.2 crc32 instruction (contract in crc32c.h). The intrinsics and the
 * target attribute are GCC/Clang extensions: they are the only way to use the instruction from
 * C without building the whole file for SSE4.2, which would then fault on CPUs without it.
 */
#include "hmfs/crc32c.h"

#if defined(__x86_64__) && defined(__SSE2__)
#include <cpuid.h>
#include <nmmintrin.h>

/* The 8 bytes at p as a little-endian word, the order the instruction takes them in. Byte
   arithmetic the compiler makes one load of: memcpy would be a call in the freestanding build,
   which copies 8 bytes one at a time. */
static inline uint64_t load_le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

/* The word back as 8 bytes at p: one store (__builtin_memcpy of a constant size is expanded
   inline even in the freestanding build; x86_64 is little-endian, the order load_le64 read). */
static inline void store_le64(uint8_t *p, uint64_t v)
{
    __builtin_memcpy(p, &v, sizeof v);
}

/* crc_sse42 with copy constant, so each caller gets a loop without the test in it. */
__attribute__((target("sse4.2"), always_inline)) static inline uint32_t
crc_loop(uint32_t crc32, uint8_t *out, const uint8_t *bytes, size_t length, bool copy)
{
    uint64_t crc = crc32;
    /* Four words a turn: the loop's own instructions (an add, a compare, a branch) once per 32
       bytes instead of per 8, which is most of what a block's checksum costs besides the
       crc32 instructions themselves. */
    while (length >= 32) {
        uint64_t a = load_le64(bytes), b = load_le64(bytes + 8), c = load_le64(bytes + 16),
                 d = load_le64(bytes + 24);
        crc = _mm_crc32_u64(crc, a);
        crc = _mm_crc32_u64(crc, b);
        crc = _mm_crc32_u64(crc, c);
        crc = _mm_crc32_u64(crc, d);
        if (copy) {
            store_le64(out, a);
            store_le64(out + 8, b);
            store_le64(out + 16, c);
            store_le64(out + 24, d);
            out += 32;
        }
        bytes += 32;
        length -= 32;
    }
    while (length >= 8) {
        uint64_t a = load_le64(bytes);
        crc = _mm_crc32_u64(crc, a);
        if (copy) {
            store_le64(out, a);
            out += 8;
        }
        bytes += 8;
        length -= 8;
    }
    crc32 = (uint32_t)crc;
    while (length--) {
        uint8_t byte = *bytes++; /* read once: the copy and the checksum see the same byte */
        if (copy)
            *out++ = byte;
        crc32 = _mm_crc32_u8(crc32, byte);
    }
    return crc32;
}

__attribute__((target("sse4.2"))) static uint32_t crc_sse42(uint32_t crc, void *out,
                                                            const void *data, size_t length)
{
    return out ? crc_loop(crc, out, data, length, true) : crc_loop(crc, NULL, data, length, false);
}

hmfs_crc32c_fn hmfs_crc32c_hardware(void)
{
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return NULL;
    return (ecx & bit_SSE4_2) ? crc_sse42 : NULL;
}
#else
hmfs_crc32c_fn hmfs_crc32c_hardware(void)
{
    return NULL;
}
#endif
