/*
 * Object sizes, creation and teardown. Teardown runs from cap_destroy_hook when the last capability
 * to a headed object is deleted. Deleting a CSpace deletes every capability in it, which can end
 * more CSpaces: rather than recurse on the small kernel stack, a dying CSpace goes on a list that
 * object_reap drains slot by slot, stopping for interrupts (docs/kernel.md section 4, "The CSpace
 * reaping list").
 */
#include "object.h"

#include "arch/x86_64/apic.h"
#include "endpoint.h"
#include "irq.h"
#include "notification.h"
#include "reply.h"
#include "thread.h"
#include "vspace.h"

/* Slots deleted between checks for a pending interrupt: about 10,000 instructions, plus a few
   for each empty slot passed over (at most 63 a step, so never more than 8,064 compares). */
#define REAP_STEPS     128
#define REAP_EMPTY_RUN 64 /* slots one step looks at: empty ones passed over, then one deleted */

struct cspace *object_reap_list;
uint64_t object_dead_cspaces;

/* The size in bits of each type retype makes in one size only; 0 for the others. */
static const unsigned fixed_size_bits[CAP_TYPE_COUNT] = {[CAP_THREAD] = THREAD_BITS,
                                                         [CAP_VSPACE] = VSPACE_BITS,
                                                         [CAP_PAGE_TABLE] = PAGE_TABLE_BITS,
                                                         [CAP_ENDPOINT] = ENDPOINT_BITS,
                                                         [CAP_NOTIFICATION] = NOTIFICATION_BITS};

bool object_size_bits(uint64_t type, uint64_t requested, unsigned *bits, uint64_t *min,
                      uint64_t *max)
{
    *min = *max = 0;
    *bits = (unsigned)requested;
    switch (type) {
    case CAP_UNTYPED:
        *min = UNTYPED_MIN_BITS, *max = UNTYPED_MAX_BITS;
        return requested >= *min && requested <= *max;
    case CAP_FRAME:
        *min = FRAME_SMALL_BITS, *max = FRAME_LARGE_BITS;
        return requested == FRAME_SMALL_BITS || requested == FRAME_LARGE_BITS;
    case CAP_CSPACE:
        *min = CSPACE_MIN_BITS, *max = CSPACE_MAX_BITS;
        *bits = (unsigned)requested + CTE_BITS;
        return requested >= *min && requested <= *max;
    default:
        /* The types not in the table are not made by retype (yet). */
        *bits = type < CAP_TYPE_COUNT ? fixed_size_bits[type] : 0;
        return *bits != 0;
    }
}

struct cap object_new(unsigned type, void *mem, unsigned size_bits, bool device)
{
    struct cap cap = {.type = (uint8_t)type,
                      .rights = CAP_RIGHTS_ALL,
                      .flags = device ? CAP_FLAG_DEVICE : 0,
                      .size = size_bits,
                      .object = (uint64_t)mem};
    switch (type) {
    case CAP_CSPACE: {
        struct cspace *cs = mem;
        cs->header.type = CAP_CSPACE;
        cs->slot_bits = size_bits - CTE_BITS;
        cs->last_slot = (1ull << cs->slot_bits) - 1;
        cap.size = cs->slot_bits;
        break;
    }
    case CAP_THREAD:
        thread_init(mem);
        break;
    case CAP_VSPACE:
        cap.object = (uint64_t)vspace_create(mem);
        break;
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        ((struct object_header *)mem)->type = (uint16_t)type;
        break;
    default:
        break;
    }
    return cap;
}

static void object_destroy(const struct cap *cap)
{
    switch (cap->type) {
    case CAP_THREAD:
        thread_destroy((struct thread *)cap->object);
        break;
    case CAP_ENDPOINT:
        endpoint_destroy((struct endpoint *)cap->object);
        break;
    case CAP_NOTIFICATION:
        notification_destroy((struct notification *)cap->object);
        break;
    case CAP_VSPACE:
        vspace_destroy((struct vspace *)cap->object);
        break;
    case CAP_CSPACE: {
        struct cspace *cs = (struct cspace *)cap->object;
        cs->reap_next = object_reap_list;
        cs->reap_cursor = 1;
        object_reap_list = cs;
        object_dead_cspaces++;
        break;
    }
    default:
        break;
    }
}

/* Deletes the slots of the CSpaces on object_reap_list, REAP_STEPS at a time, until the list is
   empty (true) or an interrupt is pending after a batch (false). Always the head first: a CSpace
   that dies meanwhile goes on top and is finished before the one whose slot held it, and a CSpace
   leaves the list only once its cursor is past its last slot. The cursor keeps the progress
   across calls; between two deletes the tree is consistent, so whoever runs between two calls
   finds the unreaped slots as ordinary capabilities, which it may delete or revoke (the reaper
   then finds them empty). Holds the lock. */
bool object_reap(void)
{
    for (unsigned steps = 1; object_reap_list; steps++) {
        struct cspace *cs = object_reap_list;
        if (cs->reap_cursor > cs->last_slot) {
            object_reap_list = cs->reap_next;
            continue;
        }
        /* Up to REAP_EMPTY_RUN - 1 empty slots before the one deleted are passed over in the
           same step: most of a large CSpace is empty (a driver's 2^14 slots; the swap pause,
           docs/disk-performance.md). */
        uint64_t run_end = cs->last_slot - cs->reap_cursor < REAP_EMPTY_RUN
                               ? cs->last_slot
                               : cs->reap_cursor + REAP_EMPTY_RUN - 1;
        while (cs->reap_cursor < run_end && cspace_slot(cs, cs->reap_cursor)->cap.type == CAP_NULL)
            cs->reap_cursor++;
        cte_delete(cspace_slot(cs, cs->reap_cursor++));
        if (steps % REAP_STEPS == 0 && object_reap_list && apic_interrupt_pending())
            return false;
    }
    return true;
}

/* Per-capability state: a frame's or table's mapping, an IRQ line. */
static void object_cap_deleted(const struct cap *cap)
{
    if (cap->type == CAP_IRQ_HANDLER)
        irq_handler_deleted(cap);
    else if (cap->type == CAP_REPLY)
        reply_cap_deleted(cap);
    else
        vspace_cap_deleted(cap);
}

void object_init_hooks(void)
{
    cap_destroy_hook = object_destroy;
    cap_deleted_hook = object_cap_deleted;
    cap_moved_hook = reply_cap_moved;
}
