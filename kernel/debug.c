/*
 * The Debug capability: the kernel's console for text from user space until
 * the console server owns COM1, a way for test programs to report how they
 * ended, per-CPU figures, and the IPC trace's controls (trace.c).
 */
#include "arch/x86_64/cpu_local.h"
#include "invoke.h"
#include "log.h"
#include "missive/abi.h"
#include "sched.h"
#include "thread.h"
#include "trace.h"

/* DEBUG_WRITE: MR0 the length (0-72), MR1... the bytes. DEBUG_EXIT: MR0 the
   status. DEBUG_CPU_STATS: MR0 a CPU. */
long debug_decode(struct invocation *inv, struct debug_op *out)
{
    *out = (struct debug_op){.value = inv->mr[0]};
    switch (inv->label) {
    case DEBUG_WRITE:
        if (out->value > sizeof out->text)
            return invoke_bad_argument(inv, 0, 0, sizeof out->text);
        for (uint64_t i = 0; i < out->value; i++)
            out->text[i] = (char)(inv->mr[1 + i / 8] >> (8 * (i % 8)));
        return ERR_OK;
    case DEBUG_EXIT:
        return ERR_OK;
    case DEBUG_CPU_STATS:
        return out->value < cpu_count ? ERR_OK : invoke_bad_argument(inv, 0, 0, cpu_count - 1);
    case DEBUG_TRACE_SET_BUFFER:
    case DEBUG_TRACE_START:
    case DEBUG_TRACE_STOP:
        return trace_decode(inv, out);
    default:
        return ERR_INVALID_LABEL;
    }
}

long debug_invoke(struct invocation *inv)
{
    struct debug_op a;
    long error = debug_decode(inv, &a);
    if (error)
        return error;
    struct thread *t = inv->caller;
    switch (inv->label) {
    case DEBUG_WRITE:
        kprintf("%.*s", (int)a.value, a.text);
        break;
    case DEBUG_EXIT:
        kprintf("thread '%s' exited with status %ld (uptime %lu ticks)\n", t->name, (long)a.value,
                sched_ticks);
        thread_stop(t);
        break;
    case DEBUG_CPU_STATS:
        invoke_reply(inv, 0, sched_ticks);
        invoke_reply(inv, 1, cpus[a.value].busy_ticks);
        invoke_reply(inv, 2, cpus[a.value].idle_ticks);
        invoke_reply(inv, 3, sched_queued((unsigned)a.value));
        invoke_reply(inv, 4, t->cpu);
        break;
    default:
        trace_perform(inv, &a);
    }
    return ERR_OK;
}
