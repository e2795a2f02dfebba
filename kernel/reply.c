/*
 * Saved replies. A call leaves the receiver owing one reply, held in the thread itself (reply_to)
 * so the common case needs no slot and no allocation. A server that must answer later (a read that
 * waits for input, a wait for a process to exit) moves that debt into a capability with
 * CSPACE_SAVE_REPLY, takes other calls meanwhile, and answers by sending on the capability, which
 * then disappears (as seL4's SaveCaller did).
 *
 * The capability points at the caller; the caller points back at the slot (reply_cap), kept right
 * on a move by the moved hook, so that whichever side goes first can tell the other: a caller that
 * stops waiting leaves a capability that answers nobody, and a capability deleted unused wakes its
 * caller with ERR_NO_REPLY. No reply capability is ever copied.
 */
#include "reply.h"

#include "endpoint.h"
#include "missive/abi.h"
#include "thread.h"

void reply_save(struct thread *server, struct cte *dest)
{
    struct thread *caller = server->reply_to;
    server->reply_to = 0;
    caller->replier = 0;
    struct cap cap = {.type = CAP_REPLY, .object = (uint64_t)caller};
    /* Whether the answer may carry capabilities is settled by how the call
       came in, as for a direct reply. */
    if (server->ipc_reply_can_grant)
        cap.rights = CAP_RIGHT_GRANT;
    cte_insert(dest, &cap, 0);
    caller->reply_cap = dest;
}

void reply_send(struct thread *t, struct cte *slot)
{
    struct thread *caller = (struct thread *)slot->cap.object;
    bool can_grant = slot->cap.rights & CAP_RIGHT_GRANT;
    if (caller)
        reply_cancel(caller); /* slot answers nobody now: its deletion below wakes nobody */
    cte_delete(slot);
    if (!caller) {
        t->context.rax = (uint64_t)ERR_NO_REPLY;
        return;
    }
    endpoint_deliver_reply(t, caller, can_grant);
}

void reply_cap_deleted(const struct cap *cap)
{
    struct thread *caller = (struct thread *)cap->object;
    if (!caller)
        return;
    caller->reply_cap = 0;
    thread_wake_with_error(caller, ERR_NO_REPLY); /* a fault nobody will handle: it stays stopped */
}

void reply_cap_moved(struct cte *dest)
{
    if (dest->cap.type == CAP_REPLY && dest->cap.object)
        ((struct thread *)dest->cap.object)->reply_cap = dest;
}

void reply_cancel(struct thread *caller)
{
    if (caller->reply_cap) {
        caller->reply_cap->cap.object = 0;
        caller->reply_cap = 0;
    }
}
