/* smptest's suites and the helpers they share (main.c; the test library's in
   tests/user/lib/testlib.h). */
#ifndef SMPTEST_H
#define SMPTEST_H

#include <stdint.h>

#include "testlib.h"

extern unsigned ncpus; /* boot_info.cpu_count */

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
