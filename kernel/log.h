/*
 * The kernel log: formatted output to the serial console, filtered by a level
 * set from the command line (loglevel=error|warn|info|debug), and panic().
 */
#ifndef MISSIVE_LOG_H
#define MISSIVE_LOG_H

#include <stdarg.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern enum log_level log_threshold;

/* Prints unconditionally. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints if level is at or below the threshold, with "error: "/"warning: "
   prefixes for the two serious levels. */
void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) klog(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define log_info(...)  klog(LOG_INFO, __VA_ARGS__)

/* Prints "KERNEL PANIC: <message>", a backtrace and halts this CPU forever
   (or ends QEMU when the qemu-exit option is on). */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the frame-pointer chain starting at rbp. */
void log_backtrace(unsigned long rbp);

/* Stops the machine: with qemu-exit, ends QEMU with status (code << 1) | 1
   through isa-debug-exit; otherwise halts forever. */
_Noreturn void machine_stop(unsigned code);

#define EXIT_CODE_BOOT_OK 0x10 /* QEMU status 33 */
#define EXIT_CODE_PANIC   0x11 /* QEMU status 35 */

extern int qemu_exit_enabled;

#endif
