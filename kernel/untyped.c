/*
 * Untyped memory and retype: the only way kernel objects come to be after
 * boot. An Untyped capability covers 2^size bytes at a physical address and
 * remembers how much of it is used (the free index, in cap.badge); new
 * objects are carved after the last, aligned to their size, so a retype
 * never overlaps a live child. When every child is gone the Untyped is
 * reset and its whole range is free again.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/vm.h"
#include "invoke.h"
#include "missive/abi.h"
#include "string.h"
#include "thread.h"
#include "vspace.h"

#define ZERO_CHUNK (256ul * 1024) /* bytes zeroed between checks for interrupts */

long untyped_invoke(struct invocation *inv)
{
    if (inv->label != UNTYPED_RETYPE)
        return ERR_INVALID_LABEL;
    struct cap *ut = &inv->slot->cap;
    uint64_t type = inv->mr[0], requested = inv->mr[1], dest = inv->mr[2], count = inv->mr[3];
    bool device = ut->flags & CAP_FLAG_DEVICE;

    /* Decode: each argument in order. */
    unsigned bits;
    uint64_t min, max;
    if (type == CAP_NULL || type >= CAP_TYPE_COUNT)
        return invoke_bad_argument(inv, 0, CAP_UNTYPED, CAP_TYPE_COUNT - 1);
    if (!object_size_bits((unsigned)type, requested, &bits, &min, &max))
        return min == max ? invoke_bad_argument(inv, 0, CAP_UNTYPED, CAP_TYPE_COUNT - 1) /* type */
                          : invoke_bad_argument(inv, 1, min, max);                       /* size */
    if (device && type != CAP_FRAME && type != CAP_UNTYPED)
        return invoke_bad_argument(inv, 0, CAP_UNTYPED, CAP_FRAME); /* device memory */
    struct cspace *cs = thread_cspace(inv->caller);
    uint64_t slots = 1ull << cs->slot_bits;
    if (count == 0 || count > RETYPE_MAX_COUNT)
        return invoke_bad_argument(inv, 3, 1, RETYPE_MAX_COUNT);
    if (dest == 0 || dest >= slots || count > slots - dest)
        return invoke_bad_argument(inv, 2, 1, slots - count);
    for (uint64_t i = 0; i < count; i++)
        if (cspace_slot(cs, dest + i)->cap.type != CAP_NULL)
            return ERR_SLOT_OCCUPIED;
    if (type == CAP_VSPACE && count > vspace_ids_free())
        return ERR_NOT_ENOUGH_MEMORY; /* no VSpace ids left */
    uint64_t size = 1ull << ut->size, object_size = 1ull << bits;
    uint64_t used = cte_has_children(inv->slot) ? ut->badge : 0; /* reset when childless */
    uint64_t start = (used + object_size - 1) & ~(object_size - 1);
    if (bits > ut->size || start > size || count > (size - start) >> bits)
        return ERR_NOT_ENOUGH_MEMORY;

    /* Perform: cannot fail from here on, but zeroing a large range may stop
       for an interrupt and resume when the call restarts; cap.mapping (unused
       by Untyped otherwise) remembers how far [start, ...) is zeroed. Any
       retype that completes clears it, so it never vouches for memory that
       objects have used since. */
    uint64_t phys = ut->object + start, bytes = count << bits;
    /* An Untyped child is not zeroed: whatever is made from it later is. */
    if (!device && type != CAP_UNTYPED) {
        uint64_t done =
            ut->mapping > start && ut->mapping - start < bytes ? ut->mapping - start : 0;
        while (done < bytes) {
            uint64_t n = bytes - done < ZERO_CHUNK ? bytes - done : ZERO_CHUNK;
            memset(phys_to_virt(phys + done), 0, n);
            done += n;
            if (done < bytes && apic_interrupt_pending()) {
                ut->mapping = start + done;
                return INVOKE_RESTART;
            }
        }
    }
    ut->mapping = 0;
    for (uint64_t i = 0; i < count; i++, phys += object_size) {
        bool memory = type == CAP_FRAME || type == CAP_UNTYPED || type == CAP_PAGE_TABLE;
        void *at = memory ? (void *)phys : phys_to_virt(phys);
        struct cap cap = object_new((unsigned)type, at, bits, device);
        cte_insert(cspace_slot(cs, dest + i), &cap, inv->slot);
    }
    ut->badge = start + (count << bits);
    return ERR_OK;
}
