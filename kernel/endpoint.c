/*
 * Endpoint IPC, the slow path: every case, in plain C. The message is the tag (RSI) and MR0-MR9
 * (registers) of the sender's saved context, copied into the receiver's with the badge in RDI. The
 * kernel never blocks: a thread that must wait is queued and the scheduler runs someone else.
 */
#include "endpoint.h"

#include "missive/abi.h"
#include "notification.h"
#include "object.h"
#include "thread.h"
#include "trace.h"

/* Appends t to ep's queue (the caller sets its state and ep->receivers). */
static void endpoint_enqueue(struct endpoint *ep, struct thread *t)
{
    t->ipc_endpoint = ep;
    thread_queue_append(&ep->queue, t);
}

/* Copies the message from one context to another (docs/abi.md section 4). To's buffer, if the
   message needs it, must be one it may write, else nothing changes: ERR_NOT_MAPPED. */
static long transfer(struct thread *from, struct thread *to, uint64_t badge)
{
    if (from->fault_pending) { /* the kernel speaks for a faulting thread */
        to->context.rsi = MSG_TAG(FAULT_LABEL, FAULT_MR_COUNT, 0);
        for (unsigned i = 0; i < FAULT_MR_COUNT; i++)
            *thread_mr(&to->context, i) = from->fault_mr[i];
        to->context.rdi = badge;
        to->context.rax = ERR_OK;
        return ERR_OK;
    }
    uint64_t tag = from->context.rsi;
    uint64_t length = MSG_LENGTH(tag);
    struct ipc_buffer *in = thread_ipc_buffer(from), *out = 0;
    if (length > MSG_MAX_LENGTH)
        length = MSG_MAX_LENGTH;
    if (!in)
        length = length > MSG_REGISTERS ? MSG_REGISTERS : length;
    else if ((length > MSG_REGISTERS || (MSG_CAPS(tag) && from->ipc_can_grant)) &&
             !(out = thread_receive_buffer(to)))
        return ERR_NOT_MAPPED;
    to->context.rdi = badge;
    to->context.rax = ERR_OK;
    for (unsigned i = 0; i < length && i < MSG_REGISTERS; i++)
        *thread_mr(&to->context, i) = *thread_mr(&from->context, i);
    for (uint64_t i = MSG_REGISTERS; i < length; i++)
        out->mr[i] = in->mr[i];
    unsigned caps = 0;
    if (MSG_CAPS(tag) && from->ipc_can_grant && in)
        caps = endpoint_transfer_caps(from, in, to, out, (unsigned)MSG_CAPS(tag));
    to->context.rsi = MSG_TAG(MSG_LABEL(tag), length, caps);
    return ERR_OK;
}

/* After a call was delivered: the caller waits for receiver's reply. A reply receiver still owed
   (it took a new call without answering the last) is lost, and its caller is told so. */
static void link_reply(struct thread *caller, struct thread *receiver)
{
    if (receiver->reply_to) {
        struct thread *dropped = receiver->reply_to;
        dropped->replier = 0;
        thread_wake_with_error(dropped, ERR_NO_REPLY);
    }
    receiver->reply_to = caller;
    caller->replier = receiver;
    thread_set_state(caller, THREAD_BLOCKED_REPLY);
}

void endpoint_send(struct thread *sender, struct endpoint *ep, uint64_t badge, bool call,
                   bool blocking, bool can_grant)
{
    sender->ipc_can_grant = can_grant;
    if (ep->receivers && ep->queue.head) {
        struct thread *receiver = ep->queue.head;
        long error = transfer(sender, receiver, badge);
        if (error) { /* the receiver waits on, untouched */
            sender->context.rax = (uint64_t)error;
            return;
        }
        endpoint_cancel(receiver);
        if (trace_on)
            trace_ipc(sender, receiver, call ? TRACE_CALL : TRACE_SEND);
        thread_set_state(receiver, THREAD_RUNNABLE);
        if (!sender->fault_pending)
            sender->context.rax = ERR_OK;
        if (call)
            link_reply(sender, receiver);
        return;
    }
    if (!blocking) {
        sender->context.rax = (uint64_t)ERR_WOULD_BLOCK;
        return;
    }
    sender->ipc_badge = badge;
    sender->ipc_is_call = call;
    endpoint_enqueue(ep, sender);
    thread_set_state(sender, THREAD_BLOCKED_SEND);
}

void endpoint_receive(struct thread *receiver, struct endpoint *ep, bool blocking, bool can_grant)
{
    receiver->ipc_reply_can_grant = can_grant;
    if (notification_take_bound(receiver))
        return; /* a pending signal on its bound notification comes first */
    if (!ep->receivers && ep->queue.head) {
        struct thread *sender = ep->queue.head;
        endpoint_cancel(sender);
        long error = transfer(sender, receiver, sender->ipc_badge);
        if (error) { /* both are told: the sender's message is not delivered */
            thread_wake_with_error(sender, error);
            receiver->context.rax = (uint64_t)error;
            return;
        }
        if (trace_on)
            trace_ipc(sender, receiver, sender->ipc_is_call ? TRACE_CALL : TRACE_SEND);
        if (sender->ipc_is_call) {
            link_reply(sender, receiver);
        } else {
            sender->context.rax = ERR_OK;
            thread_set_state(sender, THREAD_RUNNABLE);
        }
        return;
    }
    if (!blocking) {
        receiver->context.rax = (uint64_t)ERR_WOULD_BLOCK;
        return;
    }
    ep->receivers = 1;
    endpoint_enqueue(ep, receiver);
    thread_set_state(receiver, THREAD_BLOCKED_RECV);
}

void endpoint_reply(struct thread *replier)
{
    struct thread *caller = replier->reply_to;
    if (!caller) {
        replier->context.rax = (uint64_t)ERR_NO_REPLY;
        return;
    }
    replier->reply_to = 0;
    caller->replier = 0;
    /* A reply carries capabilities if the call came in through a capability
       with the grant right (the caller trusted the server with it). */
    endpoint_deliver_reply(replier, caller, replier->ipc_reply_can_grant);
}

void endpoint_deliver_reply(struct thread *replier, struct thread *caller, bool can_grant)
{
    replier->context.rax = ERR_OK;
    replier->ipc_can_grant = can_grant;
    long error;
    if (caller->fault_pending) {
        /* A fault's answer: label 0 resumes the thread (its registers as they
           were: it retries the instruction), anything else leaves it stopped. */
        if (trace_on)
            trace_ipc(replier, caller, TRACE_REPLY);
        caller->fault_pending = 0;
        thread_set_state(caller,
                         MSG_LABEL(replier->context.rsi) == 0 ? THREAD_RUNNABLE : THREAD_SUSPENDED);
        return;
    }
    if ((error = transfer(replier, caller, 0))) { /* the reply is used up: both are told */
        replier->context.rax = (uint64_t)error;
        thread_wake_with_error(caller, error);
        return;
    }
    if (trace_on)
        trace_ipc(replier, caller, TRACE_REPLY);
    thread_set_state(caller, THREAD_RUNNABLE);
}

void endpoint_cancel(struct thread *t)
{
    struct endpoint *ep = t->ipc_endpoint;
    if (!ep)
        return;
    thread_queue_remove(&ep->queue, t);
    t->ipc_endpoint = 0;
    if (!ep->queue.head)
        ep->receivers = 0;
}

void endpoint_destroy(struct endpoint *ep)
{
    while (ep->queue.head) {
        struct thread *t = ep->queue.head;
        endpoint_cancel(t); /* the last one leaves receivers 0 */
        thread_wake_with_error(t, ERR_OBJECT_DELETED);
    }
}
