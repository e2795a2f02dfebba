/*
 * usertest trace: the IPC trace (DEBUG_TRACE_*, THREAD_SET_NAME). First
 * every bad argument and wrong state gets its documented error; then a
 * scripted exchange between two named threads is traced, checked here
 * record by record and dumped (lib/tracedump) for the host, which turns
 * it into Chrome trace JSON and checks it again (tests/system/cases.py,
 * case user-trace); then the ring wraps, and a buffer revoked under the
 * tracer just stops recording.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "libsys/libsys.h"
#include "tracedump/tracedump.h"
#include "usertest.h"

#define S_UT         3000
#define S_EP         3001
#define S_SERVER     3002
#define S_SMALL      3003
#define S_READONLY   3004
#define S_DEVICE     3005
#define S_PDPT       3006
#define S_PD         3007
#define S_EP_CLIENT  3008 /* S_EP, badged: the client calls through it */
#define S_EMPTY      3009
#define S_BUFFER     3010 /* one per CPU from here */
#define TRACE_MAP_AT 0x300000000000ul
#define SCRIPT_CALLS 2
#define WRAP_ROUNDS  20000 /* 40,000 records: more than a buffer holds */
#define LABEL_CALL1  0x7101
#define LABEL_CALL2  0x7102
#define LABEL_SEND   0x7103
#define LABEL_REPLY  0x7200 /* + the call's label's low byte */
#define LABEL_ROUND  0x7300 /* the wrap test's calls */

static const struct trace_buffer *mapped(unsigned cpu)
{
    return (const struct trace_buffer *)(TRACE_MAP_AT + ((uint64_t)cpu << TRACE_BUFFER_BITS));
}

/* The server: answers each call with LABEL_REPLY + the label's low byte and
   two words, takes sends without answering. Never returns. */
static void server(void)
{
    sys_thread_set_name(S_SERVER, "tr-server");
    struct missive_msg m = {0};
    missive_syscall(SYS_RECV, S_EP, 0, &m);
    for (;;) {
        uint64_t label = MSG_LABEL(m.tag);
        m.mr[0] = label;
        m.mr[1] = MSG_LENGTH(m.tag);
        missive_syscall(SYS_REPLY_RECV, S_EP, MSG_TAG(LABEL_REPLY + (label & 0xff), 2, 0), &m);
    }
}

/* Every error the trace invocations and THREAD_SET_NAME document. */
static void bad_arguments(unsigned cpus)
{
    struct missive_msg m;
    long r = debug_trace_set_buffer(ROOT_SLOT_DEBUG, cpus, S_BUFFER);
    check_bad_argument("a CPU past the last", r, DEBUG_TRACE_SET_BUFFER_ARG_CPU, 0, cpus - 1);
    r = debug_trace_set_buffer(ROOT_SLOT_DEBUG, 0, SETUP_ROOT_SLOTS);
    check_bad_argument("a slot past the CSpace", r, DEBUG_TRACE_SET_BUFFER_ARG_FRAME, 0,
                       SETUP_ROOT_SLOTS - 1);
    r = debug_trace_set_buffer(ROOT_SLOT_DEBUG, 0, S_EMPTY);
    check_bad_argument("an empty slot", r, DEBUG_TRACE_SET_BUFFER_ARG_FRAME, 0,
                       SETUP_ROOT_SLOTS - 1);
    check("an endpoint is no buffer", debug_trace_set_buffer(ROOT_SLOT_DEBUG, 0, S_EP),
          ERR_WRONG_TYPE);
    check("an Untyped is no buffer", debug_trace_set_buffer(ROOT_SLOT_DEBUG, 0, S_UT),
          ERR_WRONG_TYPE);
    if (setup_find_untyped(UNTYPED_MIN_BITS, true))
        check("device memory is no buffer", debug_trace_set_buffer(ROOT_SLOT_DEBUG, 0, S_DEVICE),
              ERR_WRONG_TYPE);
    r = debug_trace_set_buffer(ROOT_SLOT_DEBUG, 0, S_SMALL);
    check_bad_argument("a 4 KiB frame is too small", r, DEBUG_TRACE_SET_BUFFER_ARG_FRAME,
                       TRACE_BUFFER_BITS, TRACE_BUFFER_BITS);
    check("a read-only frame", debug_trace_set_buffer(ROOT_SLOT_DEBUG, 0, S_READONLY),
          ERR_MISSING_RIGHT);
    check("stop while off", debug_trace_stop(ROOT_SLOT_DEBUG, NULL), ERR_NOT_PERMITTED);
    check("start without buffers", debug_trace_start(ROOT_SLOT_DEBUG), ERR_NOT_PERMITTED);
    check("trace labels on a frame", debug_trace_start(S_SMALL), ERR_INVALID_LABEL);
    check("an unknown debug label", invoke_call(ROOT_SLOT_DEBUG, DEBUG_TRACE_STOP + 1, 0, &m),
          ERR_INVALID_LABEL);

    r = thread_set_name(ROOT_SLOT_THREAD, 16, (const uint64_t[2]){0, 0});
    check_bad_argument("a name of 16 bytes", r, THREAD_SET_NAME_ARG_LENGTH, 0, TRACE_NAME_MAX);
    r = thread_set_name(ROOT_SLOT_THREAD, 10, (const uint64_t[2]){0x4141414141414141, 0x0a41});
    /* the index of the register the bad byte is in: MR2 */
    check_bad_argument("a newline in a name", r, THREAD_SET_NAME_ARG_BYTES + 1, 0x20, 0x7e);
    r = thread_set_name(ROOT_SLOT_THREAD, 3, (const uint64_t[2]){0x414141, 0});
    check("a name of 3 bytes", r, ERR_OK);
}

