/*
 * Untyped memory and retype: the only way kernel objects come to be after boot. An Untyped
 * capability covers 2^size bytes at a physical address and remembers how much of it is used (its
 * free index); new objects are carved after the last, aligned to their size, so a retype never
 * overlaps a live child. When every child is gone the Untyped is reset and its whole range is free
 * again.
 */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/vm.h"
#include "invoke.h"
#include "missive/abi.h"
#include "string.h"
#include "vspace.h"

#define ZERO_CHUNK (256ul * 1024) /* bytes zeroed between checks for interrupts */

long untyped_decode(struct invocation *inv, struct untyped_retype *out)
{
    if (inv->label != UNTYPED_RETYPE)
        return ERR_INVALID_LABEL;
    struct cap *ut = &inv->slot->cap;
    uint64_t type = inv->mr[UNTYPED_RETYPE_ARG_TYPE],
             requested = inv->mr[UNTYPED_RETYPE_ARG_SIZE_BITS];
    uint64_t dest = inv->mr[UNTYPED_RETYPE_ARG_DEST], count = inv->mr[UNTYPED_RETYPE_ARG_COUNT];
    uint64_t min, max, slots = invoke_last_slot(inv->cspace) + 1;
    if (!object_size_bits(type, requested, &out->bits, &min, &max))
        return min == max /* only the type is wrong: the others have one size */
                   ? invoke_bad_argument(inv, UNTYPED_RETYPE_ARG_TYPE, CAP_UNTYPED,
                                         CAP_TYPE_COUNT - 1)
                   : invoke_bad_argument(inv, UNTYPED_RETYPE_ARG_SIZE_BITS, min, max);
    if ((ut->flags & CAP_FLAG_DEVICE) && type != CAP_FRAME && type != CAP_UNTYPED)
        return invoke_bad_argument(inv, UNTYPED_RETYPE_ARG_TYPE, CAP_UNTYPED,
                                   CAP_FRAME); /* device */
    if (count == 0 || count > RETYPE_MAX_COUNT)
        return invoke_bad_argument(inv, UNTYPED_RETYPE_ARG_COUNT, 1, RETYPE_MAX_COUNT);
    if (dest == 0 || dest >= slots || count > slots - dest) /* none fits: (1, 0) */
        return invoke_bad_argument(inv, UNTYPED_RETYPE_ARG_DEST, 1,
                                   count < slots ? slots - count : 0);
    for (uint64_t i = 0; i < count; i++)
        if (cspace_slot(inv->cspace, dest + i)->cap.type != CAP_NULL)
            return ERR_SLOT_OCCUPIED;
    if (type == CAP_VSPACE && count > vspace_ids_free())
        return ERR_NOT_ENOUGH_MEMORY; /* no VSpace ids left */
    uint64_t size = 1ull << ut->size, object_size = 1ull << out->bits;
    uint64_t used = cte_has_children(inv->slot) ? ut->untyped.free_index : 0; /* reset */
    uint64_t start = (used + object_size - 1) & ~(object_size - 1);
    if (out->bits > ut->size || start > size || count > (size - start) >> out->bits)
        return ERR_NOT_ENOUGH_MEMORY;
    *out = (struct untyped_retype){(unsigned)type, out->bits, count, cspace_slot(inv->cspace, dest),
                                   start};
    return ERR_OK;
}

/* Carves the decoded objects; returns ERR_OK, or INVOKE_RESTART when it
   stopped zeroing for an interrupt and the call must run again. */
static long retype(struct cte *untyped, const struct untyped_retype *a)
{
    /* A preempted retype leaves [free_index, zeroed_to) zeroed (free_index moved up to its start);
       a completed one clears zeroed_to; after a reset (base 0, free_index not) none is trusted. */
    /* A reset reuses memory a dead CSpace still being reaped may lie in: that reaping ends
       first, stopping for interrupts like the zeroing below. It may delete anything, the
       caller and this Untyped included, so the call then starts again from the top. */
    if (!cte_has_children(untyped) && object_reap_pending()) {
        object_reap();
        return INVOKE_RESTART;
    }
    struct cap *ut = &untyped->cap;
    bool device = ut->flags & CAP_FLAG_DEVICE;
    uint64_t phys = ut->object + a->start, bytes = a->count << a->bits;
    /* An Untyped child is not zeroed: whatever is made from it later is. */
    if (!device && a->type != CAP_UNTYPED) {
        uint64_t base = cte_has_children(untyped) ? ut->untyped.free_index : 0;
        uint64_t zeroed = base == ut->untyped.free_index ? ut->untyped.zeroed_to : 0;
        uint64_t done = zeroed > a->start && zeroed - a->start < bytes ? zeroed - a->start : 0;
        while (done < bytes) {
            uint64_t n = bytes - done < ZERO_CHUNK ? bytes - done : ZERO_CHUNK;
            memset(phys_to_virt(phys + done), 0, n);
            done += n;
            if (done < bytes && apic_interrupt_pending()) {
                ut->untyped.free_index = a->start, ut->untyped.zeroed_to = a->start + done;
                return INVOKE_RESTART;
            }
        }
    }
    ut->untyped.zeroed_to = 0;
    bool memory = a->type == CAP_FRAME || a->type == CAP_UNTYPED || a->type == CAP_PAGE_TABLE;
    for (uint64_t i = 0; i < a->count; i++, phys += 1ull << a->bits) {
        struct cap cap =
            object_new(a->type, memory ? (void *)phys : phys_to_virt(phys), a->bits, device);
        cte_insert(a->dest + i, &cap, untyped);
    }
    ut->untyped.free_index = a->start + bytes;
    return ERR_OK;
}

long untyped_invoke(struct invocation *inv)
{
    struct untyped_retype args;
    long error = untyped_decode(inv, &args);
    return error ? error : retype(inv->slot, &args);
}
