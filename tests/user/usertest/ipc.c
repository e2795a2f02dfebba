/*
 * usertest ipc: a first look at the cost of a register-only call/reply
 * round trip between two threads of one address space, through the fast
 * path. Under QEMU's -icount shift=0 the TSC counts instructions, so the
 * figure is exact and repeatable. The full study (other address spaces,
 * message lengths, overhead subtraction, Linux beside it) is ipcbench's.
 */
#include <stdint.h>
#include <stdio.h>

#include "libsys/libsys.h"
#include "usertest.h"

#define ROUNDS   10000
#define S_UT_EP  2000
#define S_SERVER 2001

static _Alignas(16) uint8_t server_stack[4096];

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); /* GNU inline asm: C has no rdtsc */
    return ((uint64_t)hi << 32) | lo;
}

static void echo_server(void)
{
    struct missive_msg m = {0};
    missive_syscall(SYS_RECV, S_UT_EP, 0, &m);
    for (;;)
        missive_syscall(SYS_REPLY_RECV, S_UT_EP, MSG_TAG(0, 1, 0), &m);
}

int ipc_figures(void)
{
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    uint64_t ut = 0;
    for (uint64_t i = 0; i < boot->untyped_count && !ut; i++)
        if (!boot->untyped[i].device && boot->untyped[i].size_bits >= 16)
            ut = boot->untyped_first + i;
    uint64_t ep[4] = {CAP_ENDPOINT, 0, S_UT_EP, 1}, th[4] = {CAP_THREAD, 0, S_SERVER, 1};
    uint64_t conf[3] = {ROOT_SLOT_CSPACE, ROOT_SLOT_VSPACE, 255};
    uint64_t regs[5] = {(uint64_t)echo_server, (uint64_t)(server_stack + sizeof server_stack - 8)};
    if (!ut || sys_invoke(ut, UNTYPED_RETYPE, 4, ep, 0) ||
        sys_invoke(ut, UNTYPED_RETYPE, 4, th, 0) ||
        sys_invoke(S_SERVER, THREAD_CONFIGURE, 3, conf, 0) ||
        sys_invoke(S_SERVER, THREAD_WRITE_REGISTERS, 5, regs, 0) ||
        sys_invoke(S_SERVER, THREAD_RESUME, 0, 0, 0)) {
        printf("usertest: ipc: FAIL: set-up\n");
        return 1;
    }
    struct missive_msg m = {0};
    for (int i = 0; i < 100; i++) /* warm-up */
        missive_syscall(SYS_CALL, S_UT_EP, MSG_TAG(1, 1, 0), &m);
    uint64_t start = tsc();
    for (int i = 0; i < ROUNDS; i++)
        missive_syscall(SYS_CALL, S_UT_EP, MSG_TAG(1, 1, 0), &m);
    uint64_t cycles = tsc() - start;
    printf("usertest: ipc: %d call/reply_recv round trips, %llu TSC each (instructions under "
           "-icount shift=0)\n",
           ROUNDS, (unsigned long long)(cycles / ROUNDS));
    return 0;
}
