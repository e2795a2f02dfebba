/* System calls (syscall.c): the slow path every call the fast path declines takes. */
#ifndef MISSIVE_SYSCALL_H
#define MISSIVE_SYSCALL_H

#include "arch/x86_64/trap.h"

struct thread;

/* Carries out the system call t made, whose saved context is context (its
   own), with RAX the call number; results go to the context. t is NULL if
   another CPU took the thread away meanwhile (smp_evict): nothing to do.
   Kernel lock held; the way out (kernel_return_to_user) releases it. */
void syscall_dispatch(struct thread *t, struct trap_frame *context);

#endif
