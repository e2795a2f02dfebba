/* picolibc in use: formatted output with floating point, strings, malloc of
   many sizes, qsort, strtod against known values. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proctest.h"

static int compare(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int libc_suite(void)
{
    char line[128];
    snprintf(line, sizeof line, "%.3f|%e|%g|%8.2f", 3.14159265, 12345.678, 0.0001, -2.5);
    check_string("floating point", line, "3.142|1.234568e+04|0.0001|   -2.50");
    snprintf(line, sizeof line, "%d|%5s|%-4x|%llu|%c", -42, "ab", 0xbe, 18446744073709551615ull,
             'z');
    check_string("integers and strings", line, "-42|   ab|be  |18446744073709551615|z");
    check("strlen", (long)strlen("missive"), 7);
    check("strcmp", strcmp("abc", "abd") < 0, 1);
    check_string("strchr", strchr("a/b/c", '/'), "/b/c");
    check_string("strrchr", strrchr("a/b/c", '/'), "/c");
    char copy[16];
    strncpy(copy, "truncated!", 5);
    copy[5] = 0;
    check_string("strncpy", copy, "trunc");
    check("memcmp", memcmp("xyz", "xyz", 3), 0);

    /* malloc of many sizes, written and checked, freed in a scattered order. */
    enum { BLOCKS = 200 };
    static unsigned char *blocks[BLOCKS];
    size_t sizes[BLOCKS];
    int good = 1;
    for (int i = 0; i < BLOCKS; i++) {
        sizes[i] = (size_t)(1 + (i * 7919) % 70000);
        blocks[i] = malloc(sizes[i]);
        if (!blocks[i]) {
            good = 0;
            break;
        }
        memset(blocks[i], i & 0xff, sizes[i]);
    }
    for (int i = 0; good && i < BLOCKS; i++)
        for (size_t j = 0; j < sizes[i]; j += 97)
            good &= blocks[i][j] == (unsigned char)(i & 0xff);
    check("200 blocks of 1 byte to 70 KB hold their contents", good, 1);
    for (int i = 0; i < BLOCKS; i += 2)
        free(blocks[i]);
    for (int i = 1; i < BLOCKS; i += 2)
        free(blocks[i]);
    void *big = malloc(4 << 20);
    check("then a 4 MiB block", big != 0, 1);
    free(big);

    int values[] = {5, -3, 99, 0, 42, 7, -100, 8, 8, 1};
    qsort(values, 10, sizeof values[0], compare);
    static const int sorted[] = {-100, -3, 0, 1, 5, 7, 8, 8, 42, 99};
    check("qsort", memcmp(values, sorted, sizeof sorted), 0);

    char *end;
    check("strtod 2.5", strtod("2.5", &end) == 2.5, 1);
    check("strtod stops at the end", *end, 0);
    check("strtod 1e-3", strtod("1e-3", 0) == 0.001, 1);
    check("strtod -0x1p4", strtod("-0x1p4", 0) == -16.0, 1);
    check("strtod 3.14159", fabs(strtod("3.14159", 0) - 3.14159) < 1e-12, 1);
    check("strtod inf", isinf(strtod("inf", 0)), 1);
    check("strtol", strtol("-12345", 0, 10), -12345);
    check("atoi", atoi("77"), 77);
    threads_check();
    files_check();
    return check_report("libc") != 0;
}
