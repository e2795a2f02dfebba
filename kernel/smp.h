/*
 * What one CPU asks of the others (docs/kernel.md section 13): wake up and reschedule, flush a TLB,
 * let go of an address space, hand over a thread's FPU registers. Only the holder of the kernel
 * lock asks, and it waits until each CPU asked has done it; a CPU does it in its IPI handler or
 * while it spins for the kernel lock, so the holder never waits for the lock itself.
 */
#ifndef MISSIVE_SMP_H
#define MISSIVE_SMP_H

#include <stdint.h>

struct thread;

#define SMP_REQUEST_TLB    1u /* reload CR3 if it holds request_root */
#define SMP_REQUEST_UNLOAD 2u /* if CR3 holds request_root, load the kernel's tables */
#define SMP_REQUEST_FPU    4u /* save the FPU owner's registers into it and own none */

/* Does what other CPUs asked of this one, if anything, and tells them.
   Interrupts off; with or without the kernel lock. */
void smp_serve_requests(void);

/* Asks every other online CPU whose CR3 holds root to do request
   (SMP_REQUEST_TLB or _UNLOAD) and waits until they have. Holds the lock. */
void smp_shootdown(uint64_t root, uint32_t request);

/* Makes sure t runs on no other CPU and that no CPU holds its FPU registers (they are in
   t->fpu_state): before a thread is stopped, moved to another CPU or destroyed. A CPU that was
   running t leaves it; a system call t was entering there is undone, to run again when t next runs.
   Holds the lock. */
void smp_evict(struct thread *t);

/* Interrupts CPU cpu (not this one) so that it reschedules. Holds the lock. */
void smp_kick(unsigned cpu);

/* The CPU a new thread starts on: the CPUs in turn. */
unsigned smp_next_cpu(void);

/* IPIs sent since boot (kicks and requests). */
extern uint64_t smp_ipis_sent;

#endif
