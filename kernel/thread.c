/* Threads: entering user mode and idling. See thread.h. */
#include "thread.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/vm.h"
#include "log.h"
#include "missive/abi.h"
#include "sched.h"

#define MSR_FS_BASE 0xc0000100u
#define RFLAGS_IF   (1ul << 9)

_Noreturn void context_restore(struct trap_frame *context);

void thread_set_state(struct thread *t, enum thread_state state)
{
    t->state = state;
    if (state == THREAD_RUNNABLE && !t->queued) {
        t->timeslice = TIMESLICE_TICKS;
        sched_enqueue(t);
    } else if (state != THREAD_RUNNABLE) {
        sched_dequeue(t);
    }
}

/* Waits, interrupts on, until an interrupt makes a thread runnable. With
   qemu-exit (tests), a system where nothing can run and nothing waits for an
   interrupt is finished: end QEMU as after a normal boot. */
static void idle(void)
{
    this_cpu()->current = 0;
    if (!sched_pick() && qemu_exit_enabled) {
        kprintf("kernel: no runnable threads; idle\n");
        machine_stop(EXIT_CODE_BOOT_OK);
    }
    while (!sched_pick())
        cpu_idle_until_interrupt();
}

_Noreturn void kernel_return_to_user(void)
{
    struct cpu_local *cpu = this_cpu();
    struct thread *t;
    for (;;) {
        t = sched_pick();
        if (!t) {
            idle();
            continue;
        }
        /* Every way into a context (syscall, trap, register writes) can leave
           only user addresses here; checking again is cheap insurance against
           returning to ring 3 with a kernel or non-canonical RIP, which sysret
           and iretq would fault on in ring 0. */
        if (t->context.rip < USER_END && t->context.rsp < USER_SPACE_END)
            break;
        log_error("thread '%s': bad user rip 0x%lx or rsp 0x%lx; suspended\n", t->name,
                  t->context.rip, t->context.rsp);
        thread_set_state(t, THREAD_SUSPENDED);
    }
    cpu->current = t;
    t->context.rflags = (t->context.rflags & 0xcd5) | RFLAGS_IF | 2; /* status flags only */
    if (read_cr3() != t->address_space)
        write_cr3(t->address_space);
    wrmsr(MSR_FS_BASE, t->fs_base);
    cpu->context_end = (uint64_t)(&t->context + 1);
    gdt_set_user_trap_stack(cpu->context_end);
    context_restore(&t->context);
}
