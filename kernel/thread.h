/*
 * Threads. For now only the root task's one thread exists; the capability
 * kernel makes Thread objects from Untyped memory with the same layout.
 */
#ifndef MISSIVE_THREAD_H
#define MISSIVE_THREAD_H

#include <stdint.h>

#include "arch/x86_64/trap.h"

enum thread_state {
    THREAD_RUNNABLE,
    THREAD_SUSPENDED, /* faulted with no fault handler, or stopped */
    THREAD_EXITED,
};

struct thread {
    /* First, and 16-byte aligned: entry.asm pushes the user registers
       straight into it (struct thread is allocated page-aligned). */
    struct trap_frame context;
    uint64_t fs_base;
    uint64_t address_space; /* physical address of the top-level page table */
    enum thread_state state;
    uint8_t priority;
    uint8_t queued;     /* in a run queue */
    uint32_t timeslice; /* ticks left */
    struct thread *sched_next, *sched_prev;
    char name[16];
};

/* Makes t runnable (queued) or not, keeping the run queue in step. */
void thread_set_state(struct thread *t, enum thread_state state);

/* Leaves the kernel into the current thread if it can run, else idles.
   Called at the end of every kernel entry (entry.asm) and at the end of
   boot. Interrupts off. */
_Noreturn void kernel_return_to_user(void);

#endif