/* Checks record n of the script: kind, path, label, length, who to whom. */
static void check_record(const struct trace_record *r, unsigned kind, uint64_t label,
                         uint64_t length, const char *from, const char *to)
{
    check("record kind", r->kind, kind);
    check("record label", (long)MSG_LABEL(r->tag), (long)label);
    check("record length", (long)MSG_LENGTH(r->tag), (long)length);
    check("record sender", !strncmp(r->sender_name, from, TRACE_NAME_MAX), 1);
    check("record receiver", !strncmp(r->receiver_name, to, TRACE_NAME_MAX), 1);
}

static void emit(const char *line, void *context)
{
    (void)context;
    fputs(line, stdout);
}

/* The scripted exchange: two calls through the fast path, answered, and a
   send through the slow path; then the dump. */
static void script(unsigned cpus, unsigned my_cpu)
{
    check("start", debug_trace_start(ROOT_SLOT_DEBUG), ERR_OK);
    check("start twice", debug_trace_start(ROOT_SLOT_DEBUG), ERR_NOT_PERMITTED);
    check("no new buffer while on", debug_trace_set_buffer(ROOT_SLOT_DEBUG, 0, S_BUFFER),
          ERR_NOT_PERMITTED);
    struct missive_msg m = {0};
    m.mr[0] = 11;
    check("call 1", missive_syscall(SYS_CALL, S_EP_CLIENT, MSG_TAG(LABEL_CALL1, 1, 0), &m), ERR_OK);
    check("reply 1", (long)MSG_LABEL(m.tag), LABEL_REPLY + 1);
    check("call 2", missive_syscall(SYS_CALL, S_EP_CLIENT, MSG_TAG(LABEL_CALL2, 10, 0), &m),
          ERR_OK);
    check("reply 2 says the length", (long)m.mr[1], 10);
    check("send", missive_syscall(SYS_SEND, S_EP_CLIENT, MSG_TAG(LABEL_SEND, 3, 0), &m), ERR_OK);
    uint64_t written = 0;
    check("stop", debug_trace_stop(ROOT_SLOT_DEBUG, &written), ERR_OK);
    check("five records", (long)written, 5);
    check("stop twice", debug_trace_stop(ROOT_SLOT_DEBUG, NULL), ERR_NOT_PERMITTED);

    const struct trace_buffer *b = mapped(my_cpu);
    check("the buffer's magic", b->magic == TRACE_BUFFER_MAGIC, 1);
    check("the buffer's CPU", (long)b->cpu, my_cpu);
    check("the buffer's capacity", (long)b->capacity, ((1l << TRACE_BUFFER_BITS) - 64) / 64);
    check("written", (long)b->written, 5);
    if (b->written == 5) {
        const struct trace_record *rec = b->records;
        check_record(&rec[0], TRACE_FAST | TRACE_CALL, LABEL_CALL1, 1, "tr-client", "tr-server");
        check_record(&rec[1], TRACE_FAST | TRACE_REPLY, LABEL_REPLY + 1, 2, "tr-server",
                     "tr-client");
        check_record(&rec[2], TRACE_FAST | TRACE_CALL, LABEL_CALL2, 10, "tr-client", "tr-server");
        check_record(&rec[3], TRACE_FAST | TRACE_REPLY, LABEL_REPLY + 2, 2, "tr-server",
                     "tr-client");
        check_record(&rec[4], TRACE_SEND, LABEL_SEND, 3, "tr-client", "tr-server");
        check("ids differ", rec[0].sender != rec[0].receiver, 1);
        check("and stay", rec[0].sender == rec[4].sender && rec[1].sender == rec[0].receiver, 1);
        check("time goes on", rec[0].tsc > b->tsc_start && rec[4].tsc > rec[0].tsc, 1);
        check("the badge", (long)rec[0].badge, 0x5e);
        check("a reply's badge", (long)rec[1].badge, 0);
        check("the CPU", rec[0].cpu, my_cpu);
    }
    uint64_t total = 0;
    tracedump_begin(cpus, emit, 0);
    for (unsigned cpu = 0; cpu < cpus; cpu++)
        total += tracedump_buffer(mapped(cpu), emit, 0);
    tracedump_end(total, emit, 0);
}

