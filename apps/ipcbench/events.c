/*
 * The benchmarks that are not calls: the null system call, a thread switch by yield, a
 * notification's signal to the waiter's wake-up, and an interrupt to its driver's wake-up.
 * Where two threads take part, the helper thread writes the TSC it read before its system
 * call into a struct ibt_msg this thread reads after its own returns.
 */
#include <stdio.h>

#include "ipcbench.h"
#include "libsys/service.h"
#include "procgrant/procgrant.h"

/* COM2, a 16550 that QEMU has with a second -serial: enabling its transmitter-empty
   interrupt while the transmitter is empty raises IRQ 3 at once. */
#define COM2_BASE 0x2f8
#define COM2_IRQ  3
#define UART_IER  1
#define UART_IIR  2
#define UART_MCR  4
#define UART_SCR  7
#define IER_THRE  0x02
#define MCR_OUT2  0x08 /* gates the interrupt line on PC hardware */
#define MCR_LOOP  0x10 /* loopback: nothing leaves the chip */

/* What the helper thread timed, read by this one. */
static struct ibt_msg ib_partner;
/* The slots the helper's system call uses. */
static uint64_t ib_partner_slot;

/* Yields for ever (the yield benchmark's other thread). */
static void ib_yielder(uint64_t unused)
{
    (void)unused;
    ib_partner.number = SYS_YIELD;
    for (;;)
        ibt_syscall(0, 0, &ib_partner);
}

/* Signals the notification in ib_partner_slot for ever; it runs below this thread's priority,
   so only while this thread waits, and each signal wakes it at once. */
static void ib_signaller(uint64_t unused)
{
    (void)unused;
    ib_partner.number = SYS_SEND;
    for (;;)
        ibt_syscall(ib_partner_slot, 0, &ib_partner);
}

/* Enables COM2's transmitter-empty interrupt for ever (the I/O port capability in
   ib_partner_slot), below this thread's priority like ib_signaller. */
static void ib_irq_trigger(uint64_t unused)
{
    (void)unused;
    for (;;) {
        ib_partner.number = SYS_CALL;
        ib_partner.mr[0] = COM2_BASE + UART_IER;
        ib_partner.mr[1] = 1;
        ib_partner.mr[2] = IER_THRE;
        ibt_syscall(ib_partner_slot, MSG_TAG(IO_PORT_OUT, 3, 0), &ib_partner);
    }
}

/* The null system call: an unassigned number, which the kernel answers ERR_INVALID_SYSCALL
   after its entry, lock and dispatch: the least a system call can do. */
static void ib_null(struct ib_ctx *c)
{
    struct ibt_msg m = {.number = SYS_COUNT};
    for (uint64_t i = 0; i < c->args->warmup + c->args->iterations; i++) {
        long e = ibt_syscall(0, 0, &m);
        if (e != ERR_INVALID_SYSCALL) {
            ib_fail(c, "null-syscall", result_from_kernel(e, 0));
            return;
        }
        if (i >= c->args->warmup)
            c->samples[0][i - c->args->warmup] = (int64_t)(m.t_after - m.t_before);
    }
    ib_report(c, IB_NULL_SYSCALL, ibargs_names[IB_NULL_SYSCALL], c->samples[0], c->args->iterations,
              ib_overhead(c, false));
}

/* Times system call m->number on slot with tag and m's words warmup + iterations times, each
   answering ERR_OK; after (untimed, if not NULL) undoes what it did. Reports it as b. */
static void ib_invocation(struct ib_ctx *c, enum ib_bench b, uint64_t slot, uint64_t tag,
                          const struct ibt_msg *m, long (*after)(struct ib_ctx *))
{
    if (!c->args->selected[b])
        return;
    for (uint64_t i = 0; i < c->args->warmup + c->args->iterations; i++) {
        struct ibt_msg each = *m;
        long e = ibt_syscall(slot, tag, &each);
        if (e == ERR_OK && after)
            e = after(c);
        if (e != ERR_OK) {
            ib_fail(c, ibargs_names[b], result_from_kernel(e, 0));
            return;
        }
        if (i >= c->args->warmup)
            c->samples[0][i - c->args->warmup] = (int64_t)(each.t_after - each.t_before);
    }
    ib_report(c, b, ibargs_names[b], c->samples[0], c->args->iterations, ib_overhead(c, false));
}

/* Waits (m->number, on slot) for the helper warmup + iterations times; each sample is the
   time from the helper's TSC before its system call to this thread's after its own. A helper
   that did not run in between is an error. */
