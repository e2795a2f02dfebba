/*
 * The one function the typed invocation stubs (libsys/invoke.h, generated
 * from lib/missive/invocations.txt) call: a SYS_CALL on a kernel object.
 */
#include "libsys/libsys.h"

struct missive_bad_argument invoke_last_bad_argument;

long invoke_call(uint64_t slot, uint64_t label, unsigned length, struct missive_msg *msg)
{
    long result = missive_syscall(SYS_CALL, slot, MSG_TAG(label, length, 0), msg);
    if (result == ERR_INVALID_ARGUMENT) {
        invoke_last_bad_argument.argument = msg->mr[0];
        invoke_last_bad_argument.min = msg->mr[1];
        invoke_last_bad_argument.max = msg->mr[2];
    }
    return result;
}
