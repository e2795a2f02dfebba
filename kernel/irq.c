/*
 * Interrupts; see irq.h. A device line (GSI) belongs to at most one IRQ handler capability, issued
 * through the IRQ control capability. The handler names a Notification: when the line fires the
 * kernel masks it and signals the notification with its badge; the driver handles the device and
 * acknowledges through the handler, which unmasks the line. An MSI handler owns a vector above the
 * I/O APIC's instead: the device (programmed by the pci server) writes the vector to a CPU's local
 * APIC; the kernel cannot mask it, so it only signals, and acknowledging does nothing.
 */
#include "irq.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "invoke.h"
#include "log.h"
#include "missive/abi.h"
#include "notification.h"
#include "sched.h"
#include "smp.h"

#define PIT_HZ       1193182u
#define PIT_CHANNEL0 0x40
#define PIT_CHANNEL2 0x42
#define PIT_COMMAND  0x43
#define PIT_GATE     0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */
#define CALIBRATE_US 1000 /* 1 ms: docs/smp.md, "Timers", gives its error */

/* The GSI ISA IRQ 0 (the PIT) arrives on: from the MADT, 2 on QEMU's machines. */
static unsigned timer_gsi;
/* Local APIC timer counts (divided by 16) per tick, measured against the PIT. */
static uint32_t local_timer_count;

void pit_wait_start(unsigned us)
{
    uint32_t count = (uint32_t)((uint64_t)PIT_HZ * us / 1000000);
    outb(PIT_GATE, inb(PIT_GATE) & ~0x03); /* gate low, speaker off */
    outb(PIT_COMMAND, 0xb0);               /* channel 2, lobyte/hibyte, mode 0 */
    outb(PIT_CHANNEL2, count & 0xff);
    outb(PIT_CHANNEL2, (count >> 8) & 0xff);
    outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01); /* gate high: the count starts */
}

bool pit_wait_over(void)
{
    return inb(PIT_GATE) & 0x20; /* mode 0: the output goes high at the terminal count */
}

/* Counts the local APIC timer down over CALIBRATE_US of the PIT's time. */
static uint32_t calibrate_local_timer(unsigned hz)
{
    pit_wait_start(CALIBRATE_US);
    lapic_timer_start(0xffffffffu, false);
    while (!pit_wait_over())
        cpu_pause();
    uint64_t elapsed = 0xffffffffu - lapic_timer_now();
    uint64_t count = elapsed * (1000000 / CALIBRATE_US) / hz;
    return count ? (uint32_t)count : 1;
}

void irq_init(struct bootmem *bm, unsigned hz, uint64_t ioapic_address, unsigned pit_gsi)
{
    apic_init(bm, ioapic_address);
    timer_gsi = pit_gsi;
    local_timer_count = calibrate_local_timer(hz);
    unsigned divisor = (PIT_HZ + hz / 2) / hz;
    outb(PIT_COMMAND, 0x34); /* channel 0, lobyte/hibyte, mode 2 (rate generator) */
    outb(PIT_CHANNEL0, divisor & 0xff);
    outb(PIT_CHANNEL0, divisor >> 8);
    ioapic_route(timer_gsi, 0, false);
    log_info("timer: PIT at %u Hz (divisor %u) on GSI %u, time slice %u ticks\n", hz, divisor,
             timer_gsi, TIMESLICE_TICKS);
    log_info("timer: local APIC timers at %u Hz: %u counts (by 16) a tick, against the PIT\n", hz,
             local_timer_count);
    irq_start_local_timer();
}

void irq_start_local_timer(void)
{
    lapic_timer_start(local_timer_count, true);
}

void irq_stop_local_timer(void)
{
    lapic_timer_start(0, true); /* an initial count of 0 stops the timer */
}

struct irq_line {
    bool issued;             /* an IRQ handler capability exists */
    bool had_handler;        /* one existed once: its device may still raise it (below) */
    struct cte notification; /* copy of the Notification capability to signal */
};

/* Lines 0 to IOAPIC_MAX_GSIS - 1 are the I/O APIC's GSIs, the rest MSI vectors
   (IRQ_VECTOR_BASE + line), up to the local timer's vector. */
#define IRQ_LINES (LAPIC_TIMER_VECTOR - IRQ_VECTOR_BASE)
static struct irq_line lines[IRQ_LINES];

void irq_handle(uint64_t vector)
{
    if (vector == APIC_SPURIOUS_VECTOR)
        return; /* spurious: no EOI, by the APIC's rules */
    unsigned gsi = (unsigned)(vector - IRQ_VECTOR_BASE);
    if (vector == LAPIC_TIMER_VECTOR) {
        sched_tick(this_cpu()->current);
    } else if (vector == IPI_VECTOR) {
        smp_serve_requests(); /* and the way out reschedules: a kick needs no more */
    } else if (gsi == timer_gsi) {
        sched_ticks++;
    } else if (gsi < IRQ_LINES && lines[gsi].notification.cap.type == CAP_NOTIFICATION) {
        if (gsi < IOAPIC_MAX_GSIS)
            ioapic_mask(gsi, true); /* until the driver acknowledges */
        notification_signal((struct notification *)lines[gsi].notification.cap.object,
                            lines[gsi].notification.cap.badge);
    } else if (gsi < IOAPIC_MAX_GSIS) {
        ioapic_mask(gsi, true);
        log_warn("irq: interrupt on GSI %u with no handler; masked\n", gsi);
    } else if (gsi < IRQ_LINES && lines[gsi].had_handler) {
        /* A dead driver's device, until its successor resets it: expected, so said only at
           loglevel=debug (a warning, written straight to COM1, landed in the middle of procsrv's
           lines and broke them). */
        klog(LOG_DEBUG, "irq: unexpected vector %lu (its handler is gone)\n", vector);
    } else {
        log_warn("irq: unexpected vector %lu\n", vector);
    }
    lapic_eoi();
}

