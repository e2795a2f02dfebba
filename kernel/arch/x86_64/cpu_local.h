/*
 * Per-CPU data, reached through the GS base while in the kernel (the entry
 * paths swap GS on every crossing from and to user mode). The offsets are
 * also used by the assembly entry code (entry.asm); the static assertions
 * keep the two in step.
 */
#ifndef MISSIVE_ARCH_CPU_LOCAL_H
#define MISSIVE_ARCH_CPU_LOCAL_H

#include <stddef.h>
#include <stdint.h>

struct thread;

struct cpu_local {
    struct cpu_local *self;    /* for reading the struct's own address through GS */
    uint64_t kernel_stack_top; /* the CPU's one kernel stack (event-driven kernel) */
    uint64_t context_end;      /* end of the current thread's saved user context */
    uint64_t user_rsp;         /* scratch: user RSP during syscall entry */
    struct thread *current;    /* the thread that runs (or last ran) in user mode */
    unsigned id;
};

#define CPU_LOCAL_KERNEL_STACK_TOP 8
#define CPU_LOCAL_CONTEXT_END      16
#define CPU_LOCAL_USER_RSP         24
_Static_assert(offsetof(struct cpu_local, kernel_stack_top) == CPU_LOCAL_KERNEL_STACK_TOP, "asm");
_Static_assert(offsetof(struct cpu_local, context_end) == CPU_LOCAL_CONTEXT_END, "asm");
_Static_assert(offsetof(struct cpu_local, user_rsp) == CPU_LOCAL_USER_RSP, "asm");

/* XCR0 as set when the CPU has XSAVE (x87, SSE and maybe AVX), else 0 (the
   kernel then uses fxsave). */
extern uint64_t cpu_fpu_features;

/* Bytes a thread keeps for its FPU/SSE/AVX image (struct thread). */
#define THREAD_FPU_AREA 1024

/* The boot CPU's data; SMP adds one per CPU. */
extern struct cpu_local boot_cpu;

/* Points GS at this CPU's data and programs the syscall MSRs. */
void cpu_local_init(struct cpu_local *cpu, uint64_t kernel_stack_top);

static inline struct cpu_local *this_cpu(void)
{
    return &boot_cpu; /* one CPU until the SMP issue; then read through GS */
}

#endif
