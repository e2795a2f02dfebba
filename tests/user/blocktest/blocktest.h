/*
 * blocktest: the block protocol's in-system test client (docs/testing.md), for the ramdisk
 * and for real disks (servers/ahci). Subcommands (main.c):
 *   pattern SERVER DISK SEED DEPTH [SECTORS]  write the pattern, read it back, at DEPTH
 *   write|verify SERVER DISK SEED DEPTH FIRST COUNT   one half of that, on sectors
 *                                       [FIRST, FIRST + COUNT): the host checks the image
 *   write-fua SERVER DISK SEED DEPTH FIRST COUNT  write, every request a FUA write
 *   clients SERVER DISK N                N processes at once, each on its own sectors
 *   stream SERVER DISK COUNT [swap=PROGRAM|kill]  a stream of writes; the server swapped or
 *                                       killed a third of the way: every request completes
 *                                       exactly once, and what was acknowledged reads back
 *                                       (not on a ramdisk, whose contents go with it)
 *   idle SERVER DISK swap=PROGRAM|kill   the server swapped or killed while a session is
 *                                       idle: its next requests reach the new instance
 *   bad SERVER DISK                      every bad input (bad.c)
 *   swaps SERVER DISK N PROGRAM-A PROGRAM-B [kill] [stop=PATH]  swaps the server N times, to
 *                                       A and B in turn, each new instance serving a while,
 *                                       then kills it, then makes the file PATH (the
 *                                       workload's signal to finish: fsx's UNTIL) (swap.c)
 *   kills SERVER DISK N                  kills the server N times, each restarted instance
 *                                       serving a while (swap.c)
 *   pause SERVER DISK N swap=PROGRAM|kill  N writes at depth 1, the server swapped (or
 *                                       killed) half-way: the longest gap between two
 *                                       completions, in rdtsc ticks (swap.c)
 *   orphans SERVER DISK N                N clients leave with requests in flight (bad.c)
 * The pattern: the 8-byte little-endian word at byte offset 8n of the disk is
 * blocktest_word(seed, n) (splitmix64 of seed + n * golden ratio), so a host can check it.
 */
#ifndef BLOCKTEST_H
#define BLOCKTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "libsys/block.h"

static inline uint64_t blocktest_word(uint64_t seed, uint64_t n)
{
    uint64_t z = seed + n * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* bad.c: the bad-input suite on server's disk; returns the failures. */
int blocktest_bad(const char *server, unsigned disk);
/* bad.c: n clients (blocktest hold) open a session, submit writes and exit without waiting or
   closing; then the whole session table opens (theirs were reclaimed) and the server did not
   restart. */
int blocktest_orphans(const char *server, unsigned disk, unsigned n);
int blocktest_hold(const char *server, unsigned disk);

/* swap.c: the process id of the running server named name (0: none). */
uint64_t blocktest_server_pid(const char *name);
/* swap.c: the swaps and pause subcommands; each returns the failures. */
int blocktest_swaps(const char *server, unsigned disk, unsigned count, const char *first,
                    const char *second, bool kill, const char *stop);
int blocktest_kills(const char *server, unsigned disk, unsigned count);
int blocktest_pause(const char *server, unsigned disk, unsigned count, const char *how);
/* Waits until server serves disk, sleeps ms, then swaps server for program (the swap pause's
   other program). */
int blocktest_swap_after(const char *server, unsigned disk, uint64_t ms, const char *program);

#endif
