/*
 * The raw-disk benchmark's workload (diskbench.h): rows, offsets, stamps, the loop that keeps
 * a row's requests in flight, and the result line.
 */
#include "diskbench/diskbench.h"

#include <stdio.h>
#include <string.h>

/* Stamped into the first word of every block, mixed with the block's number, so that a block
   of zeros (never written, or a read that moved nothing) never passes. */
#define DISKBENCH_STAMP_MAGIC 0x6d69737369766521ull /* "missive!" */

const struct diskbench_row diskbench_rows[DISKBENCH_ROW_COUNT] = {
    {"seq-write-128k-qd1", DISKBENCH_WRITE, false, 128u * 1024u, 1},
    {"seq-read-128k-qd1", DISKBENCH_READ, false, 128u * 1024u, 1},
    {"seq-write-128k-qd32", DISKBENCH_WRITE, false, 128u * 1024u, 32},
    {"seq-read-128k-qd32", DISKBENCH_READ, false, 128u * 1024u, 32},
    {"rand-read-4k-qd1", DISKBENCH_READ, true, 4096u, 1},
    {"rand-read-4k-qd32", DISKBENCH_READ, true, 4096u, 32},
};

uint64_t diskbench_requests(const struct diskbench_row *row, const struct diskbench_size *size)
{
    if (row->random)
        return row->depth > 1 ? 4 * size->random_requests : size->random_requests;
    return size->area_bytes / row->request_bytes;
}

/* splitmix64's finaliser: a bijection of 64-bit words that scatters neighbours, so that
   (seed + i) gives request i's random draw without walking the i draws before it. */
static uint64_t diskbench_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* FNV-1a of a row's name: each random row has its own sequence. */
static uint64_t diskbench_seed(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *name; name++)
        h = (h ^ (uint8_t)*name) * 0x100000001b3ull;
    return h;
}

/* diskbench_offset with the row's seed already known (diskbench_run hashes the name once, so
   the rows' own cost per request stays a few instructions on either system). */
static uint64_t diskbench_offset_seeded(const struct diskbench_row *row,
                                        const struct diskbench_size *size, uint64_t seed,
                                        uint64_t i)
{
    if (!row->random)
        return i * row->request_bytes;
    uint64_t blocks = size->area_bytes / DISKBENCH_BLOCK;
    uint64_t per_request = row->request_bytes / DISKBENCH_BLOCK;
    uint64_t slots = blocks / per_request;
    return (diskbench_mix(seed + i) % slots) * row->request_bytes;
}

uint64_t diskbench_offset(const struct diskbench_row *row, const struct diskbench_size *size,
                          uint64_t i)
{
    return diskbench_offset_seeded(row, size, diskbench_seed(row->name), i);
}

/* The stamp of the block at disk offset (a multiple of DISKBENCH_BLOCK). */
static uint64_t diskbench_stamp_of(uint64_t offset)
{
    return DISKBENCH_STAMP_MAGIC ^ (offset / DISKBENCH_BLOCK);
}

void diskbench_stamp(void *buffer, uint64_t offset, size_t bytes)
{
    uint8_t *p = buffer;
    for (size_t at = 0; at < bytes; at += DISKBENCH_BLOCK) {
        uint64_t stamp = diskbench_stamp_of(offset + at);
        memcpy(p + at, &stamp, sizeof stamp);
    }
}

size_t diskbench_check(const void *buffer, uint64_t offset, size_t bytes)
{
    const uint8_t *p = buffer;
    size_t bad = 0;
    for (size_t at = 0; at < bytes; at += DISKBENCH_BLOCK) {
        uint64_t stamp;
        memcpy(&stamp, p + at, sizeof stamp);
        bad += stamp != diskbench_stamp_of(offset + at);
    }
    return bad;
}

struct diskbench_outcome diskbench_run(const struct diskbench_row *row,
                                       const struct diskbench_size *size,
                                       const struct diskbench_io *io)
{
    struct diskbench_outcome out = {0};
    uint64_t total = diskbench_requests(row, size), issued = 0, seed = diskbench_seed(row->name);
    /* The disk offset each slot's request is at, for the check when it completes. */
    uint64_t slot_offset[DISKBENCH_MAX_DEPTH];
    unsigned free_slots[DISKBENCH_MAX_DEPTH], free_count = row->depth;
    bool busy[DISKBENCH_MAX_DEPTH] = {false};
    for (unsigned s = 0; s < row->depth; s++)
        free_slots[s] = row->depth - 1 - s;

    while (out.requests < total) {
        unsigned queued = 0;
        while (issued < total && free_count > 0) {
            unsigned slot = free_slots[--free_count];
            uint8_t *data = io->buffer + (size_t)slot * DISKBENCH_MAX_REQUEST;
            slot_offset[slot] = diskbench_offset_seeded(row, size, seed, issued);
            if (row->op == DISKBENCH_WRITE)
                diskbench_stamp(data, slot_offset[slot], row->request_bytes);
            int e = io->queue(io->context, slot, row->op, slot_offset[slot], row->request_bytes);
            if (e < 0) {
                out.error = e;
                return out;
            }
            busy[slot] = true;
            issued++, queued++;
        }
        unsigned done[DISKBENCH_MAX_DEPTH];
        int n = io->complete(io->context, queued, done, row->depth);
        if (n <= 0) {
            out.error = n < 0 ? n : -1;
            return out;
        }
        for (int k = 0; k < n; k++) {
            unsigned slot = done[k];
            if ((unsigned)n > row->depth || slot >= row->depth || !busy[slot]) {
                out.error = DISKBENCH_BAD_COMPLETION;
                return out;
            }
            busy[slot] = false;
            if (row->op == DISKBENCH_READ)
                out.bad_blocks += diskbench_check(io->buffer + (size_t)slot * DISKBENCH_MAX_REQUEST,
                                                  slot_offset[slot], row->request_bytes);
            free_slots[free_count++] = slot;
            out.requests++;
            out.bytes += row->request_bytes;
        }
    }
    return out;
}

void diskbench_format(char *line, const char *row, uint64_t requests, uint64_t bytes,
                      uint64_t ticks, uint64_t spin_ticks)
{
    snprintf(line, DISKBENCH_LINE_MAX, "DISK,%s,%llu,%llu,%llu,%llu", row,
             (unsigned long long)requests, (unsigned long long)bytes, (unsigned long long)ticks,
             (unsigned long long)spin_ticks);
}

bool diskbench_size_named(const char *word, struct diskbench_size *out)
{
    if (strcmp(word, "full") == 0) {
        *out = (struct diskbench_size){DISKBENCH_AREA_BYTES, DISKBENCH_RANDOM_REQUESTS};
        return true;
    }
    if (strcmp(word, "check") == 0) {
        *out = (struct diskbench_size){4ull << 20, 64};
        return true;
    }
    return false;
}
