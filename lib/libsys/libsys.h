/*
 * libsys: the user-space side of the Missive ABI (lib/missive/abi.h): the
 * system-call stub, invocation helpers, and the start-up hooks.
 */
#ifndef MISSIVE_LIBSYS_H
#define MISSIVE_LIBSYS_H

#include <stdint.h>

#include "missive/abi.h"
#include "missive/caps.h"

/* A message: in, the tag and MR0-MR9 to send; out, the badge, tag and
   message registers received. */
struct missive_msg {
    uint64_t badge;
    uint64_t tag;
    uint64_t mr[MSG_REGISTERS];
};

/* The raw system call (syscall.asm). Returns 0 or a negative error. */
long missive_syscall(long number, uint64_t slot, uint64_t tag, struct missive_msg *msg);

/* Which argument a kernel invocation refused with ERR_INVALID_ARGUMENT, and
   the range it allows (MR0-MR2 of that answer; docs/abi.md, section 8). */
struct missive_bad_argument {
    uint64_t argument; /* the index enum of the description: <LABEL>_ARG_<NAME> */
    uint64_t min, max;
};

/* The last ERR_INVALID_ARGUMENT answer invoke_call got in this program. One
   per program, not per thread (helper threads may have no thread-local
   storage): read it in the thread that got the error, before that thread
   or another invokes again. For tests and diagnostics. */
extern struct missive_bad_argument invoke_last_bad_argument;

/* Invokes the capability in slot with label and the first length words of
   msg->mr (SYS_CALL, MSG_TAG(label, length, 0)); msg gets the answer's
   registers. Returns the kernel's result; on ERR_INVALID_ARGUMENT also
   fills invoke_last_bad_argument. What the typed stubs of libsys/invoke.h
   (one per invocation, generated) are made of. */
long invoke_call(uint64_t slot, uint64_t label, unsigned length, struct missive_msg *msg);

/* Names the thread in slot (THREAD_SET_NAME): its first 15 bytes, which
   must be printable ASCII. Returns the kernel's answer. */
long sys_thread_set_name(uint64_t thread_slot, const char *name);

/* The slots of this thread's own capabilities that libsys uses: its thread
   (for the TLS base) and the debug console. The root task's by default. */
extern uint64_t libsys_thread_slot;
extern uint64_t libsys_debug_slot;

/* Sets this thread's thread pointer (the FS base) to tp. */
void libsys_set_thread_pointer(void *tp);

/* Writes message to the console and ends the program. */
_Noreturn void libsys_abort(const char *message);

#endif
