/*
 * A watchdog thread for a driver's time-outs (servers/ahci, servers/nvme). The kernel's receives
 * have no time-out, so a driver's one service thread, waiting for requests, doorbells and
 * interrupts, cannot also wait for time: this second thread sleeps (PROC_SLEEP) period_ms each time
 * the driver arms it, then signals the driver's notification (a badged copy:
 * block_server_driver_notification). The driver arms it only while something is in flight, so an
 * idle driver is not woken at all.
 *
 * The thread shares the process's IPC buffer with the main thread. It only makes register-only
 * system calls (no capabilities, no words past MR9), so it never reads or writes that buffer,
 * and it touches no thread-local storage (no C library calls). One watchdog per process.
 */
#ifndef MISSIVE_LIBSYS_WATCHDOG_H
#define MISSIVE_LIBSYS_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

/* Starts the thread (named name) that signals tick period_ms after each libsys_watchdog_arm.
   Returns NULL, or why it could not. */
const char *libsys_watchdog_start(uint64_t tick, uint32_t period_ms, const char *name);
/* Makes the thread's objects (memory from memsrv) ahead of libsys_watchdog_start, which then
   only configures and starts it: for a driver that prepares before it takes its device over,
   at a priority below the thread's (a swap's new instance, docs/processes.md). Returns
   whether they were made (if not, libsys_watchdog_start tries again). */
bool libsys_watchdog_prepare(void);
/* Asks for one tick (nothing if one is coming already). Service thread only. */
void libsys_watchdog_arm(void);
/* The tick came: the next libsys_watchdog_arm asks for another. */
void libsys_watchdog_fired(void);

#endif
