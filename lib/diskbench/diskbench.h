/*
 * The raw-disk benchmark's workload (docs/disk-performance.md), shared unchanged by Missive's
 * apps/diskbench (over lib/libsys/block.h) and Linux's tools/bench/linux/linuxdisk.c (over
 * io_uring), so both systems do exactly the same requests in the same order: the rows, the
 * offsets of each request, the data written and the check of the data read. Pure C (string
 * functions and snprintf only), tested on the host (tests/unit/test_diskbench.c).
 *
 * A row keeps `depth` requests of `request_bytes` in flight until `requests` have completed.
 * Every 4 KiB block written carries a stamp naming its byte offset on the disk; every block
 * read is checked against the stamp of its offset, so a read that returned other data (or
 * none) fails the run instead of giving a figure.
 *
 * Each row prints one line the host parses (tools/bench/disk.py):
 *   DISK,<row>,<requests>,<bytes>,<ticks>,<spin ticks>
 * ticks: rdtsc from before the first request to after the last completion (guest
 * instructions under -icount shift=0, the host's TSC without). spin ticks: what the idle
 * spinner (below) executed meanwhile, in the same unit (0 when it does not run).
 *
 * The idle spinner: under -icount, rdtsc also advances while the guest is halted waiting for
 * the emulated disk (QEMU warps the clock by the real time spent idle), so a phase's rdtsc
 * difference is not its instruction count. In icount runs each system runs, at the lowest
 * priority, a loop of exactly DISKBENCH_SPIN_INSTRUCTIONS instructions per turn that counts
 * its turns; the CPU never halts, and the instructions of the phase are ticks minus spin ticks.
 */
#ifndef MISSIVE_DISKBENCH_H
#define MISSIVE_DISKBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISKBENCH_BLOCK             4096u          /* the unit the stamps and the offsets use */
#define DISKBENCH_AREA_BYTES        (256ull << 20) /* the part of the disk the rows use */
#define DISKBENCH_MAX_DEPTH         32u            /* requests in flight at most */
#define DISKBENCH_MAX_REQUEST       (128u * 1024u) /* the largest request of any row */
#define DISKBENCH_BUFFER_BYTES      (DISKBENCH_MAX_DEPTH * DISKBENCH_MAX_REQUEST) /* 4 MiB */
#define DISKBENCH_RANDOM_REQUESTS   4096u /* 4 KiB reads of a QD1 row by default */
#define DISKBENCH_SPIN_INSTRUCTIONS 3u    /* pause; add $1, counter; jmp: one turn of the spinner */
#define DISKBENCH_LINE_MAX          160u

enum diskbench_op { DISKBENCH_READ, DISKBENCH_WRITE };

struct diskbench_row {
    const char *name;
    enum diskbench_op op;
    bool random;            /* 4 KiB-aligned offsets from a seeded generator, else sequential */
    uint32_t request_bytes; /* a multiple of DISKBENCH_BLOCK, at most DISKBENCH_MAX_REQUEST */
    uint32_t depth;         /* 1..DISKBENCH_MAX_DEPTH */
};

/* The rows, in the order they run: the sequential writes first, so that every block the
   reads later touch has been stamped. */
#define DISKBENCH_ROW_COUNT 6
extern const struct diskbench_row diskbench_rows[DISKBENCH_ROW_COUNT];

/* How big one run is. area_bytes: the disk's first bytes that the rows use (a multiple of
   DISKBENCH_MAX_REQUEST); random_requests: the 4 KiB reads of a QD1 random row (a QD32 row
   does four times as many). */
struct diskbench_size {
    uint64_t area_bytes;
    uint64_t random_requests;
};

/* The requests a row makes in a run of that size: area / request size for a sequential row,
   random_requests (times 4 at a depth above 1) for a random one. */
uint64_t diskbench_requests(const struct diskbench_row *row, const struct diskbench_size *size);

/* The byte offset on the disk of request i (0-based) of row: i * request size for a
   sequential row; for a random one the i-th 4 KiB block drawn by a xorshift generator seeded
   by the row's name, inside the area. The same on every system and every run. */
uint64_t diskbench_offset(const struct diskbench_row *row, const struct diskbench_size *size,
                          uint64_t i);

/* Stamps each 4 KiB block of buffer (bytes long, a multiple of DISKBENCH_BLOCK) with its
   disk offset (offset + its place in the buffer), as a write of it should leave it. */
void diskbench_stamp(void *buffer, uint64_t offset, size_t bytes);
/* Counts the 4 KiB blocks of buffer (read from the disk at offset) whose stamp is not the
   one diskbench_stamp gives that offset: 0 when the read returned the right data. */
size_t diskbench_check(const void *buffer, uint64_t offset, size_t bytes);

/* How a system does I/O, for diskbench_run. The buffer holds DISKBENCH_MAX_DEPTH slots of
   DISKBENCH_MAX_REQUEST bytes; slot s starts at buffer + s * DISKBENCH_MAX_REQUEST. */
struct diskbench_io {
    void *context;
    uint8_t *buffer;
    /* Queues one request on slot (not sent yet): 0, or a negative error. */
    int (*queue)(void *context, unsigned slot, enum diskbench_op op, uint64_t offset,
                 uint32_t bytes);
    /* Sends what was queued (queued requests, possibly 0) and waits until at least one
       request has completed; writes the slots of the completed requests into slots (at most
       max): returns their count (> 0), or a negative error (a request failed: the system's
       own error, which the caller reports). */
    int (*complete)(void *context, unsigned queued, unsigned *slots, unsigned max);
};

/* diskbench_run's error when io's complete names a slot that is not in flight. */
#define DISKBENCH_BAD_COMPLETION (-100000)

/* What diskbench_run ends with. */
struct diskbench_outcome {
    uint64_t requests, bytes; /* completed */
    uint64_t bad_blocks;      /* read blocks whose stamp was wrong */
    int error;                /* the first negative value of queue or complete, else 0 */
};

/* Runs row to its end through io: keeps row->depth requests in flight, stamps what it writes
   and checks what it reads. Stops at the first error of io (outcome.error). Needs io's
   buffer to hold row->depth slots. */
struct diskbench_outcome diskbench_run(const struct diskbench_row *row,
                                       const struct diskbench_size *size,
                                       const struct diskbench_io *io);

/* Writes a row's result line (no newline) into line (DISKBENCH_LINE_MAX bytes). */
void diskbench_format(char *line, const char *row, uint64_t requests, uint64_t bytes,
                      uint64_t ticks, uint64_t spin_ticks);

/* The size named by a command-line word: "full" (DISKBENCH_AREA_BYTES, 4,096 random reads)
   or "check" (4 MiB, 64 random reads: a run of a few seconds that proves the program works,
   for make test). False for another word. */
bool diskbench_size_named(const char *word, struct diskbench_size *out);

#endif
