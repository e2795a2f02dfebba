/*
 * The checking and invocation helpers every usertest suite shares.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "libsys/libsys.h"
#include "usertest.h"

int checks, failures;

void check(const char *what, long got, long want)
{
    checks++;
    if (got != want) {
        failures++;
        printf("usertest: FAIL %s: got %ld, want %ld\n", what, got, want);
    }
}

long invoke(uint64_t slot, uint64_t label, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
            struct missive_msg *answer)
{
    uint64_t args[4] = {a0, a1, a2, a3};
    return sys_invoke(slot, label, 4, args, answer);
}

long retype(uint64_t untyped, uint64_t type, uint64_t bits, uint64_t dest, uint64_t count)
{
    return invoke(untyped, UNTYPED_RETYPE, type, bits, dest, count, 0);
}

long cs(uint64_t label, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return invoke(ROOT_SLOT_CSPACE, label, a0, a1, a2, a3, 0);
}

long sys(long number, uint64_t slot, struct missive_msg *msg)
{
    return missive_syscall(number, slot, msg->tag, msg);
}

/* Checks an ERR_INVALID_ARGUMENT answer: which argument, which range. */
void check_bad_argument(const char *what, long r, const struct missive_msg *m, uint64_t argument,
                        uint64_t min, uint64_t max)
{
    check(what, r, ERR_INVALID_ARGUMENT);
    check(what, (long)m->mr[0], (long)argument);
    check(what, (long)m->mr[1], (long)min);
    check(what, (long)m->mr[2], (long)max);
}

/* Finds the first Untyped of at least 2^bits bytes among the boot ones. */
const struct boot_info *const boot = (const struct boot_info *)USER_BOOT_INFO;

/* Finds the first RAM Untyped of at least 2^bits bytes the kernel gave us. */
uint64_t find_untyped(unsigned bits, bool device)
{
    for (uint64_t i = 0; i < boot->untyped_count; i++)
        if (boot->untyped[i].size_bits >= bits && boot->untyped[i].device == device)
            return boot->untyped_first + i;
    return 0;
}

long start_thread(uint64_t slot, uint64_t cspace, uint64_t priority, void (*entry)(void),
                  void *stack_top, uint64_t arg)
{
    long r = invoke(slot, THREAD_CONFIGURE, cspace, ROOT_SLOT_VSPACE, priority, 0, 0);
    if (r != ERR_OK)
        return r;
    uint64_t regs[5] = {(uint64_t)entry, (uint64_t)stack_top - 8, arg, 0, 0};
    r = sys_invoke(slot, THREAD_WRITE_REGISTERS, 5, regs, 0);
    return r != ERR_OK ? r : invoke(slot, THREAD_RESUME, 0, 0, 0, 0, 0);
}
