/*
 * Wrappers for the x86_64 instructions C cannot express: port I/O, control registers, MSRs, CPUID,
 * descriptor tables. They use GNU inline assembly, a compiler extension: the alternative, a NASM
 * function per instruction, costs a call on paths (port I/O, CR reads) where a single instruction
 * is the point. Every use of inline assembly in the kernel is kept in this header.
 */
#ifndef MISSIVE_ARCH_CPU_H
#define MISSIVE_ARCH_CPU_H

#include <stddef.h>
#include <stdint.h>

/* Port I/O of width 1, 2 or 4 bytes (the I/O port capability's widths). */
static inline uint32_t port_in(uint16_t port, unsigned width)
{
    uint32_t value; /* the instruction sets its low width bytes */
    if (width == 1)
        __asm__ volatile("inb %1, %b0" : "=a"(value) : "Nd"(port));
    else if (width == 2)
        __asm__ volatile("inw %1, %w0" : "=a"(value) : "Nd"(port));
    else
        __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return width == 1 ? value & 0xff : width == 2 ? value & 0xffff : value;
}

static inline void port_out(uint16_t port, unsigned width, uint32_t value)
{
    if (width == 1)
        __asm__ volatile("outb %b0, %1" : : "a"(value), "Nd"(port));
    else if (width == 2)
        __asm__ volatile("outw %w0, %1" : : "a"(value), "Nd"(port));
    else
        __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    return (uint8_t)port_in(port, 1);
}

static inline void outb(uint16_t port, uint8_t value)
{
    port_out(port, 1, value);
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

#define MSR_FS_BASE 0xc0000100u

static inline void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(regs[0]), "=b"(regs[1]), "=c"(regs[2]), "=d"(regs[3])
                     : "a"(leaf), "c"(subleaf));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define CPU_READ_CR(n)                                                                             \
    static inline uint64_t read_cr##n(void)                                                        \
    {                                                                                              \
        uint64_t value;                                                                            \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(value));                                      \
        return value;                                                                              \
    }
CPU_READ_CR(0)
CPU_READ_CR(2)
CPU_READ_CR(3)
CPU_READ_CR(4)
#undef CPU_READ_CR

static inline void write_cr0(uint64_t value)
{
    __asm__ volatile("mov %0, %%cr0" : : "r"(value) : "memory");
}

static inline void write_cr3(uint64_t value)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

static inline void write_cr4(uint64_t value)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(value) : "memory");
}

struct descriptor_pointer {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed)); /* the CPU's layout: no padding after limit */

static inline void lgdt(const struct descriptor_pointer *p)
{
    __asm__ volatile("lgdt %0" : : "m"(*p));
}

static inline void lidt(const struct descriptor_pointer *p)
{
    __asm__ volatile("lidt %0" : : "m"(*p));
}

static inline void ltr(uint16_t selector)
{
    __asm__ volatile("ltr %0" : : "r"(selector));
}

_Noreturn static inline void cpu_halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Enables interrupts and halts until one arrives (sti's one-instruction
   delay means no interrupt slips in between), then disables them again. */
static inline void cpu_idle_until_interrupt(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Opens a window of one instruction for interrupts: every interrupt pending
   is taken here, on the kernel stack (a preemption point; thread.c). */
static inline void cpu_take_pending_interrupts(void)
{
    __asm__ volatile("sti; nop; cli" ::: "memory");
}

/* The spin-wait hint. Every spin loop executes it: besides saving power it
   makes QEMU under -icount hand the turn to another vCPU, without which the
   one holding what we wait for may never run (shared/QEMU-NOTES.md). */
static inline void cpu_pause(void)
{
    __asm__ volatile("pause" ::: "memory");
}

/* Reads the quadword at offset 0 of the GS segment: the kernel's per-CPU
   data points at itself there (cpu_local.h). */
static inline void *cpu_read_gs_self(void)
{
    void *self;
    /* Volatile, so that no read moves above cpu_local_attach's setting of
       GS; the fast path reads it once and passes the pointer on. */
    __asm__ volatile("mov %%gs:0, %0" : "=r"(self));
    return self;
}

/* rep stosq / rep movsq (not overlapping) of 8-byte words: one instruction a word (string.c). */
static inline void cpu_store_words(void *dst, uint64_t value, size_t words)
{
    __asm__ volatile("rep stosq" : "+D"(dst), "+c"(words) : "a"(value) : "memory");
}

static inline void cpu_copy_words(void *dst, const void *src, size_t words)
{
    __asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(words) : : "memory");
}

static inline void cpu_invlpg(uint64_t vaddr)
{
    __asm__ volatile("invlpg (%0)" : : "r"(vaddr) : "memory");
}

/* The FPU images as memory operands (not pointers in registers): the
   compiler then addresses them as base plus offset, which saves the thread
   switch an instruction each way. 1024 bytes: THREAD_FPU_AREA. */
struct cpu_fpu_image {
    uint8_t bytes[1024];
};

static inline void cpu_xsave(void *area, uint64_t mask)
{
    __asm__ volatile("xsave64 %0"
                     : "=m"(*(struct cpu_fpu_image *)area)
                     : "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32)));
}

static inline void cpu_xrstor(const void *area, uint64_t mask)
{
    __asm__ volatile("xrstor64 %0"
                     :
                     : "m"(*(const struct cpu_fpu_image *)area), "a"((uint32_t)mask),
                       "d"((uint32_t)(mask >> 32)));
}

static inline void cpu_xsetbv(uint32_t xcr, uint64_t value)
{
    __asm__ volatile("xsetbv" : : "c"(xcr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

/* Save and load the x87/SSE state (512-byte, 16-byte aligned image). */
static inline void cpu_fxsave(void *area)
{
    __asm__ volatile("fxsave64 %0" : "=m"(*(struct cpu_fpu_image *)area));
}

static inline void cpu_fxrstor(const void *area)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(*(const struct cpu_fpu_image *)area));
}

static inline uint64_t read_rbp(void)
{
    uint64_t value;
    __asm__ volatile("mov %%rbp, %0" : "=r"(value));
    return value;
}

/* Test hooks for the crash= option: a trap from an instruction, and a page
   fault whose delivery itself faults (so the CPU raises a double fault). */
static inline void cpu_breakpoint(void)
{
    __asm__ volatile("int3");
}

static inline void cpu_fault_on_bad_stack(void)
{
    __asm__ volatile("mov $0xdead0000, %%rsp; push %%rax" : : : "memory");
}

#define MSR_EFER   0xc0000080u
#define EFER_LME   (1u << 8)
#define EFER_NXE   (1u << 11)
#define CR0_PE     (1u << 0)
#define CR0_WP     (1u << 16)
#define CR0_PG     (1u << 31)
#define CR4_PAE    (1u << 5)
#define CR4_PGE    (1u << 7)
#define CR4_OSFXSR (1u << 9)
#define CR4_SMEP   (1u << 20)
#define CR4_SMAP   (1u << 21)
#define RFLAGS_IF  (1u << 9)

#endif
