/*
 * The local APIC (end of interrupt, later timers and IPIs) and the I/O APIC
 * (routing device interrupt lines, GSIs, to vectors). The legacy 8259 PICs
 * stay masked. Vector map (docs/kernel.md): 32 + GSI for GSIs 0-23,
 * APIC_SPURIOUS_VECTOR for the local APIC's spurious interrupts.
 */
#ifndef MISSIVE_ARCH_APIC_H
#define MISSIVE_ARCH_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "bootmem.h"

#define IRQ_VECTOR_BASE      32
#define IOAPIC_MAX_GSIS      24
#define APIC_SPURIOUS_VECTOR 0xff

/* Maps both APICs (uncached, frames for page tables from bm), enables the
   local APIC and masks every I/O APIC line. Boot CPU, interrupts off. */
void apic_init(struct bootmem *bm);

/* Routes gsi to vector IRQ_VECTOR_BASE + gsi on the boot CPU, edge-triggered
   active-high (ISA) or level-triggered active-low (PCI), masked or not. */
void ioapic_route(unsigned gsi, bool level_low, bool masked);
void ioapic_mask(unsigned gsi, bool masked);

/* True if an interrupt is waiting to be delivered to this CPU: long kernel
   operations check it to stop and let the system call restart later. */
bool apic_interrupt_pending(void);

/* Physical addresses of the APICs' register pages. */
uint64_t apic_local_base(void);
#define IOAPIC_DEFAULT_BASE 0xfec00000ul /* QEMU's pc and q35; MADT parsing comes with SMP */

/* Signals end of interrupt to this CPU's local APIC. */
void lapic_eoi(void);

#endif
