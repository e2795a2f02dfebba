/*
 * Kernel objects made from Untyped memory: their sizes, their set-up after retype, and their
 * teardown when the last capability to them goes (docs/kernel.md has the table of types).
 */
#ifndef MISSIVE_OBJECT_H
#define MISSIVE_OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "cap.h"
#include "missive/abi.h" /* the object sizes */

_Static_assert(sizeof(struct cte) == 1 << CTE_BITS, "a slot is 64 bytes");

/* The CSpace object: an array of 2^slot_bits slots whose slot 0 holds this
   header instead of a capability (slot 0 is never usable). */
struct cspace {
    struct object_header header;
    uint32_t slot_bits;
    uint64_t last_slot;       /* (1 << slot_bits) - 1: the fast path's bound, kept ready */
    struct cspace *reap_next; /* on the list of CSpaces whose slots await deletion */
    uint64_t reap_cursor;     /* there: the next slot to delete */
};
_Static_assert(sizeof(struct cspace) <= sizeof(struct cte), "a CSpace's header is its slot 0");

static inline struct cte *cspace_slot(struct cspace *cs, uint64_t index)
{
    return (struct cte *)cs + index;
}

/* The size in bits of one object of type, given the size the caller asked for (used only by
   Untyped, Frame and CSpace); false if the pair is not valid, with the allowed range in *min and
   *max (both 0 when the type is not one retype makes, whatever its value). */
bool object_size_bits(uint64_t type, uint64_t requested, unsigned *bits, uint64_t *min,
                      uint64_t *max);

/* The capability for a new object of type at mem (zeroed, already laid out
   by object_init), with all rights. */
struct cap object_new(unsigned type, void *mem, unsigned size_bits, bool device);

/* Deletes pending CSpace contents (see cap_destroy_hook in object.c) in
   batches; returns true once none is left, false if it stopped for a pending
   interrupt (calling it again goes on where it stopped). Holds the lock. */
bool object_reap(void);

/* The dead CSpaces whose slots are still to be deleted (object.c's). */
extern struct cspace *object_reap_list;

/* True while a dead CSpace has slots left to delete. Inline: the idle loop
   asks at every wake-up. */
static inline bool object_reap_pending(void)
{
    return object_reap_list != 0;
}

/* How many CSpaces have died since boot: a system call that changed it owes
   the reaping (syscall.c, kernel_return_to_user). */
extern uint64_t object_dead_cspaces;

/* Installs object.c's teardown as cap_destroy_hook. */
void object_init_hooks(void);

#endif
