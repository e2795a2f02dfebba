/*
 * guest: what the Linux sides of the comparisons (linuxbench, linuxdisk) share as /init of a
 * small initramfs under QEMU, or as plain programs on a host: the time stamp counter, the end
 * of the run (the machine powered off, a failure code through isa-debug-exit), the console on
 * fds 0-2, pinning to a CPU, and "# " lines that record the environment.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

/* The program's name, for its messages ("NAME: powering off", "NAME: what: error"): defined
 * by each program. */
extern const char guest_program[];

/* Returns the time stamp counter (guest instructions under QEMU's -icount shift=0), after all
 * earlier instructions finished (lfence keeps rdtsc from being hoisted above the measured
 * operation). */
static inline uint64_t guest_ticks(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Ends the program: as process 1 ends the machine, otherwise exits with code. A failure
 * (code != 0) is written to the isa-debug-exit port first, so that QEMU's exit status,
 * (code << 1) | 1, tells the host; success, or a machine without that device, powers off
 * (QEMU's status 0). Never returns. */
_Noreturn void guest_finish(int code);

/* Prints "PROGRAM: what: " and errno's text on stderr and finishes with code 1. */
_Noreturn void guest_die(const char *what);

/* Opens /dev/console (devtmpfs mounted on /dev) on fds 0-2; finishes with code 1 if it cannot.
 * For /init, which starts without them. */
void guest_open_console(void);

/* Pins the calling process to one CPU; dies if the CPU cannot be had. */
void guest_pin_to_cpu(int cpu);

/* Prints the first line of file dir/name as "# name: line" (nothing if it cannot be read). */
void guest_print_file(const char *dir, const char *name);

/* Prints the running kernel as "# kernel SYSNAME RELEASE VERSION". */
void guest_print_kernel(void);

#endif
