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

static long debug(uint64_t label, uint64_t a0, uint64_t a1, struct missive_msg *m)
{
    return invoke(ROOT_SLOT_DEBUG, label, a0, a1, 0, 0, m);
}

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
    long r = debug(DEBUG_TRACE_SET_BUFFER, cpus, S_BUFFER, &m);
    check_bad_argument("a CPU past the last", r, &m, 0, 0, cpus - 1);
    r = debug(DEBUG_TRACE_SET_BUFFER, 0, 4096, &m);
    check_bad_argument("a slot past the CSpace", r, &m, 1, 0, 4095);
    r = debug(DEBUG_TRACE_SET_BUFFER, 0, S_EMPTY, &m);
    check_bad_argument("an empty slot", r, &m, 1, 0, 4095);
    check("an endpoint is no buffer", debug(DEBUG_TRACE_SET_BUFFER, 0, S_EP, 0), ERR_WRONG_TYPE);
    check("an Untyped is no buffer", debug(DEBUG_TRACE_SET_BUFFER, 0, S_UT, 0), ERR_WRONG_TYPE);
    if (setup_find_untyped(12, true))
        check("device memory is no buffer", debug(DEBUG_TRACE_SET_BUFFER, 0, S_DEVICE, 0),
              ERR_WRONG_TYPE);
    r = debug(DEBUG_TRACE_SET_BUFFER, 0, S_SMALL, &m);
    check_bad_argument("a 4 KiB frame is too small", r, &m, 1, TRACE_BUFFER_BITS,
                       TRACE_BUFFER_BITS);
    check("a read-only frame", debug(DEBUG_TRACE_SET_BUFFER, 0, S_READONLY, 0), ERR_MISSING_RIGHT);
    check("stop while off", debug(DEBUG_TRACE_STOP, 0, 0, 0), ERR_NOT_PERMITTED);
    check("start without buffers", debug(DEBUG_TRACE_START, 0, 0, 0), ERR_NOT_PERMITTED);
    check("trace labels on a frame", invoke(S_SMALL, DEBUG_TRACE_START, 0, 0, 0, 0, 0),
          ERR_INVALID_LABEL);
    check("an unknown debug label", debug(74, 0, 0, 0), ERR_INVALID_LABEL);

    r = invoke(ROOT_SLOT_THREAD, THREAD_SET_NAME, 16, 0, 0, 0, &m);
    check_bad_argument("a name of 16 bytes", r, &m, 0, 0, 15);
    r = invoke(ROOT_SLOT_THREAD, THREAD_SET_NAME, 10, 0x4141414141414141, 0x0a41, 0, &m);
    check_bad_argument("a newline in a name", r, &m, 2, 0x20, 0x7e);
    r = invoke(ROOT_SLOT_THREAD, THREAD_SET_NAME, 3, 0x414141, 0, 0, &m);
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
    check("start", debug(DEBUG_TRACE_START, 0, 0, 0), ERR_OK);
    check("start twice", debug(DEBUG_TRACE_START, 0, 0, 0), ERR_NOT_PERMITTED);
    check("no new buffer while on", debug(DEBUG_TRACE_SET_BUFFER, 0, S_BUFFER, 0),
          ERR_NOT_PERMITTED);
    struct missive_msg m = {0};
    m.mr[0] = 11;
    check("call 1", missive_syscall(SYS_CALL, S_EP_CLIENT, MSG_TAG(LABEL_CALL1, 1, 0), &m), ERR_OK);
    check("reply 1", (long)MSG_LABEL(m.tag), LABEL_REPLY + 1);
    check("call 2", missive_syscall(SYS_CALL, S_EP_CLIENT, MSG_TAG(LABEL_CALL2, 10, 0), &m),
          ERR_OK);
    check("reply 2 says the length", (long)m.mr[1], 10);
    check("send", missive_syscall(SYS_SEND, S_EP_CLIENT, MSG_TAG(LABEL_SEND, 3, 0), &m), ERR_OK);
    long r = debug(DEBUG_TRACE_STOP, 0, 0, &m);
    check("stop", r, ERR_OK);
    check("five records", (long)m.mr[0], 5);
    check("stop twice", debug(DEBUG_TRACE_STOP, 0, 0, 0), ERR_NOT_PERMITTED);

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
    check("start again", debug(DEBUG_TRACE_START, 0, 0, 0), ERR_OK);
    struct missive_msg m = {0};
    for (unsigned i = 0; i < WRAP_ROUNDS; i++)
        missive_syscall(SYS_CALL, S_EP_CLIENT, MSG_TAG(LABEL_ROUND, 0, 0), &m);
    check("stop again", debug(DEBUG_TRACE_STOP, 0, 0, &m), ERR_OK);
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
    check("start once more", debug(DEBUG_TRACE_START, 0, 0, 0), ERR_OK);
    struct missive_msg m = {0};
    missive_syscall(SYS_CALL, S_EP_CLIENT, MSG_TAG(LABEL_ROUND, 0, 0), &m);
    check("two records", (long)mapped(my_cpu)->written, 2);
    /* The kernel's copy is a child of the buffer's capability. */
    check("revoke the buffer", cs(CSPACE_REVOKE, S_BUFFER + my_cpu, 0, 0, 0), ERR_OK);
    check("a call after", missive_syscall(SYS_CALL, S_EP_CLIENT, MSG_TAG(LABEL_ROUND, 0, 0), &m),
          ERR_OK);
    check("recorded nowhere", (long)mapped(my_cpu)->written, 2);
    check("stop with a buffer gone", debug(DEBUG_TRACE_STOP, 0, 0, 0), ERR_OK);
    check("no start without it", debug(DEBUG_TRACE_START, 0, 0, 0), ERR_NOT_PERMITTED);
}

