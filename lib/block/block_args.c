/*
 * The block drivers' arguments (block_args.h).
 */
#include "block/block_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool block_timeout_argument(const char *driver, const char *arg, const char *name, uint32_t *ms)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0 || arg[n] != '=')
        return false;
    char *end;
    unsigned long value = strtoul(arg + n + 1, &end, 10);
    if (end != arg + n + 1 && *end == 0 && value >= BLOCK_TIMEOUT_MIN_MS &&
        value <= BLOCK_TIMEOUT_MAX_MS)
        *ms = (uint32_t)value;
    else
        printf("%s: %s must be %u-%u ms, not '%s'; kept %u\n", driver, name, BLOCK_TIMEOUT_MIN_MS,
               BLOCK_TIMEOUT_MAX_MS, arg + n + 1, *ms);
    return true;
}
