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
    long error;
    *out = (struct debug_op){.value = inv->mr[DEBUG_EXIT_ARG_STATUS]};
    switch (inv->label) {
    case DEBUG_WRITE:
        error = invoke_value_argument(inv, DEBUG_WRITE_ARG_LENGTH, sizeof out->text, &out->value);
        for (uint64_t i = 0; !error && i < out->value; i++)
            out->text[i] = (char)(inv->mr[DEBUG_WRITE_ARG_BYTES + i / 8] >> (8 * (i % 8)));
        return error;
    case DEBUG_EXIT:
        return ERR_OK;
    case DEBUG_CPU_STATS:
        return invoke_value_argument(inv, DEBUG_CPU_STATS_ARG_CPU, cpu_count - 1, &out->value);
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
        invoke_reply(inv, DEBUG_CPU_STATS_ANSWER_UPTIME, sched_ticks);
        invoke_reply(inv, DEBUG_CPU_STATS_ANSWER_BUSY, cpus[a.value].busy_ticks);
        invoke_reply(inv, DEBUG_CPU_STATS_ANSWER_IDLE, cpus[a.value].idle_ticks);
        invoke_reply(inv, DEBUG_CPU_STATS_ANSWER_RUNNABLE, sched_queued((unsigned)a.value));
        invoke_reply(inv, DEBUG_CPU_STATS_ANSWER_CALLER_CPU, t->cpu);
        break;
    default:
        trace_perform(inv, &a);
    }
    return ERR_OK;
}
