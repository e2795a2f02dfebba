/*
 * Interrupt routing: the PIT is the time base (uptime), each CPU's local
 * APIC timer, calibrated against it, drives that CPU's time slices; device
 * lines are delivered to Notifications through IRQ handler capabilities.
 */
#ifndef MISSIVE_IRQ_H
#define MISSIVE_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "bootmem.h"

/* Sets up the APICs (the I/O APIC at ioapic_address), calibrates the local APIC timer against the
   PIT, starts the PIT at hz ticks a second on timer_gsi (the GSI of ISA IRQ 0) and this CPU's local
   timer at the same rate. Boot CPU, interrupts off (on only in user mode and while idle). */
void irq_init(struct bootmem *bm, unsigned hz, uint64_t ioapic_address, unsigned timer_gsi);

/* Starts this CPU's local APIC timer at the calibrated rate (application processors). */
void irq_start_local_timer(void);

/* Stops this CPU's local timer (while it idles). */
void irq_stop_local_timer(void);

/* A busy-wait of us microseconds (at most 54925) timed by PIT channel 2:
   start it, then poll until it is over. */
void pit_wait_start(unsigned us);
bool pit_wait_over(void);

/* Handles one interrupt by vector, on the kernel stack, interrupts off. */
void irq_handle(uint64_t vector);

/* True if some line would signal a notification: an interrupt may yet wake
   a thread, so an idle system is not finished. */
bool irq_lines_bound(void);

struct invocation;
struct cap;
long irq_control_invoke(struct invocation *inv);
long irq_handler_invoke(struct invocation *inv);

/* A deleted IRQ handler capability frees its line (masked) for reissue. */
void irq_handler_deleted(const struct cap *cap);

#endif
