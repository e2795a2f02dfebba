/* usertest's suites, one file each, and the helpers they share (helpers.c). */
#ifndef USERTEST_H
#define USERTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "libsys/libsys.h"

int caps_suite(void);
int transfer_suite(void);
int ipc_figures(void);
int trace_suite(void);
int preempt_figures(void);

/* Counts a check; prints a line if got differs from want. */
extern int checks, failures;
void check(const char *what, long got, long want);
/* Checks an ERR_INVALID_ARGUMENT answer: which argument, which range. */
void check_bad_argument(const char *what, long r, const struct missive_msg *m, uint64_t argument,
                        uint64_t min, uint64_t max);
/* Invokes slot with label and four arguments. */
long invoke(uint64_t slot, uint64_t label, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
            struct missive_msg *answer);
long retype(uint64_t untyped, uint64_t type, uint64_t bits, uint64_t dest, uint64_t count);
/* Invokes the root CSpace. */
long cs(uint64_t label, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
long sys(long number, uint64_t slot, struct missive_msg *msg);
/* The first boot Untyped (RAM or device) of at least 2^bits bytes, 0 if none. */
extern const struct boot_info *const boot;
uint64_t find_untyped(unsigned bits, bool device);
/* Configures thread slot in cspace and the root VSpace, starts entry(arg) on stack_top. */
long start_thread(uint64_t slot, uint64_t cspace, uint64_t priority, void (*entry)(void),
                  void *stack_top, uint64_t arg);

#endif
