#ifndef MISSIVE_FASTPATH_H
#define MISSIVE_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/trap.h"

struct thread;

/* syscall_entry (entry.asm) calls SYS_CALL's and SYS_REPLY_RECV's handler with the caller's
   context: the lock taken, the fast path tried; what it declines, unchanged, goes to
   syscall_dispatch. Returns to kernel_return_to_user unless it switched. Four variants each:
   fxsave or xsave, trace hook or not, so neither costs a test. Interrupts off. */
extern void (*fastpath_call_handler)(struct trap_frame *);
extern void (*fastpath_reply_recv_handler)(struct trap_frame *);

/* Points the two handlers at the variants for this machine's FPU switch (cpu_fpu_features, which
   must be set: boot calls it once before the first system call), with the trace hook or without.
   Kernel lock held. Another CPU entering meanwhile may still take the previous one for that one
   system call (so a trace may miss a message at its very start). */
void fastpath_set_traced(bool traced);

/* Calls and replies the fast path has handled since boot. */
extern uint64_t fastpath_count;

#endif