/* More records than the ring holds: the oldest are overwritten. */
static void wrap(unsigned my_cpu)
{
    check("start again", debug_trace_start(ROOT_SLOT_DEBUG), ERR_OK);
    struct missive_msg m = {0};
    for (unsigned i = 0; i < WRAP_ROUNDS; i++)
        missive_syscall(SYS_CALL, S_EP_CLIENT, MSG_TAG(LABEL_ROUND, 0, 0), &m);
    check("stop again", debug_trace_stop(ROOT_SLOT_DEBUG, NULL), ERR_OK);
    const struct trace_buffer *b = mapped(my_cpu);
    check("the count restarted and went past the capacity", (long)b->written, 2 * WRAP_ROUNDS);
    const struct trace_record *last = &b->records[(b->written - 1) % b->capacity];
    const struct trace_record *first = &b->records[b->written % b->capacity];
    /* Record n is a call for even n, its reply for odd n. */
    uint64_t oldest = b->written - b->capacity;
    check("the newest is the last reply", last->kind, TRACE_FAST | TRACE_REPLY);
    check("the oldest kept is where the count says", first->kind,
          TRACE_FAST | (oldest % 2 ? TRACE_REPLY : TRACE_CALL));
    check("in order", first->tsc < last->tsc, 1);
}

/* A buffer revoked while tracing: recording on that CPU just stops. */
static void revoke_under_tracer(unsigned my_cpu)
{
    check("start once more", debug_trace_start(ROOT_SLOT_DEBUG), ERR_OK);
    struct missive_msg m = {0};
    missive_syscall(SYS_CALL, S_EP_CLIENT, MSG_TAG(LABEL_ROUND, 0, 0), &m);
    check("two records", (long)mapped(my_cpu)->written, 2);
    /* The kernel's copy is a child of the buffer's capability. */
    check("revoke the buffer", cspace_revoke(ROOT_SLOT_CSPACE, S_BUFFER + my_cpu, NULL), ERR_OK);
    check("a call after", missive_syscall(SYS_CALL, S_EP_CLIENT, MSG_TAG(LABEL_ROUND, 0, 0), &m),
          ERR_OK);
    check("recorded nowhere", (long)mapped(my_cpu)->written, 2);
    check("stop with a buffer gone", debug_trace_stop(ROOT_SLOT_DEBUG, NULL), ERR_OK);
    check("no start without it", debug_trace_start(ROOT_SLOT_DEBUG), ERR_NOT_PERMITTED);
}

