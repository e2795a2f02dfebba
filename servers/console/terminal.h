/*
 * The console's second output: a terminal window on the compositor (docs/terminal.md). The
 * console's own thread feeds program output to the terminal emulator (lib/vt) and takes the
 * keys typed into the window; a helper thread of the console is the compositor's client: it
 * draws what changed, commits it, and turns the window's key events into terminal bytes.
 *
 * Why a second thread: the console must never wait for the compositor, since the compositor
 * writes to the console (its start-up lines, after every restart): a console blocked in a
 * call to a compositor that is blocked in a write to the console would hang both. So the
 * console's thread only touches memory and signals notifications; all the calls to the
 * compositor are the helper's.
 */
#ifndef CONSOLE_TERMINAL_H
#define CONSOLE_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring.h"

/* The notification word bit by which the helper wakes the console's thread: typed input is
   waiting (terminal_take_input). */
#define TERMINAL_INPUT_BIT 2

/* Loads the font (the initrd's etc/font.psf), sets the terminal up and starts the helper
   thread, which connects to the compositor once it is there. notification: the console
   thread's bound notification (the helper signals it with TERMINAL_INPUT_BIT). Returns NULL,
   or what failed (the console then goes on with COM1 alone). Called once, before the console
   serves (it reads a file from procsrv with long messages: the helper does not run yet). */
const char *terminal_start(uint64_t notification);

/* Whether terminal_start succeeded. */
bool terminal_running(void);

/* Program output: into the terminal emulator; the helper is told to draw it. */
void terminal_output(const void *bytes, size_t n);

/* Moves the bytes typed into the window since the last call into input (what does not fit
   stays for later); returns how many. */
size_t terminal_take_input(struct ring *input);

#endif
