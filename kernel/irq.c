/* Interrupts; see irq.h. */
#include "irq.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "log.h"
#include "sched.h"

#define PIT_HZ       1193182u
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND  0x43
/* ISA IRQ 0 (the PIT) reaches the I/O APIC on GSI 2 on QEMU's machines (the
   MADT says so in an interrupt source override; the SMP issue reads it). */
#define TIMER_GSI 2

void irq_init(struct bootmem *bm, unsigned hz)
{
    apic_init(bm);
    unsigned divisor = (PIT_HZ + hz / 2) / hz;
    outb(PIT_COMMAND, 0x34); /* channel 0, lobyte/hibyte, mode 2 (rate generator) */
    outb(PIT_CHANNEL0, divisor & 0xff);
    outb(PIT_CHANNEL0, divisor >> 8);
    ioapic_route(TIMER_GSI, false, false);
    log_info("timer: PIT at %u Hz (divisor %u), time slice %u ticks\n", hz, divisor,
             TIMESLICE_TICKS);
}

void irq_handle(uint64_t vector)
{
    if (vector == APIC_SPURIOUS_VECTOR)
        return; /* spurious: no EOI, by the APIC's rules */
    unsigned gsi = (unsigned)(vector - IRQ_VECTOR_BASE);
    if (gsi == TIMER_GSI) {
        sched_tick(this_cpu()->current);
    } else if (gsi < IOAPIC_MAX_GSIS) {
        /* No handler can be bound yet: keep the line quiet. */
        ioapic_mask(gsi, true);
        log_warn("irq: unexpected interrupt on GSI %u; masked\n", gsi);
    } else {
        log_warn("irq: unexpected vector %lu\n", vector);
    }
    lapic_eoi();
}
