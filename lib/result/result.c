/*
 * The error model's constructors. See result.h. Printing is result_format.c, apart so that
 * programs that never print one (the console) do not link snprintf.
 */
#include "result/result.h"

struct result result_from_kernel(long error, const uint64_t *answer)
{
    if (error == ERR_OK)
        return result_ok();
    struct result r = {RESULT_KERNEL, error, 0, 0, 0};
    if (error == ERR_INVALID_ARGUMENT && answer) {
        r.argument = (unsigned)answer[0];
        r.min = answer[1];
        r.max = answer[2];
    }
    return r;
}

struct result result_from_reply(long kernel_error, uint64_t status, const uint64_t *answer)
{
    if (kernel_error != ERR_OK)
        return result_from_kernel(kernel_error, 0);
    if (status == SERVICE_OK)
        return result_ok();
    struct result r = {RESULT_SERVICE, (long)status, 0, 0, 0};
    if (status == SERVICE_BAD_ARGUMENT && answer) {
        r.argument = (unsigned)answer[0];
        r.min = answer[1];
        r.max = answer[2];
    }
    return r;
}

struct result result_bad_argument(unsigned argument, uint64_t min, uint64_t max)
{
    return (struct result){RESULT_SERVICE, SERVICE_BAD_ARGUMENT, argument, min, max};
}
