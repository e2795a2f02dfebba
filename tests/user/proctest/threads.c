/* libsys threads with IPC buffers of their own in an ordinary process (libsys/thread.h): two
   threads made by libsys_thread_start (memory from memsrv) read an initrd file from procsrv at
   once (4 KiB of it from 16 KiB on), its answers 55 words long (past MR9: through each thread's own
   buffer), and compare every byte with what the main thread read first. */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "libsys/service.h"
#include "libsys/thread.h"
#include "proctest.h"

#define THREADS  2
#define ROUNDS   20
#define FILE_MAX 4096 /* bytes of the file compared */
#define FILE_BASE                                                                                  \
    16384 /* from here: a program's code, which no two pieces share (its                           \
            first pages are mostly zeros, alike for every piece) */
#define THREAD_STACK (16 * 1024)

static char path[PROC_PATH_MAX + 1];
static uint8_t reference[FILE_MAX];
static size_t reference_size;
static _Alignas(16) uint8_t stacks[THREADS][THREAD_STACK];
static struct libsys_thread threads[THREADS];
static _Atomic unsigned finished;
static volatile unsigned long wrong[THREADS], calls[THREADS];
static volatile uintptr_t buffer_seen[THREADS];

/* Reads the file ROUNDS times in PROC_FILE_CHUNK pieces (the thread i starts at a different
   piece each round, so the two threads' calls differ) and counts the bytes or calls that are
   not the reference's. Returns: libsys suspends the thread. */
static void reader(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    buffer_seen[me] = (uintptr_t)libsys_ipc_buffer;
    unsigned long bad = 0, n = 0;
    unsigned pieces = (unsigned)((reference_size + PROC_FILE_CHUNK - 1) / PROC_FILE_CHUNK);
    for (unsigned round = 0; round < ROUNDS; round++) {
        for (unsigned k = 0; k < pieces; k++) {
            size_t offset = (size_t)((k + round + me) % pieces) * PROC_FILE_CHUNK, got = 0;
            size_t want = reference_size - offset < PROC_FILE_CHUNK ? reference_size - offset
                                                                    : PROC_FILE_CHUNK;
            uint8_t piece[PROC_FILE_CHUNK];
            struct result e = proc_file_read(path, FILE_BASE + offset, piece, want, &got);
            n++;
            bad += !result_is_ok(e) || got != want || memcmp(piece, reference + offset, want);
        }
    }
    wrong[me] = bad;
    calls[me] = n;
    atomic_fetch_add(&finished, 1);
}

void threads_check(void)
{
    /* The first initrd file of FILE_BASE + FILE_MAX bytes or more: a piece fills 55 words. */
    uint64_t size = 0;
    for (uint64_t i = 0; result_is_ok(proc_file_list(i, path, sizeof path, &size)); i++)
        if (size >= FILE_BASE + FILE_MAX)
            break;
    check("an initrd file of 20 KiB or more", size >= FILE_BASE + FILE_MAX, 1);
    size_t got = 0;
    for (reference_size = 0; reference_size < FILE_MAX; reference_size += got)
        if (!result_is_ok(proc_file_read(path, FILE_BASE + reference_size,
                                         reference + reference_size, FILE_MAX - reference_size,
                                         &got)) ||
            got == 0)
            break;
    check("read by the main thread", (long)reference_size, FILE_MAX);
    for (unsigned t = 0; t < THREADS; t++) {
        struct libsys_thread_how how = {.name = "reader",
                                        .priority = 90,
                                        .cpu = LIBSYS_THREAD_ANY_CPU,
                                        .stack = stacks[t],
                                        .stack_bytes = THREAD_STACK};
        check("libsys_thread_start",
              result_is_ok(libsys_thread_start(&threads[t], &how, reader, (void *)(uintptr_t)t)),
              1);
    }
    for (int i = 0; i < 1000 && atomic_load(&finished) < THREADS; i++)
        proc_sleep_ms(10);
    check("both threads finished", (long)atomic_load(&finished), THREADS);
    check("each has its own buffer, past the main thread's",
          buffer_seen[0] == LIBSYS_THREAD_BUFFERS &&
              buffer_seen[1] == LIBSYS_THREAD_BUFFERS + PAGE_SIZE,
          1);
    check("the main thread's is USER_IPC_BUFFER",
          (long)(libsys_ipc_buffer == (void *)USER_IPC_BUFFER), 1);
    check("thread 0: every piece as the main thread read it", (long)wrong[0], 0);
    check("thread 1: every piece as the main thread read it", (long)wrong[1], 0);
    check("and they made their calls", calls[0] == calls[1] && calls[0] >= ROUNDS * 9, 1);
}
