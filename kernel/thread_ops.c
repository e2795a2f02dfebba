/*
 * Thread invocations: configure (CSpace, VSpace, priority, fault endpoint), registers, resume,
 * suspend, priority, IPC buffer, name, notification binding, TLS base, affinity. A thread can never
 * raise a priority above its own: the caller's priority bounds every priority it sets.
 */
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/vm.h"
#include "invoke.h"
#include "missive/abi.h"
#include "notification.h"
#include "sched.h"
#include "string.h"
#include "thread.h"
#include "vspace.h"

_Static_assert(sizeof(((struct thread *)0)->name) == sizeof(((struct thread_op *)0)->name),
               "THREAD_SET_NAME decodes a whole name");

static bool stopped(const struct thread *t)
{
    return t->state == THREAD_INACTIVE || t->state == THREAD_SUSPENDED;
}

/* THREAD_CONFIGURE: MR0 CSpace, MR1 VSpace, MR2 priority, MR3 fault endpoint (0: none). */
static long decode_configure(struct invocation *inv, struct thread_op *out)
{
    long error;
    if ((error = invoke_cap_argument(inv, THREAD_CONFIGURE_ARG_CSPACE, 1, &out->cspace)) ||
        (error = invoke_cap_argument(inv, THREAD_CONFIGURE_ARG_VSPACE, 1, &out->vspace)))
        return error;
    if (out->cspace->cap.type != CAP_CSPACE || out->vspace->cap.type != CAP_VSPACE)
        return ERR_WRONG_TYPE;
    if ((error = invoke_value_argument(inv, THREAD_CONFIGURE_ARG_PRIORITY, inv->caller->priority,
                                       &out->value)))
        return error;
    return invoke_typed_argument(inv, THREAD_CONFIGURE_ARG_FAULT_ENDPOINT, 0, CAP_ENDPOINT,
                                 CAP_RIGHT_SEND, &out->cap);
}

/* THREAD_SET_NAME: MR0 length (0-15), MR1-MR2 the bytes. Printable ASCII
   only, so a name can never forge a line of the kernel log it appears in. */
static long decode_name(struct invocation *inv, struct thread_op *out)
{
    uint64_t length;
    long error =
        invoke_value_argument(inv, THREAD_SET_NAME_ARG_LENGTH, sizeof out->name - 1, &length);
    if (error)
        return error;
    memset(out->name, 0, sizeof out->name);
    for (uint64_t i = 0; i < length; i++) {
        unsigned arg = (unsigned)(THREAD_SET_NAME_ARG_BYTES + i / 8);
        out->name[i] = (char)(inv->mr[arg] >> (8 * (i % 8)));
        if (out->name[i] < 0x20 || out->name[i] > 0x7e)
            return invoke_bad_argument(inv, arg, 0x20, 0x7e);
    }
    return ERR_OK;
}

/* THREAD_BIND_NOTIFICATION: MR0 the notification (0: unbind). One thread
   per notification, and one notification per thread. (notification_is_bound
   forgets a binding whose capability is gone, which was void already.) */
static long decode_bind(struct invocation *inv, struct thread *t, struct thread_op *out)
{
    long error = invoke_typed_argument(inv, THREAD_BIND_NOTIFICATION_ARG_NOTIFICATION, 0,
                                       CAP_NOTIFICATION, CAP_RIGHT_RECEIVE, &out->cap);
    if (error || !out->cap)
        return error;
    struct notification *bound = t->bound_notification;
    if (notification_is_bound((struct notification *)out->cap->cap.object) ||
        (bound && notification_is_bound(bound) && bound->bound == t))
        return ERR_NOT_PERMITTED;
    return ERR_OK;
}

