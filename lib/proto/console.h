/*
 * The console server's protocol: text out and in on COM1, and key input
 * from the keyboard server. docs/protocols.md.
 */
#ifndef MISSIVE_PROTO_CONSOLE_H
#define MISSIVE_PROTO_CONSOLE_H

#include "proto/service.h"

#define CONSOLE_MAX_BYTES (8 * (64 - 1)) /* bytes one request carries (MR1-MR63) */

enum console_label {
    CONSOLE_WRITE = 1, /* MR0 n, n bytes from MR1 on -> MR0 n */
    /* MR0 at most n bytes -> MR0 count (at least 1), the bytes from MR1 on. Waits for input;
       one reader at a time (the focused client), another gets SERVICE_BUSY. Input is raw:
       no echo, no line editing (the shell does those). */
    CONSOLE_READ = 2,
    /* keyboard server only: MR0 n, n bytes from MR1 on, as a terminal would send them
       (ESC [ A for the up arrow, ...): queued as input */
    CONSOLE_INPUT = 3,
};

#endif
