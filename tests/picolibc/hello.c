/*
 * The picolibc check: exercises the parts of picolibc user programs lean on
 * (formatted output, malloc, errno in thread-local storage, string and
 * number conversion, constructors) and prints one line per check. check.sh
 * compares the output and the exit status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int constructed;
static _Thread_local int per_thread = 7;

__attribute__((constructor)) /* GNU attribute: checks that constructors run */
static void
construct(void)
{
    constructed = 1;
}

int main(int argc, char **argv)
{
    int failures = 0;
    printf("picolibc: hello from %s with %d argument(s)\n", argv[0], argc - 1);

    char buf[64];
    snprintf(buf, sizeof buf, "%d %x %s %.2f", -42, 0xbeef, "str", 3.14159);
    printf("picolibc: snprintf gives '%s'\n", buf);
    failures += strcmp(buf, "-42 beef str 3.14") != 0;

    char *p = malloc(1000);
    failures += p == NULL;
    if (p) {
        memset(p, 'x', 1000);
        free(p);
    }
    printf("picolibc: malloc %s\n", p ? "ok" : "FAILED");

    errno = 0;
    long v = strtol("99999999999999999999999", NULL, 10);
    printf("picolibc: strtol overflow gives errno %s\n", errno == ERANGE ? "ERANGE" : "WRONG");
    failures += errno != ERANGE || v == 0;

    printf("picolibc: thread-local %d, constructor %s\n", per_thread,
           constructed ? "ran" : "MISSING");
    failures += per_thread != 7 || !constructed;

    printf("picolibc: %s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}
