/*
 * Saved replies (reply.c): a server that cannot answer a call at once moves the one-shot reply into
 * a capability slot and answers later by sending on it. docs/abi.md section 5.
 */
#ifndef MISSIVE_REPLY_H
#define MISSIVE_REPLY_H

#include "cap.h"

struct thread;

/* CSPACE_SAVE_REPLY, decoded by cspace_ops.c: moves the reply server owes
   into the empty slot dest. Needs: server->reply_to set. */
void reply_save(struct thread *server, struct cte *dest);

/* SYS_SEND or SYS_NB_SEND by t on the reply capability in slot: delivers
   t's message to the waiting caller and deletes the capability. t's RAX
   gets 0, or ERR_NO_REPLY if the caller is gone (the capability goes too). */
void reply_send(struct thread *t, struct cte *slot);

/* The hooks: a reply capability deleted unused wakes its caller with
   ERR_NO_REPLY; a moved one tells its caller where it is now. */
void reply_cap_deleted(const struct cap *cap);
void reply_cap_moved(struct cte *dest);

/* caller stops waiting (suspended or destroyed): its saved reply
   capability, if any, stays but answers nobody. */
void reply_cancel(struct thread *caller);

#endif
