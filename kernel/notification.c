/* Notifications; see notification.h. */
#include "notification.h"

#include "missive/abi.h"
#include "thread.h"

static void queue_remove(struct notification *n, struct thread *t)
{
    if (t->ipc_prev)
        t->ipc_prev->ipc_next = t->ipc_next;
    else
        n->head = t->ipc_next;
    if (t->ipc_next)
        t->ipc_next->ipc_prev = t->ipc_prev;
    else
        n->tail = t->ipc_prev;
    t->ipc_next = t->ipc_prev = 0;
    t->ipc_notification = 0;
}

void notification_signal(struct notification *n, uint64_t badge)
{
    n->word |= badge;
    struct thread *t = n->head;
    if (!t)
        return;
    queue_remove(n, t);
    t->context.rdi = n->word;
    t->context.rax = ERR_OK;
    n->word = 0;
    thread_set_state(t, THREAD_RUNNABLE);
}

void notification_wait(struct thread *t, struct notification *n, bool blocking)
{
    if (n->word) {
        t->context.rdi = n->word;
        t->context.rax = ERR_OK;
        n->word = 0;
        return;
    }
    if (!blocking) {
        t->context.rdi = 0;
        t->context.rax = (uint64_t)ERR_WOULD_BLOCK;
        return;
    }
    t->ipc_notification = n;
    t->ipc_next = 0;
    t->ipc_prev = n->tail;
    if (n->tail)
        n->tail->ipc_next = t;
    else
        n->head = t;
    n->tail = t;
    thread_set_state(t, THREAD_BLOCKED_NOTIFICATION);
}

void notification_cancel(struct thread *t)
{
    if (t->ipc_notification)
        queue_remove(t->ipc_notification, t);
}

void notification_destroy(struct notification *n)
{
    while (n->head) {
        struct thread *t = n->head;
        queue_remove(n, t);
        thread_wake_with_error(t, ERR_OBJECT_DELETED);
    }
}
