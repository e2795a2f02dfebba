/* smptest's suites and the helpers they share (main.c). */
#ifndef SMPTEST_H
#define SMPTEST_H

#include <stdint.h>

#include "libsys/libsys.h"

extern unsigned ncpus; /* boot_info.cpu_count */

void check(const char *what, long got, long want);
/* The counts so far, as the suite's last line: "smptest: NAME: N passed, N failed". */
int report(const char *suite);

long invoke(uint64_t slot, uint64_t label, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
            struct missive_msg *answer);
long cs(uint64_t label, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
/* count fresh empty slots; returns the first. */
uint64_t slots(uint64_t count);
/* Retypes count objects into fresh slots from a RAM Untyped; returns the first slot. */
uint64_t make(uint64_t type, uint64_t bits, uint64_t count);
/* Configures the thread in slot (root CSpace and VSpace, fault endpoint or 0), puts it on
   cpu and starts it at entry(arg) on a fresh stack. Returns an error or ERR_OK. */
long spawn(uint64_t slot, uint64_t priority, uint64_t fault_ep, unsigned cpu,
           void (*entry)(uint64_t), uint64_t arg);
/* Uptime in PIT ticks, and the CPU the caller runs on (DEBUG_CPU_STATS). */
uint64_t uptime(void);
/* Local timer ticks CPU cpu has spent running threads (DEBUG_CPU_STATS). */
uint64_t cpu_busy_ticks(unsigned cpu);
uint64_t my_cpu(void);
uint64_t tsc(void);
void yield(void);
/* Blocks the calling thread for good. */
_Noreturn void park(void);

int stress_suite(void);
int tlb_suite(void);
int fairness_suite(void);
int bad_input_suite(void);
int wake_suite(void);
int figures(void);

#endif
