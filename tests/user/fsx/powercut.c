/*
 * The power-cut workload (tests/system/powercut_cases.py kills QEMU at a random moment while
 * it runs): file after file gets random contents from the seed, is fsynced, and only then is
 * logged as "powercut: synced NAME SIZE KEY", so every logged file must be whole on the disk
 * after the cut (the host reads it back with hmfs-cat and compares with the bytes of KEY).
 * A logged file is never touched again. Between them the workload churns: it rewrites,
 * truncates, renames and deletes scratch files and makes directories, none of it synced, so
 * the cut falls in the middle of every kind of change and of commits the server makes on its
 * own.
 */
#define _DEFAULT_SOURCE /* fsync under -std=c11 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"

#define POWERCUT_MAX_SIZE (96u * 1024)

static unsigned char powercut_buffer[POWERCUT_MAX_SIZE];

/* The contents of a synced file: size bytes of the generator started at key, 8 a number,
   little-endian (the host computes the same). */
static void powercut_fill(uint64_t key, size_t size)
{
    uint64_t state = key;
    for (size_t i = 0; i < size; i += 8) {
        uint64_t word = fsx_random(&state);
        for (size_t j = 0; j < 8 && i + j < size; j++)
            powercut_buffer[i + j] = (unsigned char)(word >> (8 * j));
    }
}

/* Writes the whole buffer to path (made or emptied): 0, or -1 with the reason printed. */
static int powercut_write(const char *path, size_t size, bool sync)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        printf("powercut: open %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, powercut_buffer + done, size - done);
        if (n <= 0) {
            printf("powercut: write %s: %s\n", path, strerror(errno));
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    if (sync && fsync(fd) != 0) {
        printf("powercut: fsync %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    return close(fd);
}

/* Unsynced changes to the scratch files s0..s3 and directories. */
static void powercut_churn(uint64_t *state, const char *top)
{
    char a[128], b[128];
    unsigned what = (unsigned)(fsx_random(state) % 6);
    snprintf(a, sizeof a, "%s/s%u", top, (unsigned)(fsx_random(state) % 4));
    snprintf(b, sizeof b, "%s/s%u", top, (unsigned)(fsx_random(state) % 4));
    switch (what) {
    case 0:
    case 1: {
        size_t size = (size_t)(fsx_random(state) % POWERCUT_MAX_SIZE);
        powercut_fill(fsx_random(state), size);
        powercut_write(a, size, false);
        break;
    }
    case 2: {
        int fd = open(a, O_WRONLY);
        if (fd >= 0) {
            ftruncate(fd, (off_t)(fsx_random(state) % POWERCUT_MAX_SIZE));
            close(fd);
        }
        break;
    }
    case 3:
        rename(a, b);
        break;
    case 4:
        unlink(a);
        break;
    default:
        snprintf(a, sizeof a, "%s/dir%u", top, (unsigned)(fsx_random(state) % 4));
        if (mkdir(a, 0755) != 0)
            rmdir(a);
        break;
    }
}

int powercut_run(uint64_t seed, const char *top)
{
    uint64_t state = seed;
    if (mkdir(top, 0755) != 0 && errno != EEXIST) {
        printf("powercut: mkdir %s: %s\n", top, strerror(errno));
        return 1;
    }
    printf("powercut: writing in %s, seed %llu\n", top, (unsigned long long)seed);
    for (unsigned long n = 0;; n++) {
        char path[128];
        uint64_t key = fsx_random(&state);
        size_t size = (size_t)(fsx_random(&state) % POWERCUT_MAX_SIZE);
        snprintf(path, sizeof path, "%s/p%lu", top, n);
        powercut_fill(key, size);
        if (powercut_write(path, size, true) != 0)
            return 1;
        printf("powercut: synced %s %zu %llu\n", path, size, (unsigned long long)key);
        unsigned churn = (unsigned)(fsx_random(&state) % 4);
        for (unsigned i = 0; i < churn; i++)
            powercut_churn(&state, top);
    }
}
