/*
 * The call/reply_recv benchmarks: between address spaces (the server process), within one
 * (a server thread), with the SSE registers in use, across CPUs, by message length and with a
 * capability. Every call is timed like sel4bench: the caller's TSC right before its
 * `syscall` to the server's right after its receive returns (one-way call; the server sends
 * it back in MR0), the server's TSC right before its reply_recv (sent in MR1) to the caller's
 * right after its call returns (one-way reply_recv), and the caller's two (round trip).
 */
#include <stdio.h>

#include "ipcbench.h"
#include "libsys/service.h"

/* The server thread's state; it runs ib_serve on this process's own endpoint. */
static struct ib_server ib_thread_server;

/* The helper thread's body as the server: serves until IPCBENCH_EXIT, then stops. */
static void ib_server_thread(uint64_t helper)
{
    ib_serve(&ib_thread_server);
    for (;;)
        thread_suspend(helper);
}

struct result ib_control(uint64_t ep, uint64_t label, uint64_t a0, uint64_t a1, uint64_t *answer)
{
    struct missive_msg m = {.mr = {a0, a1}};
    long e = missive_syscall(SYS_CALL, ep, MSG_TAG(label, 2, 0), &m);
    struct result r = result_from_reply(e, MSG_LABEL(m.tag), m.mr);
    if (result_is_ok(r) && answer)
        *answer = m.mr[0];
    return r;
}

/* Has the server on ep clean up the capabilities it took; an error if one went missing. */
static struct result ib_clean(uint64_t ep)
{
    uint64_t missing = 0;
    struct result e = ib_control(ep, IPCBENCH_CLEAN, 0, 0, &missing);
    if (result_is_ok(e) && missing) {
        printf("ipcbench: the server lost %lu capabilities\n", (unsigned long)missing);
        return result_from_reply(ERR_OK, SERVICE_INTERNAL, 0);
    }
    return e;
}

/* Calls the server on ep with messages of length words (and the notification's capability
   if caps), warm-up first; fills c->samples[0..2] with each call's one-way call, one-way
   reply_recv and round trip. The server must be set up already. 0 or an error. */
static struct result ib_calls(struct ib_ctx *c, uint64_t ep, uint64_t length, bool fpu, bool caps)
{
    const uint64_t warmup = c->args->warmup, total = warmup + c->args->iterations;
    struct ipc_buffer *buffer = (struct ipc_buffer *)USER_IPC_BUFFER;
    struct ibt_msg m = {.number = SYS_CALL};
    const uint64_t tag = MSG_TAG(IPCBENCH_MEASURE, length, caps ? 1 : 0);
    if (caps)
        buffer->caps[0] = c->notification;
    for (uint64_t i = 0; i < total; i++) {
        if (caps && i > 0 && i % IPCBENCH_CAP_SLOTS == 0) {
            struct result e = ib_clean(ep);
            if (!result_is_ok(e))
                return e;
        }
        if (fpu)
            ib_fpu_touch();
        long e = ibt_syscall(ep, tag, &m);
        if (e != ERR_OK)
            return result_from_kernel(e, 0);
        if (MSG_LABEL(m.tag) != IPCBENCH_MEASURE) /* the server's error status */
            return result_from_reply(ERR_OK, MSG_LABEL(m.tag), 0);
        if (i >= warmup) {
            uint64_t j = i - warmup;
            c->samples[0][j] = (int64_t)(m.mr[0] - m.t_before);
            c->samples[1][j] = (int64_t)(m.t_after - m.mr[1]);
            c->samples[2][j] = (int64_t)(m.t_after - m.t_before);
        }
    }
    return caps ? ib_clean(ep) : result_ok();
}

/* Runs ib_calls after setting the server up (reply length, flags); reports each of the three
   figures under its benchmark (IB_COUNT: not reported). */
static void ib_series(struct ib_ctx *c, uint64_t ep, uint64_t length, uint64_t flags,
                      const enum ib_bench which[3], const char *const names[3])
{
    bool caps = flags & IPCBENCH_CAPS, fpu = flags & IPCBENCH_FPU;
    /* The reply carries the server's two readings in MR0-MR1: at least two
       words when a one-way figure is wanted, else the length asked for. */
    uint64_t reply = (which[0] == IB_COUNT && which[1] == IB_COUNT) || length >= 2 ? length : 2;
    struct result e = ib_control(ep, IPCBENCH_SETUP, caps ? 0 : reply, flags, 0);
    if (result_is_ok(e))
        e = ib_calls(c, ep, length, fpu, caps);
    if (!result_is_ok(e)) {
        ib_fail(c, names[2], e);
        return;
    }
    /* The call's interval starts in ibt_syscall, the reply's in the server's ibt_stamped. */
    int64_t plain = ib_overhead(c, false), stamped = ib_overhead(c, true);
    int64_t overhead[3] = {plain, stamped, plain};
    for (int k = 0; k < 3; k++)
        if (which[k] != IB_COUNT)
            ib_report(c, which[k], names[k], c->samples[k], c->args->iterations, overhead[k]);
}

