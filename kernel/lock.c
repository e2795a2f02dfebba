/* The big kernel lock; see lock.h. */
#include "lock.h"

#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "log.h"
#include "smp.h"

#define NO_OWNER 0xffffffffu

static struct {
    volatile uint32_t held;
    volatile uint32_t owner; /* the holder's CPU index, or NO_OWNER */
} kernel_lock_word = {0, NO_OWNER};

void kernel_lock(void)
{
    unsigned me = this_cpu()->id;
#ifdef MISSIVE_DEBUG
    if (kernel_lock_word.owner == me)
        panic("lock: CPU %u takes the kernel lock it already holds", me);
#endif
    while (__atomic_exchange_n(&kernel_lock_word.held, 1, __ATOMIC_ACQUIRE)) {
        do {
            smp_serve_requests(); /* the holder may be waiting for this CPU */
            cpu_pause();          /* under icount, also hands the turn to the holder */
        } while (__atomic_load_n(&kernel_lock_word.held, __ATOMIC_RELAXED));
    }
    kernel_lock_word.owner = me;
}

void kernel_unlock(void)
{
#ifdef MISSIVE_DEBUG
    if (kernel_lock_word.owner != this_cpu()->id)
        panic("lock: CPU %u releases the kernel lock held by %u", this_cpu()->id,
              kernel_lock_word.owner);
#endif
    kernel_lock_word.owner = NO_OWNER;
    __atomic_store_n(&kernel_lock_word.held, 0, __ATOMIC_RELEASE);
}

bool kernel_lock_held(void)
{
    return kernel_lock_word.owner == this_cpu()->id;
}

#ifdef MISSIVE_DEBUG
void kernel_lock_assert_held(const char *function)
{
    if (!kernel_lock_held())
        panic("lock: %s runs on CPU %u without the kernel lock", function, this_cpu()->id);
}
#endif
