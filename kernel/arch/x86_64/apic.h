/*
 * The local APIC (end of interrupt, its timer, IPIs) and the I/O APIC (routing device interrupt
 * lines, GSIs, to vectors). The legacy 8259 PICs stay masked. Vector map (docs/kernel.md): 32 + GSI
 * for GSIs 0-23, LAPIC_TIMER_VECTOR for each CPU's tick, IPI_VECTOR for requests between CPUs,
 * APIC_SPURIOUS_VECTOR for the local APIC's spurious interrupts.
 */
#ifndef MISSIVE_ARCH_APIC_H
#define MISSIVE_ARCH_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "bootmem.h"

#define IRQ_VECTOR_BASE      32
#define IOAPIC_MAX_GSIS      24
#define LAPIC_TIMER_VECTOR   0xef
#define IPI_VECTOR           0xf0
#define APIC_SPURIOUS_VECTOR 0xff

/* ICR commands: INIT and start-up (vector = page number of the real-mode
   entry) for waking application processors, fixed for an IPI. */
#define LAPIC_ICR_INIT    0x4500u
#define LAPIC_ICR_STARTUP 0x4600u
#define LAPIC_ICR_FIXED   0x4000u

/* Maps both APICs (uncached, frames for page tables from bm; the I/O APIC at
   ioapic_address), enables the local APIC and masks every I/O APIC line,
   each aimed at this CPU. Boot CPU, interrupts off. */
void apic_init(struct bootmem *bm, uint64_t ioapic_address);

/* Enables this CPU's local APIC (application processors; apic_init does it for the boot CPU). */
void lapic_enable(void);

/* This CPU's local APIC ID. */
uint32_t lapic_id(void);

/* Sends an interprocessor interrupt (an ICR command) to apic_id, waiting
   first until the previous one has left. */
void lapic_send(uint32_t apic_id, uint32_t command);

/* The local timer, divided by 16: tick periodically every count on LAPIC_TIMER_VECTOR (count 0
   stops it), or count down from count once, masked, and read the count left (calibration). */
void lapic_timer_start(uint32_t count, bool periodic);
uint32_t lapic_timer_now(void);

/* Routes gsi to vector IRQ_VECTOR_BASE + gsi on the boot CPU with the trigger
   and polarity of mode (IRQ_MODE_* bits of abi.h), masked or not. */
void ioapic_route(unsigned gsi, unsigned mode, bool masked);
void ioapic_mask(unsigned gsi, bool masked);

/* True if an interrupt is waiting to be delivered to this CPU: long kernel
   operations check it to stop and let the system call restart later. */
bool apic_interrupt_pending(void);

/* Physical addresses of the APICs' register pages. */
uint64_t apic_local_base(void);
uint64_t apic_io_base(void);
#define IOAPIC_DEFAULT_BASE 0xfec00000ul /* without a usable MADT: QEMU's pc and q35 */

/* Signals end of interrupt to this CPU's local APIC. */
void lapic_eoi(void);

#endif
