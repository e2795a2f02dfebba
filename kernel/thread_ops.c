/*
 * Thread invocations: configure (CSpace, VSpace, priority, fault endpoint),
 * registers, resume, suspend, priority, IPC buffer, name, notification
 * binding, TLS base, affinity. A thread can never raise a priority above its
 * own: the caller's priority bounds every priority it sets.
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

static void set_priority(struct thread *t, uint8_t priority)
{
    sched_dequeue(t);
    t->priority = priority;
    if (t->state == THREAD_RUNNABLE)
        sched_enqueue(t);
}

static long configure(struct invocation *inv, struct thread *t)
{
    long error;
    struct cte *cspace = invoke_lookup(inv->caller, inv->mr[0], &error);
    if (!cspace)
        return invoke_bad_argument(inv, 0, 1, (1ull << thread_cspace(inv->caller)->slot_bits) - 1);
    struct cte *vspace = invoke_lookup(inv->caller, inv->mr[1], &error);
    if (!vspace)
        return invoke_bad_argument(inv, 1, 1, (1ull << thread_cspace(inv->caller)->slot_bits) - 1);
    if (cspace->cap.type != CAP_CSPACE || vspace->cap.type != CAP_VSPACE)
        return ERR_WRONG_TYPE;
    if (inv->mr[2] > inv->caller->priority)
        return invoke_bad_argument(inv, 2, 0, inv->caller->priority);
    struct cte *fault = 0;
    if (inv->mr[3]) {
        fault = invoke_lookup(inv->caller, inv->mr[3], &error);
        if (!fault)
            return invoke_bad_argument(inv, 3, 0,
                                       (1ull << thread_cspace(inv->caller)->slot_bits) - 1);
        if (fault->cap.type != CAP_ENDPOINT)
            return ERR_WRONG_TYPE;
        if (!(fault->cap.rights & CAP_RIGHT_SEND))
            return ERR_MISSING_RIGHT;
    }

    cte_delete(&t->cspace_cap);
    cte_delete(&t->vspace_cap);
    cte_delete(&t->fault_cap);
    if (fault)
        cte_derive(&t->fault_cap, fault, CAP_RIGHTS_ALL, 0);
    cte_derive(&t->cspace_cap, cspace, CAP_RIGHTS_ALL, 0);
    cte_derive(&t->vspace_cap, vspace, CAP_RIGHTS_ALL, 0);
    set_priority(t, (uint8_t)inv->mr[2]);
    return ERR_OK;
}

/* THREAD_SET_NAME: MR0 length (0-15), MR1-MR2 the bytes. Printable ASCII
   only, so a name can never forge a line of the kernel log it appears in. */
static long set_name(struct invocation *inv, struct thread *t)
{
    uint64_t length = inv->mr[0];
    if (length > sizeof t->name - 1)
        return invoke_bad_argument(inv, 0, 0, sizeof t->name - 1);
    char name[sizeof t->name] = {0};
    for (uint64_t i = 0; i < length; i++) {
        name[i] = (char)(inv->mr[1 + i / 8] >> (8 * (i % 8)));
        if (name[i] < 0x20 || name[i] > 0x7e)
            return invoke_bad_argument(inv, (unsigned)(1 + i / 8), 0x20, 0x7e);
    }

    memcpy(t->name, name, sizeof t->name);
    return ERR_OK;
}

static bool stopped(const struct thread *t)
{
    return t->state == THREAD_INACTIVE || t->state == THREAD_SUSPENDED;
}

