/*
 * CRC32C with the SSE4.2 crc32 instruction (contract in crc32c.h). The intrinsics and the
 * target attribute are GCC/Clang extensions: they are the only way to use the instruction from
 * C without building the whole file for SSE4.2, which would then fault on CPUs without it.
 */
#include "hmfs/crc32c.h"

#if defined(__x86_64__) && defined(__SSE2__)
#include <cpuid.h>
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t crc_sse42(const void *data, size_t length)
{
    const uint8_t *bytes = data;
    uint64_t crc = 0xffffffffu;
    while (length >= 8) {
        /* Byte arithmetic the compiler makes one load of: memcpy would be a call in the
           freestanding build, which copies 8 bytes one at a time. Little-endian, as the
           instruction takes them. */
        uint64_t word = (uint64_t)bytes[0] | (uint64_t)bytes[1] << 8 | (uint64_t)bytes[2] << 16 |
                        (uint64_t)bytes[3] << 24 | (uint64_t)bytes[4] << 32 |
                        (uint64_t)bytes[5] << 40 | (uint64_t)bytes[6] << 48 |
                        (uint64_t)bytes[7] << 56;
        crc = _mm_crc32_u64(crc, word);
        bytes += 8;
        length -= 8;
    }
    uint32_t crc32 = (uint32_t)crc;
    while (length--)
        crc32 = _mm_crc32_u8(crc32, *bytes++);
    return crc32 ^ 0xffffffffu;
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
