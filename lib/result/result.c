/*
 * The error model's constructors and its printing. See result.h.
 */
#include "result/result.h"

#include <stdio.h>

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

const char *result_kernel_error_name(long error)
{
    static const char *const names[] = {
        "ok",
        "invalid system call",
        "invalid slot",
        "empty slot",
        "wrong type",
        "missing right",
        "invalid label",
        "invalid argument",
        "slot occupied",
        "not enough memory",
        "not permitted",
        "no reply",
        "object deleted",
        "would block",
        "already mapped",
        "missing table",
        "not mapped",
        "interrupted",
    };
    if (error > 0 || -error >= (long)(sizeof names / sizeof names[0]))
        return "unknown error";
    return names[-error];
}

/* Writes a bound of a range: decimal while short, hexadecimal past 2^16 (addresses, masks). */
static int format_bound(char *out, size_t size, uint64_t value)
{
    if (value < 0x10000)
        return snprintf(out, size, "%llu", (unsigned long long)value);
    return snprintf(out, size, "0x%llx", (unsigned long long)value);
}

char *result_format(char *out, size_t size, const char *who, struct result r)
{
    if (size == 0)
        return out;
    size_t at = 0;
    int n = who ? snprintf(out, size, "%s: ", who) : 0;
    at = n > 0 ? (size_t)n : 0;
    if (at >= size)
        return out;
    bool bad_argument = (r.source == RESULT_KERNEL && r.code == ERR_INVALID_ARGUMENT) ||
                        (r.source == RESULT_SERVICE && r.code == SERVICE_BAD_ARGUMENT);
    if (r.source == RESULT_KERNEL) {
        n = snprintf(out + at, size - at, "kernel: ");
        at += n > 0 ? (size_t)n : 0;
        if (at >= size)
            return out;
    }
    if (bad_argument) {
        char min[24], max[24];
        format_bound(min, sizeof min, r.min);
        format_bound(max, sizeof max, r.max);
        if (r.argument >= SERVICE_ARGUMENT_CAP)
            snprintf(out + at, size - at, "bad capability %u", r.argument - SERVICE_ARGUMENT_CAP);
        else
            snprintf(out + at, size - at, "bad argument %u (allowed %s..%s)", r.argument, min, max);
    } else if (r.source == RESULT_KERNEL) {
        snprintf(out + at, size - at, "%s (error %ld)", result_kernel_error_name(r.code), r.code);
    } else {
        snprintf(out + at, size - at, "%s",
                 r.source == RESULT_OK ? "ok" : service_error_name((unsigned long)r.code));
    }
    return out;
}
