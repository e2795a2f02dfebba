/*
 * A lock for the threads of one process (libsys/mutex.c), which may run at different
 * priorities: a contended lock sleeps on a notification instead of spinning.
 *
 * Why not a spinlock: on one CPU, a thread that spins for a lock held by a thread of lower
 * priority never lets the holder run again (the scheduler always picks the spinner), so both
 * stop for ever. The console's terminal window hung so (its thread at 180 spinning on the
 * lock its drawing helper at 150 held when a clock tick preempted it). Here a waiter spins a
 * little (the holder may be running on another CPU), then waits on the lock's notification,
 * which lets the holder run; the holder's unlock signals it. There is no priority
 * inheritance: a waiter may wait while threads between the two priorities run (bounded
 * inversion, as in seL4's user-level mutexes).
 */
#ifndef MISSIVE_LIBSYS_MUTEX_H
#define MISSIVE_LIBSYS_MUTEX_H

#include <stdatomic.h>
#include <stdint.h>

#include "result/result.h"

struct mutex {
    /* 0 free; 1 held; 2 held and a thread may be waiting (its unlock must signal). */
    _Atomic uint32_t state;
    uint64_t notification; /* the slot of a notification only this lock uses */
};

/* Makes m's notification (memory from memsrv) and leaves m free. Returns the failure. */
struct result mutex_init(struct mutex *m);

/* Takes m, waiting as long as another thread of the process holds it. m must not be held by
   the calling thread (no recursion). */
void mutex_lock(struct mutex *m);

/* Releases m, which the calling thread holds, and wakes a waiter if there may be one. */
void mutex_unlock(struct mutex *m);

#endif
