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
}

void ib_bench_events(struct ib_ctx *c)
{
    if (c->args->selected[IB_NULL_SYSCALL])
        ib_null(c);
    if (c->args->selected[IB_YIELD])
        ib_yield(c);
    if (c->args->selected[IB_NOTIFY_WAKE])
        ib_notify(c);
    if (c->args->selected[IB_IRQ_LATENCY])
        ib_irq(c);
}
