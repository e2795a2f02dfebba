/*
 * The IPC fast path: call and reply_recv with a register-only message, when
 * the other side is already waiting. It does what endpoint.c would do, with
 * nothing general in the way, and then switches straight to the thread that
 * got the message if it belongs to this CPU and the scheduler would pick it
 * anyway (its priority is the highest runnable); a thread of another CPU is
 * queued there, which interrupts that CPU if it idles. Anything else
 * (capabilities to transfer, long messages, faults, nobody waiting, a
 * receiver still owing a reply) it declines, leaving all state untouched,
 * and the slow path in syscall.c handles the call.
 */
#include "fastpath.h"

#include "arch/x86_64/cpu_local.h"
#include "endpoint.h"
#include "missive/abi.h"
#include "notification.h"
#include "object.h"
#include "sched.h"
#include "thread.h"
#include "trace.h"

/* The message registers, copied whole: cheaper than a loop over the length. */
static inline void copy_message(struct trap_frame *to, const struct trap_frame *from)
{
    to->rdx = from->rdx;
    to->r8 = from->r8;
    to->r9 = from->r9;
    to->r10 = from->r10;
    to->r12 = from->r12;
    to->r13 = from->r13;
    to->r14 = from->r14;
    to->r15 = from->r15;
    to->rbx = from->rbx;
    to->rbp = from->rbp;
}

/* Makes target runnable and leaves the kernel into it if it runs on this
   CPU and nothing of higher priority can run; otherwise returns and the
   scheduler (here or on target's CPU) decides. */
static void wake_and_maybe_switch(struct thread *target)
{
    target->state = THREAD_RUNNABLE;
    /* A thread whose VSpace was revoked while it waited goes through
       kernel_return_to_user, which stops it. */
    if (target->cpu == this_cpu()->id && (int)target->priority >= sched_highest_priority() &&
        thread_vspace_root(target)) {
        sched_enqueue_front(target);
        thread_enter_user(target);
    }
    sched_enqueue(target);
}

uint64_t fastpath_count;

bool fastpath(struct thread *t, struct trap_frame *c, uint64_t number)
{
    uint64_t tag = c->rsi, slot = c->rdi;
    struct cspace *cs = thread_cspace(t);
    if (!cs || MSG_CAPS(tag) || MSG_LENGTH(tag) > MSG_REGISTERS || !slot ||
        slot >= (1ull << cs->slot_bits))
        return false;
    const struct cap *cap = &cspace_slot(cs, slot)->cap;
    if (cap->type != CAP_ENDPOINT)
        return false;
    struct endpoint *ep = (struct endpoint *)cap->object;

    if (number == SYS_CALL) {
        struct thread *receiver = ep->queue.head;
        if (!(cap->rights & CAP_RIGHT_SEND) || !ep->receivers || !receiver || receiver->reply_to)
            return false;
        endpoint_dequeue(ep, receiver);
        if (!ep->queue.head)
            ep->receivers = 0;
        copy_message(&receiver->context, c);
        receiver->context.rsi = tag;
        receiver->context.rdi = cap->badge;
        receiver->context.rax = ERR_OK;
        receiver->reply_to = t;
        t->replier = receiver;
        if (trace_on)
            trace_ipc(t, receiver, TRACE_FAST | TRACE_CALL);
        fastpath_count++;
        thread_set_state(t, THREAD_BLOCKED_REPLY);
        wake_and_maybe_switch(receiver);
        return true;
    }

    /* SYS_REPLY_RECV: answer the caller, then wait on the endpoint. */
    struct thread *caller = t->reply_to;
    if (!caller || caller->fault_pending || !(cap->rights & CAP_RIGHT_RECEIVE) ||
        (!ep->receivers && ep->queue.head) || notification_bound_pending(t))
        return false;
    t->reply_to = 0;
    caller->replier = 0;
    fastpath_count++;
    copy_message(&caller->context, c);
    caller->context.rsi = tag;
    caller->context.rdi = 0;
    caller->context.rax = ERR_OK;
    if (trace_on)
        trace_ipc(t, caller, TRACE_FAST | TRACE_REPLY);
    t->ipc_reply_can_grant = cap->rights & CAP_RIGHT_GRANT;
    ep->receivers = 1;
    endpoint_enqueue(ep, t);
    thread_set_state(t, THREAD_BLOCKED_RECV);
    wake_and_maybe_switch(caller);
    return true;
}