long thread_invoke(struct invocation *inv)
{
    struct thread *t = (struct thread *)inv->slot->cap.object;
    switch (inv->label) {
    case THREAD_CONFIGURE:
        return configure(inv, t);
    case THREAD_WRITE_REGISTERS:
        if (inv->mr[0] >= USER_END)
            return invoke_bad_argument(inv, 0, 0, USER_END - 1);
        if (inv->mr[1] >= USER_SPACE_END)
            return invoke_bad_argument(inv, 1, 0, USER_SPACE_END - 1);
        if (inv->mr[4] >= USER_SPACE_END)
            return invoke_bad_argument(inv, 4, 0, USER_SPACE_END - 1);
        if (!stopped(t))
            return ERR_NOT_PERMITTED; /* only a stopped thread's registers are written */
        t->context.rip = inv->mr[0];
        t->context.rsp = inv->mr[1];
        t->context.rdi = inv->mr[2];
        t->context.rsi = inv->mr[3];
        t->fs_base = inv->mr[4];
        t->context.vector = 0; /* resume by iretq: every register as written */
        return ERR_OK;
    case THREAD_READ_REGISTERS:
        invoke_reply_mr(inv, 0, t->context.rip);
        invoke_reply_mr(inv, 1, t->context.rsp);
        invoke_reply_mr(inv, 2, t->context.rflags);
        invoke_reply_mr(inv, 3, t->context.rax);
        invoke_reply_mr(inv, 4, t->context.rdi);
        return ERR_OK;
    case THREAD_RESUME:
        if (!thread_vspace_root(t) || !thread_cspace(t))
            return ERR_NOT_PERMITTED; /* not configured */
        if (stopped(t))
            thread_set_state(t, THREAD_RUNNABLE);
        return ERR_OK;
    case THREAD_SUSPEND:
        if (!stopped(t))
            thread_stop(t);
        return ERR_OK;
    case THREAD_SET_PRIORITY:
        if (inv->mr[0] > inv->caller->priority)
            return invoke_bad_argument(inv, 0, 0, inv->caller->priority);
        set_priority(t, (uint8_t)inv->mr[0]);
        return ERR_OK;
    case THREAD_SET_IPC_BUFFER: {
        struct cte *frame = 0;
        long error;
        if (inv->mr[0]) {
            frame = invoke_lookup(inv->caller, inv->mr[0], &error);
            if (!frame)
                return invoke_bad_argument(inv, 0, 0,
                                           (1ull << thread_cspace(inv->caller)->slot_bits) - 1);
            if (frame->cap.type != CAP_FRAME || (frame->cap.flags & CAP_FLAG_DEVICE))
                return ERR_WRONG_TYPE; /* RAM only: the kernel reaches it by the direct map */
            if (!(frame->cap.rights & CAP_RIGHT_WRITE))
                return ERR_MISSING_RIGHT;
        }
        cte_delete(&t->ipc_buffer_cap);
        if (frame)
            cte_derive(&t->ipc_buffer_cap, frame, CAP_RIGHTS_ALL, 0);
        return ERR_OK;
    }
    case THREAD_SET_NAME:
        return set_name(inv, t);
    case THREAD_BIND_NOTIFICATION: {
        long error;
        struct cte *n = 0;
        if (inv->mr[0]) {
            n = invoke_lookup(inv->caller, inv->mr[0], &error);
            if (!n)
                return invoke_bad_argument(inv, 0, 0,
                                           (1ull << thread_cspace(inv->caller)->slot_bits) - 1);
            if (n->cap.type != CAP_NOTIFICATION)
                return ERR_WRONG_TYPE;
            if (!(n->cap.rights & CAP_RIGHT_RECEIVE))
                return ERR_MISSING_RIGHT;
            if (notification_is_bound((struct notification *)n->cap.object) ||
                (t->bound_notification && notification_is_bound(t->bound_notification) &&
                 t->bound_notification->bound == t))
                return ERR_NOT_PERMITTED; /* one thread per notification, and vice versa */
        }
        notification_unbind(t);
        if (n) {
            cte_derive(&t->bound_cap, n, CAP_RIGHTS_ALL, 0);
            notification_bind((struct notification *)n->cap.object, t);
        }
        return ERR_OK;
    }
    case THREAD_SET_TLS_BASE:
        if (inv->mr[0] >= USER_SPACE_END)
            return invoke_bad_argument(inv, 0, 0, USER_SPACE_END - 1);
        t->fs_base = inv->mr[0];
        return ERR_OK;
    case THREAD_SET_AFFINITY:
        if (inv->mr[0] >= cpu_count)
            return invoke_bad_argument(inv, 0, 0, cpu_count - 1);
        thread_set_affinity(t, (unsigned)inv->mr[0]);
        return ERR_OK;
    default:
        return ERR_INVALID_LABEL;
    }
}
