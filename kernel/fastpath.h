#ifndef MISSIVE_FASTPATH_H
#define MISSIVE_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/trap.h"

struct thread;

/* Every system call enters the kernel here (entry.asm), with the caller's
   saved context c. Takes the kernel lock and tries SYS_CALL and
   SYS_REPLY_RECV on the fast path; whatever it declines, having changed
   nothing, goes to syscall_dispatch. Returns (to kernel_return_to_user,
   which releases the lock) unless it switched straight to the thread that
   got a message. Interrupts off. */
void fastpath_syscall(struct trap_frame *c);

/* What entry.asm calls (an indirect call costs no more than a direct one):
   fastpath_syscall, or while tracing its twin with the trace hook. */
extern void (*syscall_handler)(struct trap_frame *);

/* Points syscall_handler at the traced twin or back. Kernel lock held.
   Another CPU entering meanwhile may still take the other one, for that
   one system call (so a trace may miss a message at its very start). */
void fastpath_set_traced(bool traced);

/* Calls and replies the fast path has handled since boot. */
extern uint64_t fastpath_count;

#endif
