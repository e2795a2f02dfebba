/*
 * libsys: the user-space side of the Missive ABI. For now the start-up code
 * and the two hooks the platform must supply; the system call stubs join
 * them with the capability kernel (docs/abi.md).
 */
#ifndef MISSIVE_LIBSYS_H
#define MISSIVE_LIBSYS_H

/* Sets this thread's thread pointer (the FS base) to tp. */
void libsys_set_thread_pointer(void *tp);

/* Writes message to the console and ends the program. */
_Noreturn void libsys_abort(const char *message);

#endif
