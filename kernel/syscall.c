/*
 * System call dispatch (lib/missive/abi.h): finds the capability named in
 * RDI in the caller's CSpace and routes the call to IPC (endpoints,
 * notifications) or to the object type's invocation decoder. Every error
 * lands in the caller's RAX; nothing a caller passes can fault the kernel.
 */
#include "syscall.h"
#include "arch/x86_64/cpu_local.h"
#include "endpoint.h"
#include "fastpath.h"
#include "invoke.h"
#include "irq.h"
#include "lock.h"
#include "log.h"
#include "missive/abi.h"
#include "notification.h"
#include "object.h"
#include "reply.h"
#include "sched.h"
#include "thread.h"
#include "trace.h"
#include "vspace.h"

uint64_t preempted_invocations;

struct cte *invoke_lookup(struct thread *caller, uint64_t index, long *error)
{
    struct cspace *cs = thread_cspace(caller);
    if (!cs || index == 0 || index >= (1ull << cs->slot_bits)) {
        *error = ERR_INVALID_SLOT;
        return 0;
    }
    struct cte *slot = cspace_slot(cs, index);
    if (slot->cap.type == CAP_NULL) {
        *error = ERR_EMPTY_SLOT;
        return 0;
    }
    return slot;
}

long invoke_bad_argument(struct invocation *inv, unsigned argument, uint64_t min, uint64_t max)
{
    invoke_reply_mr(inv, 0, argument);
    invoke_reply_mr(inv, 1, min);
    invoke_reply_mr(inv, 2, max);
    return ERR_INVALID_ARGUMENT;
}

void invoke_reply_mr(struct invocation *inv, unsigned i, uint64_t value)
{
    *thread_mr(&inv->caller->context, i) = value;
}

/* The debug console: text from user space until the console server owns
   COM1, and a way for test programs to report how they ended. */
long debug_invoke(struct invocation *inv)
{
    struct thread *t = inv->caller;
    switch (inv->label) {
    case DEBUG_WRITE: {
        uint64_t length = inv->mr[0];
        if (length > 8 * (MSG_REGISTERS - 1))
            return invoke_bad_argument(inv, 0, 0, 8 * (MSG_REGISTERS - 1));
        char text[8 * (MSG_REGISTERS - 1)];
        for (uint64_t i = 0; i < length; i++)
            text[i] = (char)(inv->mr[1 + i / 8] >> (8 * (i % 8)));
        kprintf("%.*s", (int)length, text);
        return ERR_OK;
    }
    case DEBUG_EXIT:
        kprintf("thread '%s' exited with status %ld (uptime %lu ticks)\n", t->name,
                (long)inv->mr[0], sched_ticks);
        thread_stop(t);
        return ERR_OK;
    case DEBUG_CPU_STATS: {
        uint64_t cpu = inv->mr[0];
        if (cpu >= cpu_count)
            return invoke_bad_argument(inv, 0, 0, cpu_count - 1);
        invoke_reply_mr(inv, 0, sched_ticks);
        invoke_reply_mr(inv, 1, cpus[cpu].busy_ticks);
        invoke_reply_mr(inv, 2, cpus[cpu].idle_ticks);
        invoke_reply_mr(inv, 3, sched_queued((unsigned)cpu));
        invoke_reply_mr(inv, 4, t->cpu);
        return ERR_OK;
    }
    case DEBUG_TRACE_SET_BUFFER:
    case DEBUG_TRACE_START:
    case DEBUG_TRACE_STOP:
        return trace_invoke(inv);
    default:
        return ERR_INVALID_LABEL;
    }
}

/* SYS_CALL on a capability that is not an endpoint: an invocation. */
static long invoke(struct thread *t, struct cte *slot)
{
    struct invocation inv = {t, slot, MSG_LABEL(t->context.rsi), {0}};
    /* Arguments past the message's length read as 0, so an optional
       trailing argument is absent unless the caller sent it. */
    for (unsigned i = 0; i < MSG_REGISTERS && i < MSG_LENGTH(t->context.rsi); i++)
        inv.mr[i] = *thread_mr(&t->context, i);
    switch (slot->cap.type) {
    case CAP_UNTYPED:
        return untyped_invoke(&inv);
    case CAP_CSPACE:
        return cspace_invoke(&inv);
    case CAP_THREAD:
        return thread_invoke(&inv);
    case CAP_DEBUG:
        return debug_invoke(&inv);
    case CAP_VSPACE:
        return vspace_invoke(&inv);
    case CAP_FRAME:
        return frame_invoke(&inv);
    case CAP_PAGE_TABLE:
        return page_table_invoke(&inv);
    case CAP_IRQ_CONTROL:
        return irq_control_invoke(&inv);
    case CAP_IRQ_HANDLER:
        return irq_handler_invoke(&inv);
    case CAP_IO_PORT_CONTROL:
        return io_port_control_invoke(&inv);
    case CAP_IO_PORT:
        return io_port_invoke(&inv);
    default:
        return ERR_WRONG_TYPE;
    }
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
        struct cte *slot = invoke_lookup(t, context->rdi, &error);
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
