/*
 * Endpoints: synchronous rendezvous IPC (docs/kernel.md). A queue of
 * waiting senders or of waiting receivers, never both.
 */
#ifndef MISSIVE_ENDPOINT_H
#define MISSIVE_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "cap.h"
#include "thread.h"

struct endpoint {
    struct object_header header;
    uint32_t receivers; /* 1: the queue holds receivers, 0: senders (or nobody) */
    struct thread_queue queue;
};

/* sender sends its message (tag and registers in its context, long words
   and capabilities in its IPC buffer) with badge; capabilities travel only
   with can_grant. With call, it then waits for the reply. Without a receiver waiting, it
   queues (blocking) or gets ERR_WOULD_BLOCK. */
void endpoint_send(struct thread *sender, struct endpoint *ep, uint64_t badge, bool call,
                   bool blocking, bool can_grant);

/* receiver takes the first queued message, or queues (blocking), or gets
   ERR_WOULD_BLOCK. can_grant: it receives through a capability with the
   grant right, so its reply may carry capabilities. */
void endpoint_receive(struct thread *receiver, struct endpoint *ep, bool blocking, bool can_grant);

/* Delivers replier's message as the answer to caller, which waits for it
   (BLOCKED_REPLY, no longer linked to anyone): a fault's answer resumes or
   stops the faulted thread; anything else is copied (with capabilities if
   can_grant) and wakes it. */
void endpoint_deliver_reply(struct thread *replier, struct thread *caller, bool can_grant);

/* replier answers the call it received last with the message in its
   context; ERR_NO_REPLY in its RAX if there is none. */
void endpoint_reply(struct thread *replier);

/* Takes t (BLOCKED_SEND or BLOCKED_RECV) off its endpoint's queue; an emptied queue holds
   senders from then on (receivers 0). (fastpath.c unrolls the queue operations.) */
void endpoint_cancel(struct thread *t);

/* Sends up to count capabilities of in->caps to out->receive_slot on (docs/abi.md section 6);
   returns how many went. Needs: out is to's buffer, one it may write. */
unsigned endpoint_transfer_caps(struct thread *from, struct ipc_buffer *in, struct thread *to,
                                struct ipc_buffer *out, unsigned count);

/* Wakes every queued thread with ERR_OBJECT_DELETED. */
void endpoint_destroy(struct endpoint *ep);

#endif
