/*
 * Notifications: asynchronous signals as a word of bits. Signalling ORs the capability's badge into
 * the word; waiting returns the word (in RDI) and clears it, or blocks until a signal comes.
 */
#ifndef MISSIVE_NOTIFICATION_H
#define MISSIVE_NOTIFICATION_H

#include <stdbool.h>
#include <stdint.h>

#include "cap.h"
#include "thread.h"

struct notification {
    struct object_header header;
    uint32_t pending; /* signalled since the last wait took the word (even with badge 0) */
    uint64_t word;
    struct thread_queue waiters;
    struct thread *bound; /* the thread bound to it (THREAD_BIND_NOTIFICATION) */
};

void notification_signal(struct notification *n, uint64_t badge);
void notification_wait(struct thread *t, struct notification *n, bool blocking);
void notification_cancel(struct thread *t);

/* If t's bound notification has a word, hands it to t as a receive result
   (NOTIFICATION_LABEL) and returns true. */
bool notification_take_bound(struct thread *t);

/* True if t's bound notification has a signal waiting / if n has a bound
   thread still holding its capability to n. */
bool notification_bound_pending(struct thread *t);
bool notification_is_bound(struct notification *n);

/* Binds t to n (both unbound), or unbinds t from its notification. */
void notification_bind(struct notification *n, struct thread *t);
void notification_unbind(struct thread *t);
void notification_destroy(struct notification *n);

#endif
