/*
 * The helper library every in-system test program links (tests/user/lib,
 * built into libtest.a, so a program gets only the parts it uses):
 *
 * check.c   the checks and the count line. A check prints nothing unless it
 *           fails ("PROGRAM: FAIL what: got G, want W"); a suite ends with
 *           "PROGRAM: SUITE: N passed, M failed", the line the system-test
 *           harness matches (tests/system/cases.py).
 * setup.c   what the root-task tests set up again and again: finding an
 *           Untyped, fresh slots, objects retyped into them, a thread
 *           started at a function.
 *
 * The tests invoke kernel objects through libsys's typed stubs
 * (libsys/invoke.h), which this header includes.
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libsys/invoke.h"
#include "libsys/libsys.h"
#include "result/result.h"

/* --- check.c ------------------------------------------------------------------ */

/* Names the program in every line the checks print; call it first. */
void check_init(const char *program);

/* Counts a check; prints a line if got differs from want. */
void check(const char *what, long got, long want);

/* The same for two strings (compared with strcmp). */
void check_string(const char *what, const char *got, const char *want);

/* Checks that r, an invocation's result, is ERR_INVALID_ARGUMENT, and that
   the answer (invoke_last_bad_argument, libsys/libsys.h) names argument
   (an index enum of libsys/invoke.h, <LABEL>_ARG_<NAME>) and the range min
   to max. Four checks. */
void check_bad_argument(const char *what, long r, uint64_t argument, uint64_t min, uint64_t max);

/* Checks that got, a libsys client call's result (lib/result), is success
   (want SERVICE_OK) or the server status want. */
void check_status(const char *what, struct result got, enum service_error want);
/* Checks that got is a server's bad-argument answer naming argument (its
   index; SERVICE_ARGUMENT_CAP + i for the i-th capability sent). */
void check_result_bad_argument(const char *what, struct result got, unsigned argument);
/* The same, and that the allowed range it names is min to max. */
void check_result_bad_range(const char *what, struct result got, unsigned argument, uint64_t min,
                            uint64_t max);
/* Counts a failed check that has no got and want: prints "PROGRAM: FAIL: "
   and what (a printf format with its arguments). */
void check_fail(const char *format, ...);

/* The failures counted so far. */
int check_failures(void);

/* Prints the count line, "PROGRAM: SUITE: N passed, M failed" (without
   "SUITE: " if suite is NULL), and returns the number failed. */
int check_report(const char *suite);

/* --- setup.c ------------------------------------------------------------------ */

/* The root task's boot information (USER_BOOT_INFO). */
extern const struct boot_info *const setup_boot;

/* The first boot Untyped (RAM, or device memory if device) of at least
   2^bits bytes; 0 if there is none. */
uint64_t setup_find_untyped(unsigned bits, bool device);

/* The root CSpace's slots: 1 to SETUP_ROOT_SLOTS - 1 (slot 0 is never
   valid). setup_slots hands them out from SETUP_FIRST_SLOT up; the suites'
   own fixed slot numbers lie below. */
#define SETUP_ROOT_SLOTS (1ul << ROOT_CSPACE_BITS)
#define SETUP_FIRST_SLOT 3072

/* count fresh empty slots of the root CSpace; returns the first. */
uint64_t setup_slots(uint64_t count);

/* Retypes count objects of type and size_bits into fresh slots, from the
   first RAM Untyped that has room; returns the first slot. If none has, a
   failed check says so (the slots stay empty). */
uint64_t setup_objects(uint64_t type, uint64_t size_bits, uint64_t count);

/* How setup_thread_start starts a thread. Zero fields mean: the root
   task's CSpace, no fault endpoint, any CPU, a fresh stack. The VSpace is
   always the root task's. */
struct setup_thread {
    uint64_t cspace;
    uint64_t priority;
    uint64_t fault_endpoint;
    bool pinned; /* true: it runs on cpu only */
    unsigned cpu;
    void *stack_top; /* 16-byte aligned */
};

/* Configures the (unconfigured) thread in slot as how says and starts it
   at entry(arg). Returns ERR_OK or the first error; ERR_NOT_ENOUGH_MEMORY
   if a fresh stack was wanted and none is left (SETUP_STACKS of
   SETUP_STACK_BYTES). */
#define SETUP_STACKS      64
#define SETUP_STACK_BYTES 4096
long setup_thread_start(uint64_t slot, struct setup_thread how, void (*entry)(uint64_t),
                        uint64_t arg);

/* Register reg of the CMOS real-time clock, read and written through ports,
   an I/O port capability for 0x70-0x71 (NMIs stay as reg's bit 7 says). The
   RTC's periodic interrupt (IRQ 8) is the device interrupt tests can make. */
uint64_t setup_rtc_read(uint64_t ports, uint64_t reg);
void setup_rtc_write(uint64_t ports, uint64_t reg, uint64_t value);
/* Maps frame read-write at address in the root VSpace, retyping page tables from ut into
   slots table_first.. (up to three) as they are missing: ERR_OK or the first error. */
long setup_map_with_tables(uint64_t frame, uint64_t address, uint64_t ut, uint64_t table_first);
/* The system call number on slot with msg's tag and registers. */
long sys(long number, uint64_t slot, struct missive_msg *msg);

#endif
