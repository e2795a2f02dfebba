/* System calls (syscall.c): the slow path every call the fast path declines takes. */
#ifndef MISSIVE_SYSCALL_H
#define MISSIVE_SYSCALL_H

#include <stdint.h>

#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/trap.h"
#include "lock.h"
#include "thread.h"

struct thread;

/* Carries out the system call t made, whose saved context is context (its own), with RAX the call
   number; results go to the context. t is NULL if another CPU took the thread away meanwhile
   (smp_evict): nothing to do. Kernel lock held; the way out (kernel_return_to_user) releases it. */
void syscall_dispatch(struct thread *t, struct trap_frame *context);

/* Every system call but SYS_CALL and SYS_REPLY_RECV (entry.asm): takes the lock, dispatches,
   leaves by syscall_return_at_once or kernel_return_to_user. */
_Noreturn void syscall_slow(struct trap_frame *context);

/* Leaves into t by sysret (lock released) if kernel_return_to_user would enter it with nothing
   to load and cpu->run_queue_changes is still changes (docs/ipc-performance.md); else returns. */
__attribute__((always_inline)) static inline void
syscall_return_at_once(struct cpu_local *cpu, struct thread *t, uint64_t changes)
{
    if (t && cpu->current == t && cpu->run_queue_changes == changes &&
        t->state == THREAD_RUNNABLE && t->cpu == cpu->id && !t->reaping &&
        t->context.vector == TRAP_VECTOR_SYSCALL && thread_vspace_root(t) == cpu->loaded_root &&
        t->fs_base == cpu->loaded_fs_base && cpu->fpu_owner == t) {
        kernel_unlock();
        context_restore(&t->context);
    }
}

#endif
