/*
 * The in-system fsx (fsx.c) and the power-cut workload (powercut.c), run by main.c.
 */
#ifndef MISSIVE_FSX_H
#define MISSIVE_FSX_H

#include <stdint.h>

#define FSX_SHOWN 20 /* failures after which a run stops */

/* The generator both use (splitmix64): the next number of *state. The host's check of a power
   cut (tests/system/powercut_cases.py) computes the same sequence. */
uint64_t fsx_random(uint64_t *state);

/* ops random operations from seed in the directory top (made if missing), and more until the
   file until exists (looked for every FSX_UNTIL_EVERY operations; NULL: ops only); returns
   the failures, after the count line "fsx: run: N passed, M failed". */
#define FSX_UNTIL_EVERY 50
int fsx_run(uint64_t seed, unsigned long ops, const char *top, const char *until);
/* Whether path exists (a stat). */
int fsx_exists(const char *path);

/* The POSIX calls' edges (posix.c), in top (which must exist), then the count line
   "fsx: posix: N passed, M failed". */
void posix_checks(const char *top);

/* Writes files in top for ever, each fsynced and then logged ("powercut: synced ...") and
   never touched again, among changes that are not synced; returns only on an error. */
int powercut_run(uint64_t seed, const char *top);

/* A file of mib MiB (more than the server's cache) written, then read back and compared rounds
   times (and more until the file until exists, if not NULL), a chunk rewritten and fsynced
   between rounds (bigfile.c); returns the failures, after the count line "fsx: bigfile: N
   passed, M failed". */
int bigfile_run(uint64_t seed, unsigned mib, unsigned rounds, const char *path, const char *until);

#endif
