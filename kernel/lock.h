/*
 * The big kernel lock (docs/kernel.md section 13). Every kernel entry that touches shared state
 * (system call, exception, interrupt) takes it and the exit to user mode or to the idle halt
 * releases it, so the object code keeps its single-threaded reasoning, as in seL4. A
 * test-and-test-and-set lock, not a ticket lock: under QEMU's TCG more vCPUs than host cores is the
 * usual case, and a FIFO hand-over to a waiter the host has descheduled stalls every CPU (with 8
 * vCPUs on 2 cores, ticket hand-overs fell to a few hundred a second); here whichever waiter runs
 * takes the lock. The price is fairness between waiters, which the short critical sections make
 * cheap; time-slice ticks that change nothing shared take no lock at all (sched_tick_quick).
 *
 * A CPU waiting for the lock keeps serving the requests the holder may be waiting for (TLB flushes,
 * FPU hand-over; smp.c): the holder can ask other CPUs for those without deadlock.
 *
 * Debug builds (MISSIVE_DEBUG) remember the owner and check it: taking the lock twice on one CPU,
 * releasing it without holding it, and code that needs the lock running without it all panic.
 */
#ifndef MISSIVE_LOCK_H
#define MISSIVE_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/cpu_local.h"

/* Inline (forced, a GCC attribute: the compiler's size heuristics sometimes decline), as every
   system call takes and releases it and the fast path's budget is a few instructions for both; the
   rest is in lock.c. */
extern struct kernel_lock_word {
    volatile uint32_t held;
    volatile uint32_t owner; /* the holder's CPU index, or ~0 (debug builds only) */
} kernel_lock_word;

/* Spins until it takes the lock, serving other CPUs' requests. */
void kernel_lock_wait(void);

#ifdef MISSIVE_DEBUG
void kernel_lock_check_take(void);
void kernel_lock_check_release(void);
#endif

/* Takes the kernel lock. Needs: interrupts off, this CPU's GS set up, the
   lock not held by this CPU. */
__attribute__((always_inline)) static inline void kernel_lock(void)
{
#ifdef MISSIVE_DEBUG
    kernel_lock_check_take();
#endif
    if (__atomic_exchange_n(&kernel_lock_word.held, 1, __ATOMIC_ACQUIRE))
        kernel_lock_wait();
#ifdef MISSIVE_DEBUG
    kernel_lock_word.owner = this_cpu()->id;
#endif
}

/* Releases it. Needs: this CPU holds it. */
__attribute__((always_inline)) static inline void kernel_unlock(void)
{
#ifdef MISSIVE_DEBUG
    kernel_lock_check_release();
    kernel_lock_word.owner = ~0u;
#endif
    __atomic_store_n(&kernel_lock_word.held, 0, __ATOMIC_RELEASE);
}

#ifdef MISSIVE_DEBUG
/* Panics naming the function if the lock is not held by this CPU. */
void kernel_lock_assert_held(const char *function);
#define KERNEL_LOCK_ASSERT_HELD() kernel_lock_assert_held(__func__)
#else
#define KERNEL_LOCK_ASSERT_HELD() ((void)0)
#endif

#endif