static struct result ib_partner_loop(struct ib_ctx *c, uint64_t slot, struct ibt_msg *m,
                                     long (*after)(struct ib_ctx *))
{
    uint64_t last = 0;
    /* a few rounds at least, so the helper has reached its loop before anything counts */
    const uint64_t warmup = c->args->warmup < 16 ? 16 : c->args->warmup;
    for (uint64_t i = 0; i < warmup + c->args->iterations; i++) {
        long e = ibt_syscall(slot, 0, m);
        if (e != ERR_OK)
            return result_from_kernel(e, 0);
        if (ib_partner.t_before == last) {
            printf("ipcbench: the helper thread did not run\n");
            return result_from_reply(ERR_OK, SERVICE_INTERNAL, 0);
        }
        last = ib_partner.t_before;
        if (i >= warmup)
            c->samples[0][i - warmup] = (int64_t)(m->t_after - ib_partner.t_before);
        if (after && (e = after(c)) != 0)
            return result_from_kernel(e, 0);
    }
    return result_ok();
}

/* A switch by yield to a second thread of this address space, same priority, same CPU. */
static void ib_yield(struct ib_ctx *c)
{
    ib_partner = (struct ibt_msg){0};
    struct result e = ib_helper_start(c, ib_yielder, 0, c->priority);
    struct ibt_msg m = {.number = SYS_YIELD};
    if (result_is_ok(e))
        e = ib_partner_loop(c, 0, &m, 0);
    ib_helper_stop(c);
    if (!result_is_ok(e))
        ib_fail(c, "yield", e);
    else
        ib_report(c, IB_YIELD, ibargs_names[IB_YIELD], c->samples[0], c->args->iterations,
                  ib_overhead(c, false));
}

/* A signal from a thread one priority below to this one, waiting on the notification. */
static void ib_notify(struct ib_ctx *c)
{
    struct missive_msg poll = {0};
    missive_syscall(SYS_NB_RECV, c->notification, 0, &poll); /* nothing stale */
    ib_partner = (struct ibt_msg){0};
    ib_partner_slot = c->notification;
    struct result e = ib_helper_start(c, ib_signaller, 0, c->priority - 1);
    struct ibt_msg m = {.number = SYS_RECV};
    if (result_is_ok(e))
        e = ib_partner_loop(c, c->notification, &m, 0);
    ib_helper_stop(c);
    if (!result_is_ok(e))
        ib_fail(c, "notify-wake", e);
    else
        ib_report(c, IB_NOTIFY_WAKE, ibargs_names[IB_NOTIFY_WAKE], c->samples[0],
                  c->args->iterations, ib_overhead(c, false));
}

static uint64_t ib_com2, ib_com2_irq;

/* COM2's interrupt handled: transmitter-empty interrupt off, line acknowledged. */
static long ib_irq_done(struct ib_ctx *c)
{
    (void)c;
    long e = io_port_out(ib_com2, COM2_BASE + UART_IER, 1, 0);
    if (e == ERR_OK)
        e = irq_handler_ack(ib_com2_irq);
    return e;
}

/* Reads a COM2 register; -1 on an error. */
static long ib_com2_in(uint64_t reg)
{
    uint64_t value;
    return io_port_in(ib_com2, COM2_BASE + reg, 1, &value) == ERR_OK ? (long)value : -1;
}

/* From the helper's TSC before the invocation that enables COM2's interrupt to this thread's
   after its wait on the IRQ notification returns. Needs the manifest's ioports=0x2f8-0x2ff
   irq=3 and a COM2 (QEMU: a second -serial). */
static void ib_irq(struct ib_ctx *c)
{
    const struct proc_info *info = libsys_proc_info();
    uint64_t notification = 0;
    ib_com2 = procgrant_ports(info, COM2_BASE, COM2_BASE + 7);
    if (!ib_com2 || !procgrant_irq(info, COM2_IRQ, &ib_com2_irq, &notification)) {
        printf("ipcbench: irq-latency skipped: no grant of COM2 (ioports=0x2f8-0x2ff irq=3)\n");
        return;
    }
    io_port_out(ib_com2, COM2_BASE + UART_SCR, 1, 0x5a);
    if (ib_com2_in(UART_SCR) != 0x5a) {
        printf("ipcbench: irq-latency skipped: no UART at 0x2f8 (QEMU: a second -serial)\n");
        return;
    }
    io_port_out(ib_com2, COM2_BASE + UART_MCR, 1, MCR_LOOP | MCR_OUT2);
    ib_irq_done(c);
    ib_com2_in(UART_IIR);
    struct missive_msg poll = {0};
    missive_syscall(SYS_NB_RECV, notification, 0, &poll); /* nothing stale */
    ib_partner = (struct ibt_msg){0};
    ib_partner_slot = ib_com2;
    struct result e = ib_helper_start(c, ib_irq_trigger, 0, c->priority - 1);
    struct ibt_msg m = {.number = SYS_RECV};
    if (result_is_ok(e))
        e = ib_partner_loop(c, notification, &m, ib_irq_done);
    ib_helper_stop(c);
    ib_irq_done(c);
    if (!result_is_ok(e))
        ib_fail(c, "irq-latency", e);
    else
        ib_report(c, IB_IRQ_LATENCY, ibargs_names[IB_IRQ_LATENCY], c->samples[0],
                  c->args->iterations, ib_overhead(c, false));
    struct ibt_msg ack = {.number = SYS_CALL};
    ib_invocation(c, IB_IRQ_HANDLER_ACK, ib_com2_irq, MSG_TAG(IRQ_HANDLER_ACK, 0, 0), &ack, 0);
}

