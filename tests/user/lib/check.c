/*
 * The checks of the in-system tests and their count line (testlib.h). The
 * helper threads of a test share the main thread's TLS and may not call
 * printf: only the main thread checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "testlib.h"

static const char *program = "test";
static int checks, failures;

void check_init(const char *name)
{
    program = name;
}

void check(const char *what, long got, long want)
{
    checks++;
    if (got != want) {
        failures++;
        printf("%s: FAIL %s: got %ld, want %ld\n", program, what, got, want);
    }
}

void check_string(const char *what, const char *got, const char *want)
{
    checks++;
    if (strcmp(got, want) != 0) {
        failures++;
        printf("%s: FAIL %s: got '%s', want '%s'\n", program, what, got, want);
    }
}

void check_bad_argument(const char *what, long r, uint64_t argument, uint64_t min, uint64_t max)
{
    check(what, r, ERR_INVALID_ARGUMENT);
    check(what, (long)invoke_last_bad_argument.argument, (long)argument);
    check(what, (long)invoke_last_bad_argument.min, (long)min);
    check(what, (long)invoke_last_bad_argument.max, (long)max);
}

void check_status(const char *what, struct result got, enum service_error want)
{
    if (result_has_status(got, want)) {
        checks++;
        return;
    }
    char line[120];
    check_fail("%s: got %s, want %s", what, result_format(line, sizeof line, 0, got),
               service_error_name(want));
}

void check_result_bad_argument(const char *what, struct result got, unsigned argument)
{
    if (result_is_service(got, SERVICE_BAD_ARGUMENT) && got.argument == argument) {
        checks++;
        return;
    }
    char line[120];
    check_fail("%s: got %s, want bad argument %u", what, result_format(line, sizeof line, 0, got),
               argument);
}

void check_result_bad_range(const char *what, struct result got, unsigned argument, uint64_t min,
                            uint64_t max)
{
    if (result_is_service(got, SERVICE_BAD_ARGUMENT) && got.argument == argument &&
        got.min == min && got.max == max) {
        checks++;
        return;
    }
    char line[120];
    check_fail("%s: got %s, want bad argument %u (allowed %llu..%llu)", what,
               result_format(line, sizeof line, 0, got), argument, (unsigned long long)min,
               (unsigned long long)max);
}

void check_fail(const char *format, ...)
{
    checks++;
    failures++;
    printf("%s: FAIL: ", program);
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf("\n");
}

int check_failures(void)
{
    return failures;
}

int check_report(const char *suite)
{
    if (suite)
        printf("%s: %s: %d passed, %d failed\n", program, suite, checks - failures, failures);
    else
        printf("%s: %d passed, %d failed\n", program, checks - failures, failures);
    return failures;
}
