/* Notifications; see notification.h. */
#include "notification.h"

#include "endpoint.h"
#include "missive/abi.h"
#include "thread.h"

static void queue_remove(struct notification *n, struct thread *t)
{
    thread_queue_remove(&n->waiters, t);
    t->ipc_notification = 0;
}

/* Ends t's wait with the notification word as a receive result. */
static void deliver(struct thread *t, uint64_t word, bool as_receive)
{
    t->context.rdi = word;
    if (as_receive)
        t->context.rsi = MSG_TAG(NOTIFICATION_LABEL, 0, 0);
    t->context.rax = ERR_OK;
    thread_set_state(t, THREAD_RUNNABLE);
}

/* The thread bound to n, if the binding still stands: the thread holds
   its bound capability to n (a revoke may have taken it). */
static struct thread *bound_thread(struct notification *n)
{
    struct thread *t = n->bound;
    if (t && (t->bound_cap.cap.type != CAP_NOTIFICATION ||
              (struct notification *)t->bound_cap.cap.object != n)) {
        t->bound_notification = 0;
        n->bound = 0;
        return 0;
    }
    return t;
}

/* Takes the pending word (which may be 0: a signal through an unbadged
   capability still counts) and clears it. */
static uint64_t take(struct notification *n)
{
    uint64_t word = n->word;
    n->word = 0;
    n->pending = 0;
    return word;
}

void notification_signal(struct notification *n, uint64_t badge)
{
    n->word |= badge;
    n->pending = 1;
    struct thread *t = n->waiters.head;
    struct thread *bound = bound_thread(n);
    if (t) {
        queue_remove(n, t);
        deliver(t, take(n), false);
    } else if (bound && bound->state == THREAD_BLOCKED_RECV) {
        /* The bound thread waits on an endpoint: the signal ends that wait. */
        endpoint_cancel(bound);
        deliver(bound, take(n), true);
    }
}

void notification_wait(struct thread *t, struct notification *n, bool blocking)
{
    if (n->pending) {
        t->context.rdi = take(n);
        t->context.rax = ERR_OK;
        return;
    }
    if (!blocking) {
        t->context.rdi = 0;
        t->context.rax = (uint64_t)ERR_WOULD_BLOCK;
        return;
    }
    t->ipc_notification = n;
    thread_queue_append(&n->waiters, t);
    thread_set_state(t, THREAD_BLOCKED_NOTIFICATION);
}

void notification_cancel(struct thread *t)
{
    if (t->ipc_notification)
        queue_remove(t->ipc_notification, t);
}

bool notification_take_bound(struct thread *t)
{
    if (!notification_bound_pending(t))
        return false;
    deliver(t, take(t->bound_notification), true);
    return true;
}

bool notification_bound_pending(struct thread *t)
{
    struct notification *n = t->bound_notification;
    return n && bound_thread(n) == t && n->pending;
}

bool notification_is_bound(struct notification *n)
{
    return bound_thread(n) != 0;
}

void notification_bind(struct notification *n, struct thread *t)
{
    n->bound = t;
    t->bound_notification = n;
}

void notification_unbind(struct thread *t)
{
    if (t->bound_notification)
        t->bound_notification->bound = 0;
    t->bound_notification = 0;
    cte_delete(&t->bound_cap);
}

void notification_destroy(struct notification *n)
{
    if (n->bound) { /* its last capability went, so the thread's copy is gone */
        n->bound->bound_notification = 0;
        n->bound = 0;
    }
    while (n->waiters.head) {
        struct thread *t = n->waiters.head;
        queue_remove(n, t);
        thread_wake_with_error(t, ERR_OBJECT_DELETED);
    }
}
