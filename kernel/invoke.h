/*
 * Invocations: operations on kernel objects, requested by SYS_CALL on their
 * capabilities (docs/abi.md). Each object type decodes its own labels in its
 * own file, checking every argument in order before doing anything; a
 * failed check writes the error to RAX and, for ERR_INVALID_ARGUMENT, which
 * argument failed (MR0) and the range allowed (MR1, MR2).
 */
#ifndef MISSIVE_INVOKE_H
#define MISSIVE_INVOKE_H

#include <stdint.h>

#include "cap.h"
#include "object.h"

struct thread;

/* The invocation's arguments and where its answer goes: the caller's context. */
struct invocation {
    struct thread *caller;
    struct cte *slot; /* the capability invoked */
    uint64_t label;
    uint64_t mr[10]; /* MR0-MR9 as sent */
};

/* Returns the slot numbered index in the caller's CSpace, or NULL (then
 *error is ERR_INVALID_SLOT). */
struct cte *invoke_lookup(struct thread *caller, uint64_t index, long *error);

/* Returned by an invocation that stopped part-way to let a pending
   interrupt in: the system call is re-executed later, and the operation
   continues from the progress it recorded. Never seen by user space. */
#define INVOKE_RESTART 1

/* How often that has happened since boot, with the stops of CSpace reaping
   (thread.c's preemption point; reported when idle). */
extern uint64_t preempted_invocations;

/* Answers with error and, for ERR_INVALID_ARGUMENT, the argument and range. */
long invoke_bad_argument(struct invocation *inv, unsigned argument, uint64_t min, uint64_t max);

/* Sets reply message register i of the caller. */
void invoke_reply_mr(struct invocation *inv, unsigned i, uint64_t value);

long untyped_invoke(struct invocation *inv);
long cspace_invoke(struct invocation *inv);
long thread_invoke(struct invocation *inv);
long debug_invoke(struct invocation *inv);
long io_port_control_invoke(struct invocation *inv);
long io_port_invoke(struct invocation *inv);

#endif
