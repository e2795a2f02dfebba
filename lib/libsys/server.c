/*
 * The server library's loop: receive, dispatch, reply and receive again. See server.h.
 */
#include "libsys/server.h"

#include "libsys/invoke.h"
#include "libsys/mutex.h"

#include <stdlib.h>

/* Empties slot of s's CSpace (nothing happens if it is empty already). */
static void server_delete(const struct server *s, uint64_t slot)
{
    cspace_delete(s->cspace, slot);
}

/* A fresh slot for the capabilities of the next message (0: accept none). */
static uint64_t server_receive_slot(const struct server *s)
{
    return s->slot_alloc ? s->slot_alloc() : 0;
}

/* Receives into call (after answering with status and call->out, if status is not
   SERVER_NO_REPLY), retrying interrupted receives; returns once a message came. */
static inline __attribute__((always_inline)) void
server_receive(struct server *s, struct server_call *call, long status, uint64_t receive_slot)
{
    struct ipc_buffer *buffer = libsys_ipc_buffer;
    struct missive_msg *msg = &call->in.msg; /* the answer goes out of it, the request comes in */
    long e;
    buffer->receive_slot = receive_slot;
    if (status != SERVER_NO_REPLY) {
        uint64_t length = call->out.length < MSG_MAX_LENGTH ? call->out.length : MSG_MAX_LENGTH;
        /* Only a reply that carries a capability touches the buffer's capability words: a
           server's second thread sharing the buffer (the console's terminal helper) may have
           its own request's there. */
        unsigned caps = 0;
        if (call->reply_cap) {
            buffer->caps[caps++] = call->reply_cap;
            if (call->reply_cap2)
                buffer->caps[caps++] = call->reply_cap2;
        }
        *msg = call->out.msg;
        e = missive_syscall(SYS_REPLY_RECV, s->endpoint, MSG_TAG(status, length, caps), msg);
    } else {
        e = missive_syscall(SYS_RECV, s->endpoint, 0, msg);
    }
    while (e != ERR_OK) {
        if (e != ERR_INTERRUPTED && !(s->receive_failed ? s->receive_failed(s, e) : false))
            exit(1);
        buffer->receive_slot = receive_slot;
        e = missive_syscall(SYS_RECV, s->endpoint, 0, msg);
    }
    call->in.label = MSG_LABEL(msg->tag);
    call->in.length = MSG_LENGTH(msg->tag);
    call->badge = msg->badge;
    call->received = MSG_CAPS(msg->tag) ? receive_slot : 0;
    /* A request carries at most receive_caps capabilities: the kernel put any others in the
       slots after those, which the server's allocator thinks free. They go at once, before a
       handler could be refused one of those slots. */
    unsigned accepted = s->receive_caps > 1 ? s->receive_caps : 1;
    call->received_count = MSG_CAPS(msg->tag) < accepted ? MSG_CAPS(msg->tag) : accepted;
    for (unsigned i = accepted; i < MSG_CAPS(msg->tag); i++)
        server_delete(s, receive_slot + i);
}

/* Deletes the capability left in slot and gives the slot back. */
static void server_release(const struct server *s, uint64_t slot)
{
    server_delete(s, slot);
    if (s->slot_free)
        s->slot_free(slot);
}

/* The loop of a server that waits on a notification alone: each signal's word goes to the
   notification hook. */
static _Noreturn void server_run_notifications(struct server *s)
{
    for (;;) {
        struct missive_msg msg = {0};
        long e = missive_syscall(SYS_RECV, s->endpoint, 0, &msg);
        if (e == ERR_OK) {
            if (s->notification)
                s->notification(s, msg.badge);
        } else if (e != ERR_INTERRUPTED && !(s->receive_failed ? s->receive_failed(s, e) : false)) {
            exit(1);
        }
    }
}

/* The loop, for a server with a mutex (locked) or without: inlined into two copies
   (server_run), so that a server of one thread runs no lock code at all (the disk path's
   instructions per request, docs/disks.md). */
static inline __attribute__((always_inline, noreturn)) void server_loop(struct server *s,
                                                                        bool locked)
{
    struct server_call call = {0}; /* per thread: several may serve one endpoint */
    if (locked)
        mutex_lock(s->mutex);
    uint64_t receive_slot = server_receive_slot(s);
    long status = SERVER_NO_REPLY;
    for (;;) {
        uint64_t sent_cap = status == SERVER_NO_REPLY ? 0 : call.reply_cap;
        if (locked)
            mutex_unlock(s->mutex); /* the answer is in call, this thread's own */
        server_receive(s, &call, status, receive_slot);
        if (locked)
            mutex_lock(s->mutex);
        if (sent_cap) { /* the kernel copied it (and a second) to the caller with the reply */
            server_release(s, sent_cap);
            if (call.reply_cap2)
                server_release(s, call.reply_cap2);
            call.reply_cap2 = 0;
        }
        call.reply_cap = 0;
        if (call.in.label == NOTIFICATION_LABEL || call.in.label == FAULT_LABEL)
            call.out = (struct request){0}; /* server_dispatch clears it for the others */
        if (call.in.label == NOTIFICATION_LABEL && call.in.length == 0 &&
            s->notification_any_word) {
            call.server = s;
            if (s->notification_answer) {
                status = s->notification_answer(&call);
            } else {
                if (s->notification) /* a forged call is answered by the next receive */
                    s->notification(s, call.badge);
                status = SERVICE_BAD_LABEL;
            }
        } else if (call.in.label == NOTIFICATION_LABEL && call.in.length == 0) {
            /* A client may send the label itself: the kernel does not reserve it. Only a real
               notification leaves no reply owed, so answering tells the two apart: the client
               is told it is no request, and the hook runs only for the notification. */
            struct missive_msg answer = {0};
            if (missive_syscall(SYS_REPLY, 0, MSG_TAG(SERVICE_BAD_LABEL, 0, 0), &answer) ==
                    ERR_NO_REPLY &&
                s->notification)
                s->notification(s, call.badge);
            status = SERVER_NO_REPLY;
        } else if (call.in.label == FAULT_LABEL && call.in.length == FAULT_MR_COUNT && s->fault) {
            status = s->fault(&call);
        } else {
            status = server_dispatch(s, &call);
        }
        if (call.received)
            for (unsigned i = 0; i < call.received_count; i++) /* not kept: the slots take */
                server_delete(s, call.received + i);           /* the next ones */
        else if (MSG_CAPS(call.in.msg.tag))
            receive_slot = server_receive_slot(s); /* the handler kept it */
        if (status == SERVER_NO_REPLY && call.reply_cap) {
            server_release(s, call.reply_cap);
            call.reply_cap = 0;
            if (call.reply_cap2) /* set only with reply_cap */
                server_release(s, call.reply_cap2);
            call.reply_cap2 = 0;
        }
    }
}

_Noreturn void server_run(struct server *s)
{
    if (s->endpoint_is_notification)
        server_run_notifications(s);
    if (s->mutex)
        server_loop(s, true);
    server_loop(s, false);
}
