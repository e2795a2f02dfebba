/*
 * Little-endian byte packing. See wordpack.h.
 */
#include "wordpack/wordpack.h"

size_t wordpack_pack(uint64_t *words, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    size_t count = (n + 7) / 8;
    for (size_t w = 0; w < count; w++)
        words[w] = 0;
    for (size_t i = 0; i < n; i++)
        words[i / 8] |= (uint64_t)p[i] << (8 * (i % 8));
    return count;
}

void wordpack_unpack(void *out, const uint64_t *words, size_t n)
{
    unsigned char *p = out;
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(words[i / 8] >> (8 * (i % 8)));
}

size_t wordpack_debug(uint64_t words[WORDPACK_DEBUG_WORDS], const void *bytes, size_t n)
{
    size_t take = n < WORDPACK_DEBUG_BYTES ? n : WORDPACK_DEBUG_BYTES;
    for (size_t w = wordpack_pack(words, bytes, take); w < WORDPACK_DEBUG_WORDS; w++)
        words[w] = 0;
    return take;
}
