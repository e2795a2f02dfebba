/*
 * Kernel command line options (documented in docs/boot.md):
 *   loglevel=error|warn|info|debug (or 0-3)  how much the kernel logs
 *   qemu-exit                                end QEMU through isa-debug-exit when
 *                                            boot completes or panics (tests)
 *   crash=page-fault|double-fault|divide|invalid-opcode|general-protection|breakpoint|
 *         write-text|execute-data|lock-twice fault on purpose after boot (tests)
 *   tick=HZ                                  timer ticks a second, 20-10000
 *                                            (default 1000)
 *   init=PATH                                the root task's program in the initrd
 *                                            (default bin/procsrv)
 *   -- ARG...                                everything after "--" is the root
 *                                            task's argv[1...]
 * Unknown or malformed options are ignored with a warning.
 */
#ifndef MISSIVE_OPTIONS_H
#define MISSIVE_OPTIONS_H

enum crash_kind {
    CRASH_NONE,
    CRASH_PAGE_FAULT,
    CRASH_DOUBLE_FAULT,
    CRASH_DIVIDE,
    CRASH_INVALID_OPCODE,
    CRASH_GENERAL_PROTECTION,
    CRASH_BREAKPOINT,
    CRASH_WRITE_TEXT,
    CRASH_EXECUTE_DATA,
    CRASH_LOCK_TWICE,
};

#define INIT_PATH_MAX 64

struct boot_options {
    enum crash_kind crash;
    char init[INIT_PATH_MAX]; /* NUL-terminated */
    const char *init_args;    /* the command line after "--", or "" */
};

/* Parses cmdline (may be NULL), applies loglevel and qemu-exit at once and
   returns the rest in *out. Warns about anything it does not understand. */
void options_parse(const char *cmdline, struct boot_options *out);

#endif