/* True if any of the benchmarks is selected. */
static bool ib_any(const struct ib_ctx *c, const enum ib_bench which[3])
{
    for (int k = 0; k < 3; k++)
        if (which[k] != IB_COUNT && c->args->selected[which[k]])
            return true;
    return false;
}

/* The three figures of one pair of ends, by name. */
static void ib_triple(struct ib_ctx *c, uint64_t ep, uint64_t flags, enum ib_bench call,
                      enum ib_bench reply, enum ib_bench rtt)
{
    const enum ib_bench which[3] = {call, reply, rtt};
    const char *const names[3] = {ibargs_names[call], ibargs_names[reply], ibargs_names[rtt]};
    if (ib_any(c, which))
        ib_series(c, ep, 0, flags, which, names);
}

/* The server thread in this address space, on this CPU at this thread's priority. */
static void ib_intra(struct ib_ctx *c)
{
    const enum ib_bench which[3] = {IB_CALL_ONEWAY_INTRA_AS, IB_REPLYRECV_ONEWAY_INTRA_AS,
                                    IB_CALL_RTT_INTRA_AS};
    if (!ib_any(c, which))
        return;
    ib_thread_server = (struct ib_server){.endpoint = c->endpoint, .thread = c->helper};
    struct result e = ib_helper_start(c, ib_server_thread, c->helper, c->priority);
    if (!result_is_ok(e)) {
        ib_fail(c, "starting the server thread", e);
        return;
    }
    ib_triple(c, c->endpoint, 0, which[0], which[1], which[2]);
    struct missive_msg m = {0};
    e = result_from_kernel(missive_syscall(SYS_CALL, c->endpoint, MSG_TAG(IPCBENCH_EXIT, 0, 0), &m),
                           0);
    if (!result_is_ok(e))
        ib_fail(c, "ending the server thread", e);
    ib_helper_stop(c);
}

/* The server process moved to CPU 1 (CPU 0 keeps the client). */
static void ib_cross(struct ib_ctx *c)
{
    const enum ib_bench which[3] = {IB_CALL_ONEWAY_CROSS_CPU, IB_COUNT, IB_CALL_RTT_CROSS_CPU};
    const char *const names[3] = {ibargs_names[IB_CALL_ONEWAY_CROSS_CPU], "",
                                  ibargs_names[IB_CALL_RTT_CROSS_CPU]};
    if (!ib_any(c, which))
        return;
    if (c->cpus < 2) {
        printf("ipcbench: cross-cpu skipped: one CPU\n");
        return;
    }
    struct result e = ib_control(c->server_ep, IPCBENCH_CPU, 1, 0, 0);
    if (result_is_ok(e))
        ib_series(c, c->server_ep, 0, 0, which, names);
    else
        ib_fail(c, "moving the server to CPU 1", e);
    e = ib_control(c->server_ep, IPCBENCH_CPU, 0, 0, 0);
    if (!result_is_ok(e))
        ib_fail(c, "moving the server back to CPU 0", e);
}

/* Round trips with an N-word message each way, for each N of --sizes; and
   from two words on (the reply then carries the server's readings) the
   call's one-way figure too, call-oneway-len-N. */
static void ib_lengths(struct ib_ctx *c)
{
    if (!c->args->selected[IB_CALL_RTT_LEN])
        return;
    for (unsigned i = 0; i < c->args->size_count; i++) {
        unsigned n = c->args->sizes[i];
        const enum ib_bench which[3] = {n >= 2 ? IB_CALL_RTT_LEN : IB_COUNT, IB_COUNT,
                                        IB_CALL_RTT_LEN};
        char oneway[32], rtt[32];
        snprintf(oneway, sizeof oneway, "call-oneway-len-%u", n);
        snprintf(rtt, sizeof rtt, "call-rtt-len-%u", n);
        const char *const names[3] = {oneway, "", rtt};
        ib_series(c, c->server_ep, n, 0, which, names);
    }
}

void ib_bench_ipc(struct ib_ctx *c)
{
    ib_triple(c, c->server_ep, 0, IB_CALL_ONEWAY_INTER_AS, IB_REPLYRECV_ONEWAY_INTER_AS,
              IB_CALL_RTT_INTER_AS);
    ib_intra(c);
    ib_triple(c, c->server_ep, IPCBENCH_FPU, IB_CALL_ONEWAY_INTER_AS_FPU,
              IB_REPLYRECV_ONEWAY_INTER_AS_FPU, IB_CALL_RTT_INTER_AS_FPU);
    ib_cross(c);
    ib_lengths(c);
    if (c->args->selected[IB_CALL_RTT_CAP1]) {
        const enum ib_bench which[3] = {IB_COUNT, IB_COUNT, IB_CALL_RTT_CAP1};
        const char *const names[3] = {"", "", ibargs_names[IB_CALL_RTT_CAP1]};
        ib_series(c, c->server_ep, 0, IPCBENCH_CAPS, which, names);
    }
}
