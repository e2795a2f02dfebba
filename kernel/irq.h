/*
 * Interrupt routing: the timer drives the scheduler; other lines will be
 * delivered to Notifications through IRQ handler capabilities.
 */
#ifndef MISSIVE_IRQ_H
#define MISSIVE_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "bootmem.h"

/* Sets up the APICs and starts the PIT at hz ticks a second. Boot CPU,
   interrupts off (they come on only in user mode and while idle). */
void irq_init(struct bootmem *bm, unsigned hz);

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
