/* Threads: entering user mode and idling. See thread.h. */
#include "thread.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/vm.h"
#include "log.h"
#include "missive/abi.h"

#define MSR_FS_BASE 0xc0000100u
#define RFLAGS_IF   (1ul << 9)

_Noreturn void context_restore(struct trap_frame *context);

void thread_set_current(struct thread *t)
{
    this_cpu()->current = t;
}

/* Nothing to run: with qemu-exit (tests) end QEMU as after a normal boot,
   else halt until an interrupt brings work. */
static _Noreturn void idle(void)
{
    kprintf("kernel: no runnable threads; idle\n");
    machine_stop(EXIT_CODE_BOOT_OK);
}

_Noreturn void kernel_return_to_user(void)
{
    struct cpu_local *cpu = this_cpu();
    struct thread *t = cpu->current;
    if (!t || t->state != THREAD_RUNNABLE)
        idle();

    /* Every way into a context (syscall, trap, register writes later) can
       leave only user addresses here; checking again is cheap insurance
       against returning to ring 3 with a kernel or non-canonical RIP, which
       sysret and iretq would fault on in ring 0. */
    if (t->context.rip >= USER_END || t->context.rsp >= USER_SPACE_END) {
        log_error("thread '%s': bad user rip 0x%lx or rsp 0x%lx; suspended\n", t->name,
                  t->context.rip, t->context.rsp);
        t->state = THREAD_SUSPENDED;
        idle();
    }
    t->context.rflags = (t->context.rflags & 0xcd5) | RFLAGS_IF | 2; /* status flags only */
    if (read_cr3() != t->address_space)
        write_cr3(t->address_space);
    wrmsr(MSR_FS_BASE, t->fs_base);
    cpu->context_end = (uint64_t)(&t->context + 1);
    gdt_set_user_trap_stack(cpu->context_end);
    context_restore(&t->context);
}
