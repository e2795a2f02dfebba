/*
 * The GDT, the TSS and the interrupt stacks, one set per CPU.
 *
 * Long mode ignores segment bases and limits, so the GDT only fixes privilege levels and the
 * selector layout syscall/sysret expect. The TSS holds the stacks the CPU switches to: RSP0 for
 * traps from user mode (set per thread later) and the IST stacks, which double fault, NMI and
 * machine check always use so they get a good stack even when the current one is the reason for the
 * fault.
 */
#include "arch/x86_64/gdt.h"

#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "string.h"

#define IST_STACK_SIZE 16384

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed)); /* the CPU's layout: 64-bit fields at 4-byte offsets */

/* Each CPU needs its own TSS (its RSP0 follows the thread it runs, and a
   busy TSS cannot be loaded twice), hence its own GDT to describe it, and
   its own IST stacks so two CPUs' NMIs do not share one. */
static struct cpu_tables {
    uint32_t align_rsp0; /* puts tss.rsp[0] on an 8-byte boundary (see gdt_init) */
    struct tss tss;
    uint64_t gdt[7];
    _Alignas(16) uint8_t ist_stacks[3][IST_STACK_SIZE];
} tables[SMP_MAX_CPUS];

/* Builds a flat code/data descriptor: access byte and flags are all that matter in long mode. */
static uint64_t segment(uint8_t access, uint8_t flags)
{
    return 0xffffull | ((uint64_t)access << 40) | ((uint64_t)(flags | 0xf) << 48);
}

/* Loads CPU cpu's GDT and TSS and reloads every segment register. Needs: nothing but a working
   stack. After it, the boot (or trampoline) GDT in low memory is no longer referenced. */
void gdt_init(unsigned cpu)
{
    struct tss *tss = &tables[cpu].tss;
    uint64_t *gdt = tables[cpu].gdt;
    memset(tss, 0, sizeof *tss);
    for (int i = 0; i < 3; i++)
        tss->ist[i] = (uint64_t)&tables[cpu].ist_stacks[i][IST_STACK_SIZE];
    tss->iomap_base = sizeof *tss; /* no I/O bitmap: ring 3 gets no ports */
    /* Every switch to a thread stores RSP0; through a plain aligned pointer
       it is one instruction (a packed member's address may not be taken). */
    cpus[cpu].trap_stack = (uint64_t *)((uint8_t *)tss + offsetof(struct tss, rsp));

    gdt[0] = 0;
    gdt[1] = segment(0x9a, 0x20); /* kernel code: present, ring 0, exec/read, L */
    gdt[2] = segment(0x92, 0x00); /* kernel data */
    gdt[3] = segment(0xf2, 0x00); /* user data: ring 3 */
    gdt[4] = segment(0xfa, 0x20); /* user code: ring 3, L */
    uint64_t base = (uint64_t)tss;
    uint64_t limit = sizeof *tss - 1;
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[6] = base >> 32;

    struct descriptor_pointer pointer = {sizeof tables[cpu].gdt - 1, (uint64_t)gdt};
    lgdt(&pointer);
    gdt_reload_segments(SEL_KERNEL_CODE, SEL_KERNEL_DATA);
    ltr(SEL_TSS);
}
