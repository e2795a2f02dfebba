/*
 * Endpoints: synchronous rendezvous IPC (docs/kernel.md). A queue of
 * waiting senders or of waiting receivers, never both.
 */
#ifndef MISSIVE_ENDPOINT_H
#define MISSIVE_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "cap.h"
#include "object.h"
#include "thread.h"

struct endpoint {
    struct object_header header;
    uint32_t receivers; /* 1: the queue holds receivers, 0: senders (or nobody) */
    struct thread_queue queue;
};

/* sender sends its message (tag and registers in its context, long words and capabilities in its
   IPC buffer) with badge; capabilities travel only with can_grant. With call, it then waits for the
   reply. Without a receiver waiting, it queues (blocking) or gets ERR_WOULD_BLOCK. */
void endpoint_send(struct thread *sender, struct endpoint *ep, uint64_t badge, bool call,
                   bool blocking, bool can_grant);

/* receiver takes the first queued message, or queues (blocking), or gets
   ERR_WOULD_BLOCK. can_grant: it receives through a capability with the
   grant right, so its reply may carry capabilities. */
void endpoint_receive(struct thread *receiver, struct endpoint *ep, bool blocking, bool can_grant);

/* Delivers replier's message as the answer to caller, which waits for it (BLOCKED_REPLY, no longer
   linked to anyone): a fault's answer resumes or stops the faulted thread; anything else is copied
   (with capabilities if can_grant) and wakes it. */
void endpoint_deliver_reply(struct thread *replier, struct thread *caller, bool can_grant);

/* replier answers the call it received last with the message in its
   context; ERR_NO_REPLY in its RAX if there is none. */
void endpoint_reply(struct thread *replier);

/* Takes t (BLOCKED_SEND or BLOCKED_RECV) off its endpoint's queue; an emptied queue holds
   senders from then on (receivers 0). (fastpath.c unrolls the queue operations.) */
void endpoint_cancel(struct thread *t);

/* Copies up to count capabilities named in from's buffer into to's receive slots, as children of
   the originals; an Untyped capability, of which there is only ever one per range, moves instead
   (it keeps its place in the derivation tree, so whoever retyped it can still revoke it). Skips any
   that cannot go (empty or untransferable source, full or invalid destination). Returns how many
   went. Needs: out is to's buffer, one it may write. Inline: the fast path's capability variant
   makes no call for it. */
__attribute__((always_inline)) static inline unsigned
endpoint_transfer_caps(struct thread *from, struct ipc_buffer *in, struct thread *to,
                       struct ipc_buffer *out, unsigned count)
{
    struct cspace *src_cs = thread_cspace(from), *dest_cs = thread_cspace(to);
    uint64_t first = *(volatile uint64_t *)&out->receive_slot, next = first; /* 0: none */
    if (!src_cs || !dest_cs)
        return 0;
    for (const uint64_t *name = in->caps; name < in->caps + count; name++) {
        /* Read once: another thread of the sender may rewrite its buffer meanwhile. */
        uint64_t index = *(const volatile uint64_t *)name;
        /* last_slot: the slot count less one, so index - 1 wraps for slot 0. */
        if (index - 1 >= src_cs->last_slot || next - 1 >= dest_cs->last_slot)
            continue;
        struct cte *src = cspace_slot(src_cs, index), *dest = cspace_slot(dest_cs, next);
        unsigned type = src->cap.type;
        if (type == CAP_NULL || dest->cap.type != CAP_NULL)
            continue;
        if (type == CAP_UNTYPED)
            cte_move(dest, src);
        else if (cap_type_copyable(type))
            cte_derive_first(dest, src);
        else
            continue;
        next++;
    }
    return (unsigned)(next - first);
}

/* Wakes every queued thread with ERR_OBJECT_DELETED. */
void endpoint_destroy(struct endpoint *ep);

#endif
