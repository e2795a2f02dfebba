/*
 * The IPC trace (trace.h). Each CPU's buffer is a 2 MiB Frame that user space retyped and handed
 * over; the kernel holds its own copy of the capability (a child of the caller's, like a thread's
 * IPC buffer), so the memory cannot go back to its Untyped while the kernel may write it, and a
 * revoke that deletes the copy simply ends recording on that CPU. The frame is reached through the
 * direct map. Everything runs under the kernel lock, so a CPU's ring has one writer at a time.
 *
 * Why frames from user space and not a copy-out call: no kernel memory is set aside for a feature
 * most boots never use (no allocation policy in the kernel), the holder reads records by mapping
 * the frame, with no system call per record, and records survive until it looks, as with seL4's
 * benchmark log buffer.
 */
#include "trace.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/vm.h"
#include "cap.h"
#include "fastpath.h"
#include "invoke.h"
#include "string.h"
#include "thread.h"

_Static_assert(sizeof(struct trace_record) == 64, "trace_record is 64 bytes (abi.h)");
_Static_assert(sizeof(struct trace_buffer) == 64, "the trace header is 64 bytes (abi.h)");
_Static_assert(sizeof(((struct thread *)0)->name) == TRACE_NAME_MAX + 1, "names fit records");

uint8_t trace_on;

/* Per CPU: the kernel's copy of the buffer's Frame capability (empty:
   none given). Slots outside any CSpace, like a thread's own. */
static struct cte trace_buffer_cap[SMP_MAX_CPUS];

/* The buffer of CPU cpu through the direct map, or NULL if it has none. */
static struct trace_buffer *buffer_of(unsigned cpu)
{
    const struct cap *cap = &trace_buffer_cap[cpu].cap;
    return cap->type == CAP_FRAME ? phys_to_virt(cap->object) : 0;
}

/* A thread's name into a record. A loop of known length over pointers that cannot overlap
   (restrict), which the compiler turns into four moves; the kernel's memcpy is a byte loop, and
   this runs twice per message while tracing. */
static inline void copy_name(char *restrict to, const char *restrict from)
{
    for (unsigned i = 0; i < TRACE_NAME_MAX; i++)
        to[i] = from[i];
}

void trace_ipc(const struct thread *from, const struct thread *to, unsigned kind)
{
    unsigned cpu = this_cpu()->id;
    struct trace_buffer *b = buffer_of(cpu);
    if (!b)
        return;
    struct trace_record *r = &b->records[b->written % b->capacity];
    r->tsc = rdtsc();
    if ((kind & TRACE_KIND_MASK) == TRACE_REPLY && to->fault_pending) {
        r->tag = MSG_TAG(MSG_LABEL(from->context.rsi), 0, 0);
        r->badge = 0;
    } else if (kind & TRACE_FAST) {
        /* The fast path leaves the message in the sender's context (RDI
           already the badge) and may never copy it to the receiver's. */
        r->tag = from->context.rsi;
        r->badge = from->context.rdi;
    } else {
        r->tag = to->context.rsi;
        r->badge = to->context.rdi;
    }
    r->sender = from->id;
    r->receiver = to->id;
    r->kind = (uint8_t)kind;
    r->cpu = (uint8_t)cpu;
    copy_name(r->sender_name, from->name);
    copy_name(r->receiver_name, to->name);
    b->written++;
}

/* DEBUG_TRACE_SET_BUFFER: MR0 CPU, MR1 a 2 MiB writable RAM Frame, or 0 for none; not while
   tracing. DEBUG_TRACE_START: every online CPU needs a buffer. DEBUG_TRACE_STOP: only while
   tracing. */
long trace_decode(struct invocation *inv, struct debug_op *out)
{
    long error;
    if (inv->label == DEBUG_TRACE_STOP)
        return trace_on ? ERR_OK : ERR_NOT_PERMITTED;
    if (inv->label == DEBUG_TRACE_START) {
        for (unsigned cpu = 0; cpu < cpu_count && !trace_on; cpu++)
            if (!buffer_of(cpu))
                return ERR_NOT_PERMITTED; /* DEBUG_TRACE_SET_BUFFER first, for each CPU */
        return trace_on ? ERR_NOT_PERMITTED : ERR_OK;
    }
    if ((error = invoke_value_argument(inv, DEBUG_TRACE_SET_BUFFER_ARG_CPU, cpu_count - 1,
                                       &out->value)) ||
        (error = invoke_typed_argument(inv, DEBUG_TRACE_SET_BUFFER_ARG_FRAME, 0, CAP_FRAME, 0,
                                       &out->frame))) /* RAM only; the rights after the size */
        return error;
    const struct cap *frame = out->frame ? &out->frame->cap : 0;
    if (frame && frame->size != TRACE_BUFFER_BITS) /* a 4 KiB frame: too small */
        return invoke_bad_argument(inv, DEBUG_TRACE_SET_BUFFER_ARG_FRAME, TRACE_BUFFER_BITS,
                                   TRACE_BUFFER_BITS);
    if (frame && !(frame->rights & CAP_RIGHT_WRITE))
        return ERR_MISSING_RIGHT;
    return trace_on ? ERR_NOT_PERMITTED : ERR_OK; /* records would land in a lost buffer */
}

/* DEBUG_TRACE_SET_BUFFER */
static void set_buffer(unsigned cpu, struct cte *frame)
{
    cte_replace(&trace_buffer_cap[cpu], frame);
    if (!frame)
        return;
    struct trace_buffer *b = buffer_of(cpu);
    memset(b, 0, sizeof *b);
    b->magic = TRACE_BUFFER_MAGIC;
    b->cpu = cpu;
    b->capacity = ((1ull << TRACE_BUFFER_BITS) - sizeof *b) / sizeof(struct trace_record);
}

void trace_perform(struct invocation *inv, const struct debug_op *a)
{
    uint64_t written = 0, now = rdtsc();
    switch (inv->label) {
    case DEBUG_TRACE_SET_BUFFER:
        set_buffer((unsigned)a->value, a->frame);
        break;
    case DEBUG_TRACE_START:
        for (unsigned cpu = 0; cpu < cpu_count; cpu++) {
            buffer_of(cpu)->written = 0;
            buffer_of(cpu)->tsc_start = now;
        }
        trace_on = 1;
        fastpath_set_traced(true);
        break;
    default: /* DEBUG_TRACE_STOP -> MR0 records written since the start */
        trace_on = 0;
        fastpath_set_traced(false);
        for (unsigned cpu = 0; cpu < cpu_count; cpu++)
            if (buffer_of(cpu))
                written += buffer_of(cpu)->written;
        invoke_reply(inv, DEBUG_TRACE_STOP_ANSWER_WRITTEN, written);
    }
}
