/*
 * The block drivers' arguments (servers/ahci, servers/nvme: the manifest's `-- ...`), parsed the
 * same way for both; pure, host-tested (tests/unit/test_block_args.c).
 */
#ifndef MISSIVE_BLOCK_ARGS_H
#define MISSIVE_BLOCK_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#define BLOCK_TIMEOUT_MIN_MS 100u
#define BLOCK_TIMEOUT_MAX_MS 600000u

/* Parses arg as "name=MS" into *ms (BLOCK_TIMEOUT_MIN_MS..BLOCK_TIMEOUT_MAX_MS, decimal; out of
   range or not a number: *ms kept, with a line naming driver); true if arg was that argument at
   all (name and '='), false for any other. */
bool block_timeout_argument(const char *driver, const char *arg, const char *name, uint32_t *ms);

#endif
