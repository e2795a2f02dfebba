/*
 * usertest: misbehaves on request, to prove that nothing a user program does
 * can crash or corrupt the kernel. Run as the root task from the test initrd:
 *   CMDLINE="qemu-exit init=bin/usertest -- MODE"
 * Fault modes end in a fault the kernel must report and survive; "caps"
 * runs the capability and IPC suite (caps.c); "spin" checks that timer
 * interrupts preserve every register; "preempt" measures the interrupt
 * latency during a long revoke and reaping (preempt.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "usertest.h"

/* Eight xorshift generators kept in registers across many timer interrupts,
   run twice: a register lost or corrupted by an interrupt's save and restore
   makes the two runs disagree. */
static uint64_t spin_round(uint64_t rounds)
{
    uint64_t s[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    for (uint64_t i = 0; i < rounds; i++) {
        for (int j = 0; j < 8; j++) {
            s[j] ^= s[j] << 13;
            s[j] ^= s[j] >> 7;
            s[j] ^= s[j] << 17;
        }
    }
    return s[0] ^ s[1] ^ s[2] ^ s[3] ^ s[4] ^ s[5] ^ s[6] ^ s[7];
}

static int spin(void)
{
    uint64_t a = spin_round(3000000), b = spin_round(3000000);
    printf("usertest: spin %s (0x%016llx)\n", a == b ? "consistent" : "CORRUPTED",
           (unsigned long long)a);
    return a != b;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    printf("usertest: mode '%s'\n", mode);
    check_init("usertest");
    volatile int zero = 0, one = 1; /* volatile: keeps the compiler from folding faults away */
    if (!strcmp(mode, "caps"))
        return caps_suite();
    if (!strcmp(mode, "transfer"))
        return transfer_suite();
    if (!strcmp(mode, "ipcbuf"))
        return ipcbuf_suite();
    if (!strcmp(mode, "trace"))
        return trace_suite();
    if (!strcmp(mode, "ipc"))
        return ipc_figures();
    if (!strcmp(mode, "slowpath"))
        return slowpath_loop();
    if (!strcmp(mode, "preempt"))
        return preempt_figures();
    if (!strcmp(mode, "spin"))
        return spin();
    if (!strcmp(mode, "null-write"))
        *(volatile int *)(uintptr_t)zero = 1;
    else if (!strcmp(mode, "divide"))
        zero = one / zero;
    else if (!strcmp(mode, "invalid-opcode"))
        __builtin_trap(); /* ud2 */
    else if (!strcmp(mode, "breakpoint"))
        __asm__ volatile("int3"); /* GNU inline asm: C has no breakpoint */
    else if (!strcmp(mode, "general-protection"))
        zero = *(volatile int *)0x8000000000000000ul;
    else if (!strcmp(mode, "kernel-read"))
        zero = *(volatile int *)0xffffffff80100000ul;
    else if (!strcmp(mode, "write-text"))
        *(volatile char *)(uintptr_t)main = 0;
    else if (!strcmp(mode, "execute-stack")) {
        volatile unsigned char code[1] = {0xc3}; /* ret, on the non-executable stack */
        ((void (*)(void))(uintptr_t)code)();
    } else if (!strcmp(mode, "privileged"))
        __asm__ volatile("cli"); /* GNU inline asm: ring 0 only, so #GP */
    else {
        printf("usertest: unknown mode '%s'\n", mode);
        return 2;
    }
    printf("usertest: FAIL: mode '%s' did not fault\n", mode);
    return 1;
}