long thread_decode(struct invocation *inv, struct thread_op *out)
{
    struct thread *t = (struct thread *)inv->slot->cap.object;
    long error;
    *out = (struct thread_op){0};
    switch (inv->label) {
    case THREAD_CONFIGURE:
        return decode_configure(inv, out);
    case THREAD_WRITE_REGISTERS:
        if ((error = invoke_value_argument(inv, THREAD_WRITE_REGISTERS_ARG_RIP, USER_END - 1,
                                           &out->registers.rip)) ||
            (error = invoke_value_argument(inv, THREAD_WRITE_REGISTERS_ARG_RSP, USER_SPACE_END - 1,
                                           &out->registers.rsp)) ||
            (error = invoke_value_argument(inv, THREAD_WRITE_REGISTERS_ARG_FS_BASE,
                                           USER_SPACE_END - 1, &out->registers.fs_base)))
            return error;
        if (!stopped(t))
            return ERR_NOT_PERMITTED; /* only a stopped thread's registers are written */
        out->registers.rdi = inv->mr[THREAD_WRITE_REGISTERS_ARG_RDI];
        out->registers.rsi = inv->mr[THREAD_WRITE_REGISTERS_ARG_RSI];
        return ERR_OK;
    case THREAD_RESUME:
        return thread_vspace_root(t) && thread_cspace(t) ? ERR_OK : ERR_NOT_PERMITTED;
    case THREAD_READ_REGISTERS:
    case THREAD_SUSPEND:
        return ERR_OK;
    case THREAD_SET_PRIORITY:
        return invoke_value_argument(inv, THREAD_SET_PRIORITY_ARG_PRIORITY, inv->caller->priority,
                                     &out->value);
    case THREAD_SET_IPC_BUFFER:
        return invoke_typed_argument(inv, THREAD_SET_IPC_BUFFER_ARG_FRAME, 0, CAP_FRAME,
                                     CAP_RIGHT_WRITE, &out->cap); /* RAM only */
    case THREAD_SET_NAME:
        return decode_name(inv, out);
    case THREAD_BIND_NOTIFICATION:
        return decode_bind(inv, t, out);
    case THREAD_SET_TLS_BASE:
        return invoke_value_argument(inv, THREAD_SET_TLS_BASE_ARG_FS_BASE, USER_SPACE_END - 1,
                                     &out->value);
    case THREAD_SET_AFFINITY:
        return invoke_value_argument(inv, THREAD_SET_AFFINITY_ARG_CPU, cpu_count - 1, &out->value);
    default:
        return ERR_INVALID_LABEL;
    }
}

static void set_priority(struct thread *t, uint8_t priority)
{
    sched_dequeue(t);
    t->priority = priority;
    if (t->state == THREAD_RUNNABLE)
        sched_enqueue(t);
}

long thread_invoke(struct invocation *inv)
{
    struct thread *t = (struct thread *)inv->slot->cap.object;
    struct thread_op a;
    long error = thread_decode(inv, &a);
    if (error)
        return error;
    switch (inv->label) {
    case THREAD_CONFIGURE:
        cte_replace(&t->cspace_cap, a.cspace);
        cte_replace(&t->vspace_cap, a.vspace);
        cte_replace(&t->fault_cap, a.cap);
        set_priority(t, (uint8_t)a.value);
        break;
    case THREAD_WRITE_REGISTERS:
        t->context.rip = a.registers.rip;
        t->context.rsp = a.registers.rsp;
        t->context.rdi = a.registers.rdi;
        t->context.rsi = a.registers.rsi;
        t->fs_base = a.registers.fs_base;
        t->context.vector = 0; /* resume by iretq: every register as written */
        break;
    case THREAD_READ_REGISTERS:
        invoke_reply(inv, THREAD_READ_REGISTERS_ANSWER_RIP, t->context.rip);
        invoke_reply(inv, THREAD_READ_REGISTERS_ANSWER_RSP, t->context.rsp);
        invoke_reply(inv, THREAD_READ_REGISTERS_ANSWER_RFLAGS, t->context.rflags);
        invoke_reply(inv, THREAD_READ_REGISTERS_ANSWER_RAX, t->context.rax);
        invoke_reply(inv, THREAD_READ_REGISTERS_ANSWER_RDI, t->context.rdi);
        break;
    case THREAD_RESUME:
        if (stopped(t))
            thread_set_state(t, THREAD_RUNNABLE);
        break;
    case THREAD_SUSPEND:
        if (!stopped(t))
            thread_stop(t);
        break;
    case THREAD_SET_PRIORITY:
        set_priority(t, (uint8_t)a.value);
        break;
    case THREAD_SET_IPC_BUFFER:
        cte_replace(&t->ipc_buffer_cap, a.cap);
        break;
    case THREAD_SET_NAME:
        memcpy(t->name, a.name, sizeof t->name);
        break;
    case THREAD_BIND_NOTIFICATION:
        notification_unbind(t);
        if (a.cap) {
            cte_derive(&t->bound_cap, a.cap, CAP_RIGHTS_ALL, 0);
            notification_bind((struct notification *)a.cap->cap.object, t);
        }
        break;
    case THREAD_SET_TLS_BASE:
        t->fs_base = a.value;
        break;
    default: /* THREAD_SET_AFFINITY */
        thread_set_affinity(t, (unsigned)a.value);
    }
    return ERR_OK;
}
