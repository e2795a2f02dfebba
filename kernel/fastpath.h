#ifndef MISSIVE_FASTPATH_H
#define MISSIVE_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/trap.h"

struct thread;

/* Every system call enters the kernel through syscall_handler (entry.asm;
   an indirect call costs no more than a direct one), with the caller's
   saved context c. The function it points to takes the kernel lock and
   tries SYS_CALL and SYS_REPLY_RECV on the fast path; whatever that
   declines, having changed nothing, goes to syscall_dispatch. It returns
   (to kernel_return_to_user, which releases the lock) unless it switched
   straight to the thread that got a message. Interrupts off. There are
   four such functions, compiled for fxsave or xsave and with or without
   the IPC trace's hook, so that neither costs the fast path a test. */
extern void (*syscall_handler)(struct trap_frame *);

/* Points syscall_handler at the variant for this machine's FPU switch
   (cpu_fpu_features, which must be set: boot calls it once before the
   first system call), with the trace hook or without. Kernel lock held.
   Another CPU entering meanwhile may still take the previous one for that
   one system call (so a trace may miss a message at its very start). */
void fastpath_set_traced(bool traced);

/* Calls and replies the fast path has handled since boot. */
extern uint64_t fastpath_count;

#endif
