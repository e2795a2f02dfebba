/*
 * Stand-ins for the kernel's scheduler, hardware and IPC functions, so that the object files
 * whose decoders the host tests run (tests/unit/test_decode.c) link unchanged. None does any
 * work: each counts its call in stub_calls, and the decoder tests check that the count stays 0,
 * which proves that decoding touches neither the scheduler nor the hardware.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/vm.h"
#include "endpoint.h"
#include "fastpath.h"
#include "log.h"
#include "sched.h"
#include "smp.h"
#include "thread.h"

unsigned stub_calls;

unsigned cpu_count = 2;
struct cpu_local cpus[SMP_MAX_CPUS];
volatile uint64_t sched_ticks;
uint64_t thread_buffer_epoch;

void apic_init(struct bootmem *bm, uint64_t ioapic_address)
{
    (void)bm, (void)ioapic_address;
    stub_calls++;
}

bool stub_interrupt_pending; /* what apic_interrupt_pending answers: a test's preemption */

bool apic_interrupt_pending(void)
{
    stub_calls++;
    return stub_interrupt_pending;
}

void ioapic_mask(unsigned gsi, bool masked)
{
    (void)gsi, (void)masked;
    stub_calls++;
}

void ioapic_route(unsigned gsi, unsigned mode, bool masked)
{
    (void)gsi, (void)mode, (void)masked;
    stub_calls++;
}

void lapic_eoi(void)
{
    stub_calls++;
}

uint32_t lapic_timer_now(void)
{
    stub_calls++;
    return 0;
}

void lapic_timer_start(uint32_t count, bool periodic)
{
    (void)count;
    (void)periodic;
    stub_calls++;
}

void klog(enum log_level level, const char *fmt, ...)
{
    (void)level, (void)fmt;
    stub_calls++;
}

void kprintf(const char *fmt, ...)
{
    (void)fmt;
    stub_calls++;
}

void endpoint_cancel(struct thread *t)
{
    (void)t;
    stub_calls++;
}

void endpoint_deliver_reply(struct thread *replier, struct thread *caller, bool can_grant)
{
    (void)replier, (void)caller, (void)can_grant;
    stub_calls++;
}

void endpoint_destroy(struct endpoint *ep)
{
    (void)ep;
    stub_calls++;
}

void fastpath_set_traced(bool traced)
{
    (void)traced;
    stub_calls++;
}

void sched_dequeue(struct thread *t)
{
    (void)t;
    stub_calls++;
}

void sched_enqueue(struct thread *t)
{
    (void)t;
    stub_calls++;
}

unsigned sched_queued(unsigned cpu)
{
    (void)cpu;
    stub_calls++;
    return 0;
}

void sched_tick(struct thread *running)
{
    (void)running;
    stub_calls++;
}

void smp_serve_requests(void)
{
    stub_calls++;
}

void smp_shootdown(uint64_t root, uint32_t request)
{
    (void)root, (void)request;
    stub_calls++;
}

void thread_destroy(struct thread *t)
{
    (void)t;
    stub_calls++;
}

void thread_init(struct thread *t)
{
    (void)t;
    stub_calls++;
}

void thread_queue_append(struct thread_queue *q, struct thread *t)
{
    (void)q, (void)t;
    stub_calls++;
}

void thread_queue_remove(struct thread_queue *q, struct thread *t)
{
    (void)q, (void)t;
    stub_calls++;
}

void thread_set_affinity(struct thread *t, unsigned cpu)
{
    (void)t, (void)cpu;
    stub_calls++;
}

void thread_set_state(struct thread *t, enum thread_state state)
{
    (void)t, (void)state;
    stub_calls++;
}

void thread_stop(struct thread *t)
{
    (void)t;
    stub_calls++;
}

void thread_wake_with_error(struct thread *t, long error)
{
    (void)t, (void)error;
    stub_calls++;
}

uint64_t vm_kernel_root(void)
{
    stub_calls++;
    return 0;
}

uint64_t vm_nx_bit(void)
{
    stub_calls++;
    return 0;
}

void vm_share_kernel_half(void *pml4)
{
    (void)pml4;
    stub_calls++;
}