int trace_suite(void)
{
    unsigned cpus = (unsigned)setup_boot->cpu_count;
    struct debug_cpu_stats stats = {0};
    check("debug CPU stats", debug_cpu_stats(ROOT_SLOT_DEBUG, 0, &stats), ERR_OK);
    unsigned my_cpu = (unsigned)stats.caller_cpu;
    uint64_t ut = setup_find_untyped(TRACE_BUFFER_BITS + 5, false),
             device = setup_find_untyped(UNTYPED_MIN_BITS, true);
    check("an Untyped for the buffers", ut != 0, 1);
    if (!ut)
        return 1;
    check("move it to a known slot", cspace_move(ROOT_SLOT_CSPACE, S_UT, ut, 0), ERR_OK);
    check("an endpoint", untyped_retype(S_UT, CAP_ENDPOINT, 0, S_EP, 1), ERR_OK);
    check("a server thread", untyped_retype(S_UT, CAP_THREAD, 0, S_SERVER, 1), ERR_OK);
    check("a small frame", untyped_retype(S_UT, CAP_FRAME, PAGE_BITS, S_SMALL, 1), ERR_OK);
    check("buffers", untyped_retype(S_UT, CAP_FRAME, TRACE_BUFFER_BITS, S_BUFFER, cpus), ERR_OK);
    check("a read-only copy",
          cspace_copy(ROOT_SLOT_CSPACE, S_READONLY, S_BUFFER, CAP_RIGHT_READ, 0), ERR_OK);
    if (device)
        check("a device frame", untyped_retype(device, CAP_FRAME, PAGE_BITS, S_DEVICE, 1), ERR_OK);
    check("a PDPT", untyped_retype(S_UT, CAP_PAGE_TABLE, 0, S_PDPT, 1), ERR_OK);
    check("a PD", untyped_retype(S_UT, CAP_PAGE_TABLE, 0, S_PD, 1), ERR_OK);
    check("map the PDPT", vspace_map_table(ROOT_SLOT_VSPACE, S_PDPT, TRACE_MAP_AT, NULL), ERR_OK);
    check("map the PD", vspace_map_table(ROOT_SLOT_VSPACE, S_PD, TRACE_MAP_AT, NULL), ERR_OK);
    for (unsigned cpu = 0; cpu < cpus; cpu++)
        check("map a buffer read-only",
              vspace_map_frame(ROOT_SLOT_VSPACE, S_BUFFER + cpu, (uint64_t)mapped(cpu),
                               CAP_RIGHT_READ),
              ERR_OK);
    check("badge the client's endpoint",
          cspace_mint(ROOT_SLOT_CSPACE, S_EP_CLIENT, S_EP, CAP_RIGHTS_ALL, 0x5e, 0), ERR_OK);

    bad_arguments(cpus);

    for (unsigned cpu = 0; cpu < cpus; cpu++)
        check("set a buffer", debug_trace_set_buffer(ROOT_SLOT_DEBUG, cpu, S_BUFFER + cpu), ERR_OK);
    check("the header", mapped(0)->magic == TRACE_BUFFER_MAGIC && mapped(0)->written == 0, 1);
    check("name the client", sys_thread_set_name(ROOT_SLOT_THREAD, "tr-client"), ERR_OK);
    /* On the same CPU: the calls take the fast path. */
    if (setup_thread_start(S_SERVER,
                           (struct setup_thread){.priority = 255, .pinned = true, .cpu = my_cpu},
                           (void (*)(uint64_t))server, 0) != ERR_OK) {
        printf("usertest: trace: FAIL: the server did not start\n");
        return 1;
    }
    /* Let it reach its receive and name itself before tracing starts. */
    struct missive_msg y = {0};
    for (int i = 0; i < 3; i++)
        missive_syscall(SYS_YIELD, 0, 0, &y);
    script(cpus, my_cpu);
    wrap(my_cpu);
    revoke_under_tracer(my_cpu);
    return check_report("trace") != 0;
}
