/*
 * Bytes packed into 64-bit words, little-endian, as every message carries them (strings of the
 * server protocols, DEBUG_WRITE's bytes, THREAD_SET_NAME's name): the one copy of the packing.
 * Pure: host unit tests compile it unchanged.
 */
#ifndef MISSIVE_WORDPACK_H
#define MISSIVE_WORDPACK_H

#include <stddef.h>
#include <stdint.h>

/* Bytes one DEBUG_WRITE carries: MR1-MR9 (lib/missive/abi.h). */
#define WORDPACK_DEBUG_WORDS 9
#define WORDPACK_DEBUG_BYTES (8 * WORDPACK_DEBUG_WORDS)

/* Packs n bytes into words[0 .. (n + 7) / 8), byte i into bits 8 * (i % 8) of word i / 8; the
   last word's unused bytes are zero. words must have room. Returns the words written. */
size_t wordpack_pack(uint64_t *words, const void *bytes, size_t n);

/* Unpacks the first n bytes of words into out. */
void wordpack_unpack(void *out, const uint64_t *words, size_t n);

/* Fills the WORDPACK_DEBUG_WORDS words of a DEBUG_WRITE with the first bytes of n (at most
   WORDPACK_DEBUG_BYTES), zeroing the rest; returns how many bytes it took. */
size_t wordpack_debug(uint64_t words[WORDPACK_DEBUG_WORDS], const void *bytes, size_t n);

#endif