int trace_suite(void)
{
    unsigned cpus = (unsigned)setup_boot->cpu_count;
    struct missive_msg m;
    check("debug CPU stats", debug(DEBUG_CPU_STATS, 0, 0, &m), ERR_OK);
    unsigned my_cpu = (unsigned)m.mr[4];
    uint64_t ut = setup_find_untyped(TRACE_BUFFER_BITS + 5, false),
             device = setup_find_untyped(12, true);
    check("an Untyped for the buffers", ut != 0, 1);
    if (!ut)
        return 1;
    check("move it to a known slot", cs(CSPACE_MOVE, S_UT, ut, 0, 0), ERR_OK);
    check("an endpoint", retype(S_UT, CAP_ENDPOINT, 0, S_EP, 1), ERR_OK);
    check("a server thread", retype(S_UT, CAP_THREAD, 0, S_SERVER, 1), ERR_OK);
    check("a small frame", retype(S_UT, CAP_FRAME, 12, S_SMALL, 1), ERR_OK);
    check("buffers", retype(S_UT, CAP_FRAME, TRACE_BUFFER_BITS, S_BUFFER, cpus), ERR_OK);
    check("a read-only copy", cs(CSPACE_COPY, S_READONLY, S_BUFFER, CAP_RIGHT_READ, 0), ERR_OK);
    if (device)
        check("a device frame", retype(device, CAP_FRAME, 12, S_DEVICE, 1), ERR_OK);
    check("a PDPT", retype(S_UT, CAP_PAGE_TABLE, 0, S_PDPT, 1), ERR_OK);
    check("a PD", retype(S_UT, CAP_PAGE_TABLE, 0, S_PD, 1), ERR_OK);
    check("map the PDPT", invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_TABLE, S_PDPT, TRACE_MAP_AT, 0, 0, 0),
          ERR_OK);
    check("map the PD", invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_TABLE, S_PD, TRACE_MAP_AT, 0, 0, 0),
          ERR_OK);
    for (unsigned cpu = 0; cpu < cpus; cpu++)
        check("map a buffer read-only",
              invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_BUFFER + cpu, (uint64_t)mapped(cpu),
                     CAP_RIGHT_READ, 0, 0),
              ERR_OK);
    check("badge the client's endpoint", cs(CSPACE_MINT, S_EP_CLIENT, S_EP, CAP_RIGHTS_ALL, 0x5e),
          ERR_OK);

    bad_arguments(cpus);

    for (unsigned cpu = 0; cpu < cpus; cpu++)
        check("set a buffer", debug(DEBUG_TRACE_SET_BUFFER, cpu, S_BUFFER + cpu, 0), ERR_OK);
    check("the header", mapped(0)->magic == TRACE_BUFFER_MAGIC && mapped(0)->written == 0, 1);
    check("name the client", sys_thread_set_name(ROOT_SLOT_THREAD, "tr-client"), ERR_OK);
    uint64_t aff[1] = {my_cpu}; /* the same CPU: the calls take the fast path */
    if (sys_invoke(S_SERVER, THREAD_SET_AFFINITY, 1, aff, 0) != ERR_OK ||
        setup_thread_start(S_SERVER, (struct setup_thread){.priority = 255},
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
