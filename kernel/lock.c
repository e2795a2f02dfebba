/* The big kernel lock; see lock.h. */
#include "lock.h"

#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "log.h"
#include "smp.h"

struct kernel_lock_word kernel_lock_word = {0, ~0u}; /* no owner */

void kernel_lock_wait(void)
{
    do {
        do {
            smp_serve_requests(); /* the holder may be waiting for this CPU */
            cpu_pause();          /* under icount, also hands the turn to the holder */
        } while (__atomic_load_n(&kernel_lock_word.held, __ATOMIC_RELAXED));
    } while (__atomic_exchange_n(&kernel_lock_word.held, 1, __ATOMIC_ACQUIRE));
}

#ifdef MISSIVE_DEBUG
void kernel_lock_check_take(void)
{
    if (kernel_lock_word.owner == this_cpu()->id)
        panic("lock: CPU %u takes the kernel lock it already holds", this_cpu()->id);
}

void kernel_lock_check_release(void)
{
    if (kernel_lock_word.owner != this_cpu()->id)
        panic("lock: CPU %u releases the kernel lock held by %u", this_cpu()->id,
              kernel_lock_word.owner);
}

void kernel_lock_assert_held(const char *function)
{
    if (kernel_lock_word.owner != this_cpu()->id)
        panic("lock: %s runs on CPU %u without the kernel lock", function, this_cpu()->id);
}
#endif
