/*
 * Per-CPU data, reached through the GS base while in the kernel (the entry
 * paths swap GS on every crossing from and to user mode). entry.asm reaches
 * a few fields at offsets generated from this struct (asm_offsets.c).
 *
 * Who writes what: a CPU's own fields are changed by that CPU under the kernel lock, or by the lock
 * holder while the CPU is known to be out of user mode (smp.c, smp_evict). `requests` is the
 * exception: the lock holder sets bits in it and the CPU clears them, lock or no lock.
 */
#ifndef MISSIVE_ARCH_CPU_LOCAL_H
#define MISSIVE_ARCH_CPU_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"

#define SMP_MAX_CPUS 16

/* Bytes a thread keeps for its FPU/SSE/AVX image (struct thread). */
#define THREAD_FPU_AREA 1024

struct thread;

struct cpu_local {
    struct cpu_local *self;    /* for reading the struct's own address through GS */
    uint64_t kernel_stack_top; /* the CPU's one kernel stack (event-driven kernel) */
    uint64_t context_end;      /* end of the current thread's saved user context */
    uint64_t user_rsp;         /* scratch: user RSP during syscall entry */
    struct thread *current;    /* the thread that runs (or last ran) in user mode */
    unsigned id;               /* index in cpus[]; 0 is the boot CPU */
    uint32_t apic_id;
    volatile uint32_t requests;     /* SMP_REQUEST_* bits another CPU waits for (smp.h) */
    volatile uint64_t request_root; /* the address space a TLB or unload request is about */
    volatile uint8_t online;
    volatile uint8_t polling; /* idle, watching for a wake-up that then needs no IPI (sched.c) */
    /* Start-up: the AP sets 1 when it arrives, the boot CPU 2 when it gives
       up waiting; whoever is first decides whether the AP joins (mp.c). */
    uint8_t claimed;
    uint64_t loaded_root;     /* what this CPU's CR3 holds */
    struct thread *fpu_owner; /* whose FPU/SSE/AVX registers this CPU holds */
    uint64_t loaded_fs_base;  /* what this CPU's FS base MSR holds */
    uint64_t *trap_stack;     /* this CPU's TSS RSP0: where a trap from user mode saves */
    uint64_t busy_ticks;      /* local timer ticks that found a thread running */
    uint64_t idle_ticks;      /* PIT ticks it spent halted */
    /* Threads queued or woken here (sched.c; syscall_return_at_once reads it). */
    uint64_t run_queue_changes;
    /* Where the FPU registers go when they are switched out: fpu_owner's
       image, or fpu_scratch while there is no owner, so that the switch
       needs no test for that case (thread_switch_in). */
    uint8_t *fpu_save_area;
    _Alignas(64) uint8_t fpu_scratch[THREAD_FPU_AREA];
};

/* XCR0 as set when the CPU has XSAVE (x87, SSE and maybe AVX), else 0 (the
   kernel then uses fxsave). */
extern uint64_t cpu_fpu_features;

/* Every CPU's data; cpus[0] is the boot CPU. cpu_count CPUs are online. */
extern struct cpu_local cpus[SMP_MAX_CPUS];
extern unsigned cpu_count;

/* Makes cpu this CPU's per-CPU data (GS base), as CPU number id. The first
   thing each CPU does in C: this_cpu() works from here on. */
void cpu_local_attach(struct cpu_local *cpu, unsigned id);

/* Programs the syscall MSRs and turns on the CPU features the kernel uses.
   Needs: cpu_local_attach and gdt_init done on this CPU. */
void cpu_local_init(struct cpu_local *cpu, uint64_t kernel_stack_top);

static inline struct cpu_local *this_cpu(void)
{
    return cpu_read_gs_self();
}

#endif
