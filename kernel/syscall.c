/*
 * System call dispatch: the first, provisional calls of lib/missive/abi.h.
 * Each call decodes and checks its arguments, then acts; an error is a
 * negative return value, never a fault in the kernel.
 */
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/vm.h"
#include "log.h"
#include "missive/abi.h"
#include "sched.h"
#include "thread.h"

#define DEBUG_WRITE_MAX 4096

/* Copies the caller's buffer through the direct map in chunks and prints it. */
static long sys_debug_write(struct thread *t, uint64_t buf, uint64_t len)
{
    if (len > DEBUG_WRITE_MAX)
        return ERR_INVALID_ARGUMENT;
    if (buf >= USER_SPACE_END || len > USER_SPACE_END - buf)
        return ERR_BAD_ADDRESS;
    char chunk[256];
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        if (!vm_copy_from_user(t->address_space, chunk, buf + done, n))
            return done ? (long)done : ERR_BAD_ADDRESS;
        kprintf("%.*s", (int)n, chunk);
        done += n;
    }
    return (long)len;
}

static long sys_exit(struct thread *t, uint64_t status)
{
    kprintf("thread '%s' exited with status %ld (uptime %lu ticks)\n", t->name, (long)status,
            sched_ticks);
    thread_set_state(t, THREAD_EXITED);
    return 0;
}

static long sys_set_tls_base(struct thread *t, uint64_t base)
{
    if (base >= USER_SPACE_END)
        return ERR_INVALID_ARGUMENT;
    t->fs_base = base;
    return 0;
}

/* Entered from entry.asm with the caller's saved context; the result goes
   into its RAX. Interrupts off. */
void syscall_dispatch(struct trap_frame *context)
{
    struct thread *t = this_cpu()->current;
    long result;
    switch (context->rax) {
    case SYS_DEBUG_WRITE:
        result = sys_debug_write(t, context->rdi, context->rsi);
        break;
    case SYS_EXIT:
        result = sys_exit(t, context->rdi);
        break;
    case SYS_SET_TLS_BASE:
        result = sys_set_tls_base(t, context->rdi);
        break;
    case SYS_YIELD:
        sched_yield(t);
        result = 0;
        break;
    default:
        result = ERR_INVALID_SYSCALL;
        break;
    }
    context->rax = (uint64_t)result;
}