bool irq_lines_bound(void)
{
    for (unsigned gsi = 0; gsi < IRQ_LINES; gsi++)
        if (lines[gsi].notification.cap.type == CAP_NOTIFICATION)
            return true;
    return false;
}

/* IRQ_CONTROL_GET: MR0 the GSI, MR1 an empty slot for the handler, MR2 its
   IRQ_MODE_* bits. One handler per line. IRQ_CONTROL_GET_MSI: MR0 a CPU, MR1
   an empty slot; the first free MSI vector (ERR_NOT_PERMITTED: none left). */
long irq_control_decode(struct invocation *inv, struct irq_op *out)
{
    long error;
    if (inv->label == IRQ_CONTROL_GET_MSI) {
        uint64_t cpu = inv->mr[IRQ_CONTROL_GET_MSI_ARG_CPU];
        if (cpu >= cpu_count)
            return invoke_bad_argument(inv, IRQ_CONTROL_GET_MSI_ARG_CPU, 0, cpu_count - 1);
        if ((error = invoke_empty_argument(inv, IRQ_CONTROL_GET_MSI_ARG_DEST, &out->cap)))
            return error;
        out->cpu = (unsigned)cpu;
        for (out->gsi = IOAPIC_MAX_GSIS; out->gsi < IRQ_LINES; out->gsi++)
            if (!lines[out->gsi].issued)
                return ERR_OK;
        return ERR_NOT_PERMITTED;
    }
    if (inv->label != IRQ_CONTROL_GET)
        return ERR_INVALID_LABEL;
    uint64_t gsi = inv->mr[IRQ_CONTROL_GET_ARG_GSI], level;
    if (gsi >= IOAPIC_MAX_GSIS || gsi == timer_gsi) /* the timer's is taken */
        return invoke_bad_argument(inv, IRQ_CONTROL_GET_ARG_GSI, 0, IOAPIC_MAX_GSIS - 1);
    if ((error = invoke_empty_argument(inv, IRQ_CONTROL_GET_ARG_DEST, &out->cap)) ||
        (error = invoke_value_argument(inv, IRQ_CONTROL_GET_ARG_MODE, 3, &level)))
        return error;
    out->gsi = (unsigned)gsi;
    out->mode = (unsigned)level;
    return lines[out->gsi].issued ? ERR_NOT_PERMITTED : ERR_OK;
}

long irq_control_invoke(struct invocation *inv)
{
    struct irq_op a;
    long error = irq_control_decode(inv, &a);
    if (error)
        return error;
    lines[a.gsi].issued = true;
    lines[a.gsi].had_handler = true;
    if (inv->label == IRQ_CONTROL_GET_MSI) {
        invoke_reply(inv, IRQ_CONTROL_GET_MSI_ANSWER_ADDRESS,
                     IRQ_MSI_ADDRESS | (uint64_t)cpus[a.cpu].apic_id << 12);
        invoke_reply(inv, IRQ_CONTROL_GET_MSI_ANSWER_DATA, IRQ_VECTOR_BASE + a.gsi);
    } else {
        ioapic_route(a.gsi, a.mode, true);
    }
    struct cap cap = {.type = CAP_IRQ_HANDLER, .rights = CAP_RIGHTS_ALL};
    cap.irq_handler.gsi = a.gsi;
    cte_insert(a.cap, &cap, inv->slot);
    return ERR_OK;
}

/* IRQ_HANDLER_SET_NOTIFICATION: MR0 a notification with the send right.
   IRQ_HANDLER_ACK: no arguments. */
long irq_handler_decode(struct invocation *inv, struct irq_op *out)
{
    long error;
    *out = (struct irq_op){0, inv->slot->cap.irq_handler.gsi, 0, 0};
    if (inv->label == IRQ_HANDLER_ACK)
        return ERR_OK;
    if (inv->label != IRQ_HANDLER_SET_NOTIFICATION)
        return ERR_INVALID_LABEL;
    out->cap =
        invoke_lookup(inv->cspace, inv->mr[IRQ_HANDLER_SET_NOTIFICATION_ARG_NOTIFICATION], &error);
    if (!out->cap)
        return error;
    if (out->cap->cap.type != CAP_NOTIFICATION)
        return ERR_WRONG_TYPE;
    return out->cap->cap.rights & CAP_RIGHT_SEND ? ERR_OK : ERR_MISSING_RIGHT;
}

long irq_handler_invoke(struct invocation *inv)
{
    struct irq_op a;
    long error = irq_handler_decode(inv, &a);
    if (error)
        return error;
    if (inv->label == IRQ_HANDLER_SET_NOTIFICATION) {
        cte_replace(&lines[a.gsi].notification, a.cap);
        if (a.gsi < IOAPIC_MAX_GSIS)
            ioapic_mask(a.gsi, false);
    } else if (a.gsi < IOAPIC_MAX_GSIS &&
               lines[a.gsi].notification.cap.type == CAP_NOTIFICATION) { /* IRQ_HANDLER_ACK */
        ioapic_mask(a.gsi, false);
    }
    return ERR_OK;
}

void irq_handler_deleted(const struct cap *cap)
{
    unsigned gsi = cap->irq_handler.gsi;
    if (gsi >= IRQ_LINES)
        return;
    if (gsi < IOAPIC_MAX_GSIS)
        ioapic_mask(gsi, true);
    cte_delete(&lines[gsi].notification);
    lines[gsi].issued = false;
}
