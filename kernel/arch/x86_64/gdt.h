#ifndef MISSIVE_ARCH_GDT_H
#define MISSIVE_ARCH_GDT_H

#include <stdint.h>

/* Segment selectors. The order kernel code, kernel data, user data, user code
   is the one syscall/sysret require (STAR). */
#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_DATA   0x1b
#define SEL_USER_CODE   0x23
#define SEL_TSS         0x28

/* Interrupt stack table slots (1-based, as the IDT names them). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3

void gdt_init(unsigned cpu);

/* In entry.asm: reload CS and the data segment registers. */
void gdt_reload_segments(unsigned code_selector, unsigned data_selector);

#endif
