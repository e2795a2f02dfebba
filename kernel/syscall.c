/*
 * System call dispatch (lib/missive/abi.h): finds the capability named in
 * RDI in the caller's CSpace and routes the call to IPC (endpoints,
 * notifications) or to the object type's invocation decoder. Every error
 * lands in the caller's RAX; nothing a caller passes can fault the kernel.
 */
#include "syscall.h"
#include "endpoint.h"
#include "fastpath.h"
#include "invoke.h"
#include "irq.h"
#include "missive/abi.h"
#include "notification.h"
#include "object.h"
#include "reply.h"
#include "sched.h"
#include "thread.h"
#include "vspace.h"

uint64_t preempted_invocations;

/* The handler of the invocations on each capability type; Endpoint, Notification and Reply
   capabilities have none (they are used by IPC). */
static long (*const invoke_handlers[CAP_TYPE_COUNT])(struct invocation *inv) = {
    [CAP_UNTYPED] = untyped_invoke,
    [CAP_FRAME] = frame_invoke,
    [CAP_VSPACE] = vspace_invoke,
    [CAP_PAGE_TABLE] = page_table_invoke,
    [CAP_THREAD] = thread_invoke,
    [CAP_CSPACE] = cspace_invoke,
    [CAP_IRQ_CONTROL] = irq_control_invoke,
    [CAP_IRQ_HANDLER] = irq_handler_invoke,
    [CAP_IO_PORT_CONTROL] = io_port_control_invoke,
    [CAP_IO_PORT] = io_port_invoke,
    [CAP_DEBUG] = debug_invoke,
};

/* SYS_CALL on a capability that is not an endpoint: an invocation. Its
   answer goes into the caller's message registers here, and nowhere else. */
static long invoke(struct thread *t, struct cte *slot)
{
    /* Not an initializer: it would zero reply[], which only reply_length says is set. */
    struct invocation inv;
    inv.caller = t;
    inv.cspace = thread_cspace(t);
    inv.slot = slot;
    inv.label = MSG_LABEL(t->context.rsi);
    inv.reply_length = 0;
    /* Arguments past the message's length read as 0, so an optional
       trailing argument is absent unless the caller sent it. */
    unsigned i = 0;
    for (; i < MSG_REGISTERS && i < MSG_LENGTH(t->context.rsi); i++)
        inv.mr[i] = *thread_mr(&t->context, i);
    for (; i < MSG_REGISTERS; i++)
        inv.mr[i] = 0;
    long (*handler)(struct invocation *) = invoke_handlers[slot->cap.type];
    long result = handler ? handler(&inv) : ERR_WRONG_TYPE;
    for (i = 0; i < inv.reply_length; i++)
        *thread_mr(&t->context, i) = inv.reply[i];
    return result;
}

/* The IPC system calls on the capability in slot; results go to t's RAX. */
static void ipc(struct thread *t, uint64_t number, struct cte *slot)
{
    struct cap *cap = &slot->cap;
    bool blocking = number != SYS_NB_SEND && number != SYS_NB_RECV;
    bool sending = number == SYS_CALL || number == SYS_SEND || number == SYS_NB_SEND;
    uint8_t right = sending ? CAP_RIGHT_SEND : CAP_RIGHT_RECEIVE;
    if (cap->type == CAP_ENDPOINT) {
        bool grant = cap->rights & CAP_RIGHT_GRANT;
        if (!(cap->rights & right) || (sending && MSG_CAPS(t->context.rsi) && !grant)) {
            t->context.rax = (uint64_t)ERR_MISSING_RIGHT; /* nothing is transferred */
        } else if (sending) {
            endpoint_send(t, (struct endpoint *)cap->object, cap->badge, number == SYS_CALL,
                          blocking, grant);
        } else {
            endpoint_receive(t, (struct endpoint *)cap->object, blocking, grant);
        }
    } else if (cap->type == CAP_NOTIFICATION && number != SYS_CALL) {
        if (!(cap->rights & right)) {
            t->context.rax = (uint64_t)ERR_MISSING_RIGHT;
        } else if (sending) {
            notification_signal((struct notification *)cap->object, cap->badge);
            t->context.rax = ERR_OK;
        } else {
            notification_wait(t, (struct notification *)cap->object, blocking);
        }
    } else if (cap->type == CAP_REPLY && (number == SYS_SEND || number == SYS_NB_SEND)) {
        reply_send(t, slot);
    } else if (number == SYS_CALL) {
        long result = invoke(t, slot);
        if (result == INVOKE_RESTART) {
            /* Re-execute the syscall instruction (2 bytes) once the interrupt
               is handled; every register as the caller left it (by iretq). */
            t->context.rip -= 2;
            t->context.vector = 0;
            preempted_invocations++;
        } else {
            t->context.rax = (uint64_t)result;
        }
    } else {
        t->context.rax = (uint64_t)ERR_WRONG_TYPE;
    }
}

void syscall_dispatch(struct thread *t, struct trap_frame *context)
{
    if (!t)
        return; /* another CPU took the thread away meanwhile and undid this call (smp_evict) */
    uint64_t number = context->rax;
    uint64_t dead_cspaces_before = object_dead_cspaces;
    long error;
    switch (number) {
    case SYS_YIELD:
        sched_yield(t);
        context->rax = ERR_OK;
        break;
    case SYS_REPLY:
        endpoint_reply(t);
        break;
    case SYS_REPLY_RECV:
        if (t->reply_to)
            endpoint_reply(t);
        /* fall through - then receive */
    case SYS_CALL:
    case SYS_SEND:
    case SYS_NB_SEND:
    case SYS_RECV:
    case SYS_NB_RECV: {
        struct cte *slot = invoke_lookup(thread_cspace(t), context->rdi, &error);
        if (!slot)
            context->rax = (uint64_t)error;
        else
            ipc(t, number == SYS_REPLY_RECV ? SYS_RECV : number, slot);
        break;
    }
    default:
        context->rax = (uint64_t)ERR_INVALID_SYSCALL;
        break;
    }
    /* A CSpace this call ended is reaped before the caller runs again (kernel_return_to_user),
       in batches with interrupts let in between. A caller that no longer runs leaves it to
       whoever next kills a CSpace, resets an Untyped or idles. */
    if (object_dead_cspaces != dead_cspaces_before && t->state == THREAD_RUNNABLE)
        t->reaping = 1;
}
