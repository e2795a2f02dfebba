/*
 * The big-file workload (docs/testing.md; the swap tests, tests/system/swap_cases.py): a file
 * larger than the file server's block cache, so that reading it goes to the disk every time.
 * It is written whole and fsynced, then read back round after round and every byte compared
 * with the model (each 64 KiB chunk's contents follow from the seed and the chunk's version);
 * between rounds one chunk is rewritten and fsynced, so writes and commits go on as well.
 */
#define _DEFAULT_SOURCE /* fsync under -std=c11 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsx.h"
#include "testlib.h"

#define BIGFILE_CHUNK      (64u * 1024)
#define BIGFILE_MAX_CHUNKS 1024 /* 64 MiB */

static unsigned char bigfile_want[BIGFILE_CHUNK], bigfile_got[BIGFILE_CHUNK];
static uint32_t bigfile_version[BIGFILE_MAX_CHUNKS];

/* The contents of chunk at version into bigfile_want. */
static void bigfile_fill(uint64_t seed, unsigned chunk)
{
    uint64_t state = seed ^ ((uint64_t)chunk << 32) ^ bigfile_version[chunk];
    for (unsigned i = 0; i < BIGFILE_CHUNK; i += 8) {
        uint64_t word = fsx_random(&state);
        memcpy(bigfile_want + i, &word, 8);
    }
}

/* Writes chunk (its current version) at its place in fd: true if whole. */
static bool bigfile_write(int fd, uint64_t seed, unsigned chunk)
{
    bigfile_fill(seed, chunk);
    if (lseek(fd, (off_t)chunk * BIGFILE_CHUNK, SEEK_SET) != (off_t)chunk * BIGFILE_CHUNK)
        return false;
    for (unsigned done = 0; done < BIGFILE_CHUNK;) {
        ssize_t n = write(fd, bigfile_want + done, BIGFILE_CHUNK - done);
        if (n <= 0)
            return false;
        done += (unsigned)n;
    }
    return true;
}

/* Reads the whole file and compares it with the model: the chunks that differ. */
static unsigned bigfile_compare(int fd, uint64_t seed, unsigned chunks, unsigned round)
{
    unsigned bad = 0;
    if (lseek(fd, 0, SEEK_SET) != 0)
        return chunks;
    for (unsigned c = 0; c < chunks; c++) {
        unsigned got = 0;
        while (got < BIGFILE_CHUNK) {
            ssize_t n = read(fd, bigfile_got + got, BIGFILE_CHUNK - got);
            if (n <= 0) {
                check_fail("round %u: read of chunk %u: %s", round, c,
                           n < 0 ? strerror(errno) : "end of file");
                return bad + 1;
            }
            got += (unsigned)n;
        }
        bigfile_fill(seed, c);
        if (memcmp(bigfile_got, bigfile_want, BIGFILE_CHUNK) != 0) {
            unsigned i = 0;
            while (bigfile_got[i] == bigfile_want[i])
                i++;
            check_fail("round %u: byte %u of chunk %u is 0x%02x, want 0x%02x", round, i, c,
                       bigfile_got[i], bigfile_want[i]);
            bad++;
        }
    }
    return bad;
}

int bigfile_run(uint64_t seed, unsigned mib, unsigned rounds, const char *path, const char *until)
{
    unsigned chunks = mib * (1024u * 1024 / BIGFILE_CHUNK);
    if (chunks == 0 || chunks > BIGFILE_MAX_CHUNKS) {
        printf("fsx: bigfile: 1 to %u MiB, not %u\n", BIGFILE_MAX_CHUNKS / 16, mib);
        return 1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        check_fail("open %s: %s", path, strerror(errno));
        return check_report("bigfile");
    }
    for (unsigned c = 0; c < chunks; c++)
        if (!bigfile_write(fd, seed, c)) {
            check_fail("write of chunk %u: %s", c, strerror(errno));
            return check_report("bigfile");
        }
    check("fsync after writing the file", fsync(fd), 0);
    uint64_t state = seed;
    unsigned round = 1;
    for (; (round <= rounds || (until && !fsx_exists(until))) && check_failures() < FSX_SHOWN;
         round++) {
        check("chunks read back wrong", bigfile_compare(fd, seed, chunks, round), 0);
        unsigned chunk = (unsigned)(fsx_random(&state) % chunks);
        bigfile_version[chunk]++;
        check("rewrite of a chunk", bigfile_write(fd, seed, chunk), 1);
        check("fsync after the rewrite", fsync(fd), 0);
    }
    check("close", close(fd), 0);
    printf("fsx: bigfile: %s, %u MiB, read back and compared %u times\n", path, mib, round - 1);
    return check_report("bigfile");
}
