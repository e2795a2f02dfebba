/*
 * Kernel objects from fresh Untypeds (objects.h).
 */
#include "libsys/objects.h"

#include "libsys/invoke.h"
#include "libsys/libsys.h"
#include "libsys/service.h"
#include "libsys/vmap.h"

struct result libsys_make_object(unsigned type, unsigned bits, uint64_t *slot)
{
    *slot = 0;
    uint64_t untyped = libsys_alloc_slot(), made = libsys_alloc_slot();
    if (!untyped || !made)
        return result_from_reply(ERR_OK, SERVICE_TOO_MANY, 0);
    struct result e = mem_untyped(PAGE_BITS, untyped);
    if (!result_is_ok(e))
        return e;
    long k = untyped_retype(untyped, type, bits, made, 1);
    if (k != ERR_OK)
        return result_from_kernel(k, 0);
    *slot = made;
    return result_ok();
}

struct result libsys_make_frames(unsigned bits, unsigned count, uint64_t address, uint64_t *first)
{
    *first = libsys_alloc_slot();
    /* A retype fills consecutive slots, and the slot allocator only counts up. */
    for (unsigned i = 1; i < count; i++)
        if (libsys_alloc_slot() != *first + i)
            return result_from_reply(ERR_OK, SERVICE_TOO_MANY, 0);
    if (!*first)
        return result_from_reply(ERR_OK, SERVICE_TOO_MANY, 0);
    /* 4 KiB frames come from one Untyped, a power of two of pages; larger ones one each. */
    unsigned per_untyped = bits == PAGE_BITS ? count : 1, untyped_bits = bits;
    while ((1ul << untyped_bits) < (uint64_t)per_untyped << bits)
        untyped_bits++;
    for (unsigned i = 0; i < count; i += per_untyped) {
        uint64_t untyped = libsys_alloc_slot();
        if (!untyped)
            return result_from_reply(ERR_OK, SERVICE_TOO_MANY, 0);
        struct result e = mem_untyped(untyped_bits, untyped);
        if (!result_is_ok(e))
            return e;
        long k = untyped_retype(untyped, CAP_FRAME, bits, *first + i, per_untyped);
        if (k != ERR_OK)
            return result_from_kernel(k, 0);
    }
    for (unsigned i = 0; address && i < count; i++) {
        long k = vmap_frame(*first + i, address + ((uint64_t)i << bits),
                            CAP_RIGHT_READ | CAP_RIGHT_WRITE);
        if (k != ERR_OK)
            return result_from_kernel(k, 0);
    }
    return result_ok();
}