#define IB_MAP_AT 0x50000000ul /* where frame-map maps its frame (its tables made first) */

static uint64_t ib_frame, ib_retyped;

static long ib_unmap(struct ib_ctx *c)
{
    (void)c;
    return frame_unmap(ib_frame);
}

static long ib_delete_retyped(struct ib_ctx *c)
{
    (void)c;
    return cspace_delete(PROC_SLOT_CSPACE, ib_retyped);
}

/* Invocations and system calls the fast path declines (docs/ipc-performance.md, "The slow
   path"): a signal nobody waits for, cspace_identify, a frame's map (unmapped untimed) and
   the retype of one frame from a 16 KiB Untyped (deleted untimed). */
static void ib_slow_path(struct ib_ctx *c)
{
    struct ibt_msg m = {.number = SYS_SEND};
    ib_invocation(c, IB_NOTIFICATION_SIGNAL, c->notification, 0, &m, 0);
    m = (struct ibt_msg){.number = SYS_CALL, .mr = {c->notification}};
    ib_invocation(c, IB_CSPACE_IDENTIFY, PROC_SLOT_CSPACE, MSG_TAG(CSPACE_IDENTIFY, 1, 0), &m, 0);
    uint64_t untyped = libsys_alloc_slot(), small = libsys_alloc_slot(), level = 3;
    ib_frame = libsys_alloc_slot();
    ib_retyped = libsys_alloc_slot();
    struct result r = mem_untyped(16, untyped);
    long e = ERR_OK;
    if (result_is_ok(r))
        e = untyped_retype(untyped, CAP_FRAME, 12, ib_frame, 1);
    if (result_is_ok(r) && e == ERR_OK) /* its only child, so that deleting a frame resets it */
        e = untyped_retype(untyped, CAP_UNTYPED, 14, small, 1);
    /* the tables missing on the way to IB_MAP_AT, down to the last level (0) */
    for (int i = 0; result_is_ok(r) && e == ERR_OK && i < 3 && level != 0; i++) {
        uint64_t table = libsys_alloc_slot();
        e = untyped_retype(untyped, CAP_PAGE_TABLE, 0, table, 1);
        if (e == ERR_OK)
            e = vspace_map_table(PROC_SLOT_VSPACE, table, IB_MAP_AT, &level);
    }
    if (!result_is_ok(r) || e != ERR_OK) {
        ib_fail(c, "frame-map's set-up", result_is_ok(r) ? result_from_kernel(e, 0) : r);
        return;
    }
    m = (struct ibt_msg){.number = SYS_CALL,
                         .mr = {ib_frame, IB_MAP_AT, CAP_RIGHT_READ | CAP_RIGHT_WRITE}};
    ib_invocation(c, IB_FRAME_MAP, PROC_SLOT_VSPACE, MSG_TAG(VSPACE_MAP_FRAME, 3, 0), &m, ib_unmap);
    m = (struct ibt_msg){.number = SYS_CALL, .mr = {CAP_FRAME, 12, ib_retyped, 1}};
    ib_invocation(c, IB_UNTYPED_RETYPE_FRAME, small, MSG_TAG(UNTYPED_RETYPE, 4, 0), &m,
                  ib_delete_retyped);
}

void ib_bench_events(struct ib_ctx *c)
{
    if (c->args->selected[IB_NULL_SYSCALL])
        ib_null(c);
    if (c->args->selected[IB_YIELD])
        ib_yield(c);
    if (c->args->selected[IB_NOTIFY_WAKE])
        ib_notify(c);
    if (c->args->selected[IB_IRQ_LATENCY] || c->args->selected[IB_IRQ_HANDLER_ACK])
        ib_irq(c);
    ib_slow_path(c);
}
