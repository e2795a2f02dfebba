/*
 * Interrupt routing: the timer drives the scheduler; other lines will be
 * delivered to Notifications through IRQ handler capabilities.
 */
#ifndef MISSIVE_IRQ_H
#define MISSIVE_IRQ_H

#include <stdint.h>

#include "bootmem.h"

/* Sets up the APICs and starts the PIT at hz ticks a second. Boot CPU,
   interrupts off (they come on only in user mode and while idle). */
void irq_init(struct bootmem *bm, unsigned hz);

/* Handles one interrupt by vector, on the kernel stack, interrupts off. */
void irq_handle(uint64_t vector);

#endif
