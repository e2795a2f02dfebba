/*
 * The machine's processors and interrupt hardware, from the ACPI MADT, and
 * starting the application processors (APs). Boot CPU only, at boot.
 */
#ifndef MISSIVE_ARCH_MP_H
#define MISSIVE_ARCH_MP_H

#include <stdint.h>

#include "arch/x86_64/cpu_local.h"
#include "bootmem.h"
#include "mb2/mb2.h"

#define MP_TRAMPOLINE 0x8000 /* the AP start-up page (trampoline.asm, through asm_offsets.c) */

struct mp_config {
    unsigned cpu_count;              /* CPUs the MADT lists (1 without a usable MADT) */
    uint32_t apic_ids[SMP_MAX_CPUS]; /* apic_ids[0] is the boot CPU's */
    uint64_t ioapic_address;
    unsigned timer_gsi; /* where ISA IRQ 0 (the PIT) arrives */
};

/* Reads the MADT through the RSDP GRUB passed (tables in the direct map cover, else mapped from bm)
   and fills *out. Missing or malformed tables are a warning, and *out then describes one CPU, the
   I/O APIC at 0xfec00000 and the PIT on GSI 2 (QEMU's wiring). Needs vm_init. */
void mp_discover(struct bootmem *bm, const struct bootmem *cover, const struct mb2_info *info,
                 struct mp_config *out);

/* Starts every other CPU of config through the trampoline and waits for
   each to come online; sets cpu_count. The APs then wait for the kernel
   lock, which the caller holds. Needs: apic_init, irq_init, vm_init. */
void mp_start_aps(struct bootmem *bm, const struct mb2_info *info, const struct mp_config *config);

#endif
