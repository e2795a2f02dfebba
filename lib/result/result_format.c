/*
 * Printing the error model's results. See result.h.
 */
#include "result/result.h"

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

/* Text appended to a buffer of size bytes, cut to fit and always NUL-terminated; written by
   hand rather than with snprintf so that a program printing no other way (the console) does
   not link the C library's formatter for it. */
struct text {
    char *out;
    size_t size, at;
};

static void put_string(struct text *t, const char *s)
{
    for (; *s && t->at + 1 < t->size; s++)
        t->out[t->at++] = *s;
    t->out[t->at] = 0;
}

/* value in base 10 or 16 (with 0x). */
static void put_number(struct text *t, uint64_t value, unsigned base)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value);
    char s[27];
    int at = 0;
    if (base == 16) {
        s[at++] = '0';
        s[at++] = 'x';
    }
    while (n)
        s[at++] = digits[--n];
    s[at] = 0;
    put_string(t, s);
}

static void put_signed(struct text *t, long value)
{
    if (value < 0) {
        put_string(t, "-");
        put_number(t, 0 - (uint64_t)value, 10);
    } else {
        put_number(t, (uint64_t)value, 10);
    }
}

/* A bound of a range: decimal while short, hexadecimal past 2^16 (addresses, masks). */
static void put_bound(struct text *t, uint64_t value)
{
    put_number(t, value, value < 0x10000 ? 10 : 16);
}

char *result_format(char *out, size_t size, const char *who, struct result r)
{
    if (size == 0)
        return out;
    struct text t = {out, size, 0};
    out[0] = 0;
    if (who) {
        put_string(&t, who);
        put_string(&t, ": ");
    }
    bool bad_argument = (r.source == RESULT_KERNEL && r.code == ERR_INVALID_ARGUMENT) ||
                        (r.source == RESULT_SERVICE && r.code == SERVICE_BAD_ARGUMENT);
    if (r.source == RESULT_KERNEL)
        put_string(&t, "kernel: ");
    if (bad_argument && r.argument >= SERVICE_ARGUMENT_CAP) {
        put_string(&t, "bad capability ");
        put_number(&t, r.argument - SERVICE_ARGUMENT_CAP, 10);
    } else if (bad_argument) {
        put_string(&t, "bad argument ");
        put_number(&t, r.argument, 10);
        put_string(&t, " (allowed ");
        put_bound(&t, r.min);
        put_string(&t, "..");
        put_bound(&t, r.max);
        put_string(&t, ")");
    } else if (r.source == RESULT_KERNEL) {
        put_string(&t, result_kernel_error_name(r.code));
        put_string(&t, " (error ");
        put_signed(&t, r.code);
        put_string(&t, ")");
    } else {
        put_string(&t, r.source == RESULT_OK ? "ok" : service_error_name((unsigned long)r.code));
    }
    return out;
}
