/*
 * System call dispatch (lib/missive/abi.h): finds the capability named in RDI in the caller's
 * CSpace and routes the call to IPC (endpoints, notifications) or to the object type's invocation
 * decoder. Every error lands in the caller's RAX; nothing a caller passes can fault the kernel.
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
static void invoke(struct thread *t, struct cte *slot)
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
    if (result != INVOKE_RESTART) {
        t->context.rax = (uint64_t)result;
        return;
    }
    /* Re-execute the syscall instruction (2 bytes) once the interrupt
       is handled; every register as the caller left it (by iretq). */
    t->context.rip -= 2;
    t->context.vector = 0;
    preempted_invocations++;
}

/* Each system call decodes its capability (RDI) and checks its right before it changes
   anything; results go to t's RAX. */

/* The occupied slot RDI names in t's CSpace, or NULL with the error in t's RAX. */
static struct cte *syscall_slot(struct thread *t)
{
    long error;
    struct cte *slot = invoke_lookup(thread_cspace(t), t->context.rdi, &error);
    if (!slot)
        t->context.rax = (uint64_t)error;
    return slot;
}

/* SYS_CALL (an invocation unless on an endpoint), SYS_SEND and SYS_NB_SEND: to an endpoint
   (capabilities only with the grant right), a notification (signal) or a reply capability. */
static void send(struct thread *t, bool call, bool blocking)
{
    struct cte *slot = syscall_slot(t);
    if (!slot)
        return;
    struct cap *cap = &slot->cap;
    bool grant = cap->rights & CAP_RIGHT_GRANT;
    if (cap->type == CAP_ENDPOINT && (cap->rights & CAP_RIGHT_SEND) &&
        (grant || !MSG_CAPS(t->context.rsi)))
        endpoint_send(t, (struct endpoint *)cap->object, cap->badge, call, blocking, grant);
    else if (call && cap->type != CAP_ENDPOINT)
        invoke(t, slot);
    else if (cap->type == CAP_NOTIFICATION && (cap->rights & CAP_RIGHT_SEND)) {
        notification_signal((struct notification *)cap->object, cap->badge);
        t->context.rax = ERR_OK;
    } else if (cap->type == CAP_REPLY)
        reply_send(t, slot);
    else
        t->context.rax = (uint64_t)(cap->type == CAP_ENDPOINT || cap->type == CAP_NOTIFICATION
                                        ? ERR_MISSING_RIGHT
                                        : ERR_WRONG_TYPE);
}

/* SYS_RECV and SYS_NB_RECV: from an endpoint, or a notification's wait (poll). */
static void receive(struct thread *t, bool blocking)
{
    struct cte *slot = syscall_slot(t);
    if (!slot)
        return;
    struct cap *cap = &slot->cap;
    if (cap->type != CAP_ENDPOINT && cap->type != CAP_NOTIFICATION)
        t->context.rax = (uint64_t)ERR_WRONG_TYPE;
    else if (!(cap->rights & CAP_RIGHT_RECEIVE))
        t->context.rax = (uint64_t)ERR_MISSING_RIGHT;
    else if (cap->type == CAP_ENDPOINT)
        endpoint_receive(t, (struct endpoint *)cap->object, blocking,
                         cap->rights & CAP_RIGHT_GRANT);
    else
        notification_wait(t, (struct notification *)cap->object, blocking);
}

_Noreturn void syscall_slow(struct trap_frame *context)
{
    kernel_lock();
    struct cpu_local *cpu = this_cpu();
    struct thread *t = cpu->current;
    uint64_t changes = cpu->run_queue_changes;
    syscall_dispatch(t, context);
    syscall_return_at_once(cpu, t, changes);
    kernel_return_to_user();
}

void syscall_dispatch(struct thread *t, struct trap_frame *context)
{
    if (!t)
        return; /* another CPU took the thread away meanwhile and undid this call (smp_evict) */
    uint64_t number = context->rax;
    if (number >= SYS_COUNT) {
        context->rax = (uint64_t)ERR_INVALID_SYSCALL;
        return;
    }
    uint64_t dead_cspaces_before = object_dead_cspaces;
    switch (number) { /* dense: the compiler makes it a table of jumps */
    case SYS_CALL:
    case SYS_SEND:
    case SYS_NB_SEND:
        send(t, number == SYS_CALL, number != SYS_NB_SEND);
        break;
    case SYS_REPLY_RECV:
        if (t->reply_to)
            endpoint_reply(t);
        /* fall through - then receive */
    case SYS_RECV:
    case SYS_NB_RECV:
        receive(t, number != SYS_NB_RECV);
        break;
    case SYS_REPLY:
        endpoint_reply(t);
        break;
    case SYS_YIELD:
        sched_yield(t);
        context->rax = ERR_OK;
        break;
    }
    /* A CSpace this call ended is reaped before the caller runs again (kernel_return_to_user),
       in batches with interrupts let in between. A caller that no longer runs leaves it to
       whoever next kills a CSpace, resets an Untyped or idles. */
    if (object_dead_cspaces != dead_cspaces_before && t->state == THREAD_RUNNABLE)
        t->reaping = 1;
}
