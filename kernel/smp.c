/*
 * Requests between CPUs; see smp.h. The requester sets bits in the target's cpu_local.requests,
 * sends IPI_VECTOR and spins (with pause) until the target has cleared them. The target serves them
 * in its IPI handler, or earlier if it is spinning for the kernel lock. Because only the lock
 * holder asks, one request at a time is in flight per target.
 */
#include "smp.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/vm.h"
#include "lock.h"
#include "thread.h"

uint64_t smp_ipis_sent;

void smp_serve_requests(void)
{
    struct cpu_local *cpu = this_cpu();
    uint32_t requests = __atomic_load_n(&cpu->requests, __ATOMIC_ACQUIRE);
    if (!requests)
        return;
    uint64_t root = cpu->request_root;
    /* The non-global TLB entries and the paging-structure caches go with a
       CR3 load; one full flush is cheaper than deciding what to invlpg. */
    if ((requests & SMP_REQUEST_TLB) && cpu->loaded_root == root)
        write_cr3(root);
    if ((requests & SMP_REQUEST_UNLOAD) && cpu->loaded_root == root) {
        cpu->loaded_root = vm_kernel_root();
        write_cr3(cpu->loaded_root);
    }
    if (requests & SMP_REQUEST_FPU)
        thread_fpu_release(cpu);
    __atomic_store_n(&cpu->requests, 0, __ATOMIC_RELEASE);
}

/* Sends the request to every CPU in mask and waits until all have done it. */
static void request(uint32_t mask, uint32_t requests, uint64_t root)
{
    KERNEL_LOCK_ASSERT_HELD();
    for (unsigned i = 0; i < cpu_count; i++) {
        if (!(mask & (1u << i)))
            continue;
        cpus[i].request_root = root;
        __atomic_store_n(&cpus[i].requests, requests, __ATOMIC_RELEASE);
        smp_kick(i);
    }
    for (unsigned i = 0; i < cpu_count; i++)
        while ((mask & (1u << i)) && __atomic_load_n(&cpus[i].requests, __ATOMIC_ACQUIRE))
            cpu_pause();
}

void smp_shootdown(uint64_t root, uint32_t what)
{
    uint32_t mask = 0;
    unsigned me = this_cpu()->id;
    for (unsigned i = 0; i < cpu_count; i++)
        if (i != me && cpus[i].loaded_root == root)
            mask |= 1u << i;
    if (mask)
        request(mask, what, root);
}

void smp_evict(struct thread *t)
{
    struct cpu_local *me = this_cpu();
    if (me->fpu_owner == t)
        thread_fpu_release(me);
    for (unsigned i = 0; i < cpu_count; i++) {
        struct cpu_local *cpu = &cpus[i];
        if (cpu == me || (cpu->current != t && cpu->fpu_owner != t))
            continue;
        /* Once it has answered, the CPU is out of user mode (it answers only
           in the kernel) and t's registers and FPU state are in t. */
        request(1u << i, SMP_REQUEST_FPU, 0);
        if (cpu->current == t) {
            cpu->current = 0; /* its entry code sees this and handles nothing for t */
            if (t->context.vector == TRAP_VECTOR_SYSCALL) {
                t->context.rip -= 2; /* re-execute the syscall instruction, by iretq */
                t->context.vector = 0;
            }
        }
    }
}

void smp_kick(unsigned cpu)
{
    lapic_send(cpus[cpu].apic_id, LAPIC_ICR_FIXED | IPI_VECTOR);
    smp_ipis_sent++;
}

unsigned smp_next_cpu(void)
{
    static unsigned next;
    unsigned cpu = next;
    next = (next + 1) % cpu_count;
    return cpu;
}
