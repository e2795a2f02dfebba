/*
 * A sleeping lock on a notification; see mutex.h. The state machine is the futex mutex of
 * Drepper's "Futexes Are Tricky" (the third one), with a notification for the futex: a signal
 * that nobody waits for stays pending, so a wake-up sent between a waiter's exchange and its
 * wait is not lost (the wait returns at once), and a stale one only costs a waiter another
 * look at the state.
 */
#include "libsys/mutex.h"

#include "libsys/libsys.h"
#include "libsys/objects.h"

#define MUTEX_SPINS                                                                                \
    64 /* looks at a held lock before sleeping: a holder on another CPU                            \
          usually lets go within a few hundred instructions */

struct result mutex_init(struct mutex *m)
{
    atomic_store(&m->state, 0);
    return libsys_make_object(CAP_NOTIFICATION, 0, &m->notification);
}

/* Swaps 0 for 1: whether m was free (and is now held, with no waiter known). */
static int take_free(struct mutex *m, uint32_t *seen)
{
    *seen = 0;
    return atomic_compare_exchange_strong(&m->state, seen, 1);
}

void mutex_lock(struct mutex *m)
{
    uint32_t seen;
    for (int i = 0; i < MUTEX_SPINS; i++) {
        if (take_free(m, &seen))
            return;
        __asm__ volatile("pause"); /* asm: the spin-wait hint C has no word for */
    }
    /* Mark the lock contended; whoever held it signals on unlock. Held with state 2 from
       here on, even if no one else waits: one signal too many is harmless. */
    if (seen != 2)
        seen = atomic_exchange(&m->state, 2);
    while (seen != 0) {
        struct missive_msg msg = {0};
        missive_syscall(SYS_RECV, m->notification, 0, &msg);
        seen = atomic_exchange(&m->state, 2);
    }
}

void mutex_unlock(struct mutex *m)
{
    if (atomic_fetch_sub(&m->state, 1) != 1) {
        atomic_store(&m->state, 0);
        struct missive_msg msg = {0};
        missive_syscall(SYS_SEND, m->notification, 0, &msg);
    }
}
