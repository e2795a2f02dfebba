#ifndef MISSIVE_FASTPATH_H
#define MISSIVE_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/trap.h"

struct thread;

/* Tries SYS_CALL or SYS_REPLY_RECV (number) for t, whose saved context is c,
   on the fast path. Returns false, having changed nothing, if it declines;
   true if it handled the call (it may not return at all: it switches
   directly to the thread that got the message). Interrupts off. */
bool fastpath(struct thread *t, struct trap_frame *c, uint64_t number);

/* Calls and replies the fast path has handled since boot. */
extern uint64_t fastpath_count;

#endif
