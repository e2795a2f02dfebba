/*
 * The system-level functions picolibc calls, over Missive's servers (the file calls are in
 * files.c):
 * stdout/stderr to the console server (the kernel's debug console before
 * it runs, and in the root task), stdin from it, the heap from memsrv, exit
 * to procsrv, clocks from procsrv's clock. Plus libsys's platform hooks.
 */
#define _DEFAULT_SOURCE /* usleep under -std=c11 */
#include <errno.h>
#include <stddef.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "libsys/files.h"
#include "libsys/invoke.h"
#include "libsys/libsys.h"
#include "libsys/service.h"
#include "wordpack/wordpack.h"

uint64_t libsys_thread_slot = ROOT_SLOT_THREAD;
uint64_t libsys_debug_slot = ROOT_SLOT_DEBUG;

long sys_thread_set_name(uint64_t thread_slot, const char *name)
{
    uint64_t length = 0, bytes[2] = {0, 0};
    while (length < TRACE_NAME_MAX && name[length])
        length++;
    wordpack_pack(bytes, name, length);
    return thread_set_name(thread_slot, length, bytes);
}

/* Writes to the kernel's debug console, WORDPACK_DEBUG_BYTES a call. */
static ssize_t debug_console_write(const unsigned char *p, size_t n)
{
    for (size_t done = 0; done < n;) {
        uint64_t bytes[WORDPACK_DEBUG_WORDS];
        size_t chunk = wordpack_debug(bytes, p + done, n - done);
        if (debug_write(libsys_debug_slot, chunk, bytes) != ERR_OK)
            return done ? (ssize_t)done : -1;
        done += chunk;
    }
    return (ssize_t)n;
}

/* What descriptors 1 and 2 write (files.c): the console server, or the kernel's debug console
   before it runs and in the root task. */
ssize_t libsys_console_write(const void *buf, size_t n)
{
    const unsigned char *p = buf;
    if (libsys_proc_info()) {
        for (size_t done = 0; done < n;) {
            size_t chunk = n - done < CONSOLE_MAX_BYTES ? n - done : CONSOLE_MAX_BYTES;
            struct request r = {.label = CONSOLE_WRITE};
            request_set_word(&r, 0, chunk);
            request_put_bytes(&r, 1, p + done, chunk);
            long e = request_call(PROC_SLOT_CONSOLE, &r, 0, 0, 0);
            if (e == ERR_EMPTY_SLOT)
                break; /* no console server yet: the debug console, if granted */
            if (e != ERR_OK || r.label != SERVICE_OK) {
                if (done)
                    return (ssize_t)done;
                errno = EIO;
                return -1;
            }
            done += chunk;
            if (done == n)
                return (ssize_t)n;
        }
    }
    ssize_t written = debug_console_write(p, n);
    if (written < 0) {
        if (libsys_proc_info())
            return (ssize_t)n; /* nowhere to write: dropped, as by /dev/null */
        errno = EIO;
    }
    return written;
}

/* What descriptor 0 reads (files.c): the console server's input. */
ssize_t libsys_console_read(void *buf, size_t n)
{
    if (!libsys_proc_info() || n == 0)
        return 0; /* the root task has no console input */
    struct request r = {.label = CONSOLE_READ};
    request_set_word(&r, 0, n < CONSOLE_MAX_BYTES ? n : CONSOLE_MAX_BYTES);
    long e = request_call(PROC_SLOT_CONSOLE, &r, 0, 0, 0);
    if (e == ERR_EMPTY_SLOT)
        return 0; /* no console: end of file */
    if (e != ERR_OK || r.label != SERVICE_OK) {
        errno = r.label == SERVICE_BUSY ? EBUSY : EIO;
        return -1;
    }
    size_t count = r.msg.mr[0];
    if (count > n)
        count = n;
    request_get_bytes(&r, 1, buf, count);
    return (ssize_t)count;
}

_Noreturn void _exit(int status)
{
    uint64_t arg = (uint64_t)(int64_t)status;
    if (libsys_proc_info()) {
        struct missive_msg msg = {.mr = {arg}};
        missive_syscall(SYS_CALL, PROC_SLOT_PROCSRV, MSG_TAG(PROC_EXIT, 1, 0), &msg);
    }
    for (;;)
        debug_exit(libsys_debug_slot, arg);
}

/* The heap: the root task's is a fixed area in its image (it starts memsrv,
   so cannot ask it); every other process's grows from USER_HEAP_BASE in
   memory memsrv maps, HEAP_STEP at a time. */
extern char __heap_start[], __heap_end[];
#define HEAP_STEP (64ul * 1024)

/* Maps heap memory: memsrv does it for everyone but itself (it cannot call
   itself), which provides its own definition. Weak, a GNU extension: the
   one way to let one program replace a libsys function at link time. */
__attribute__((weak)) struct result libsys_heap_map(uint64_t address, uint64_t bytes)
{
    return mem_map(address, bytes, CAP_RIGHT_READ | CAP_RIGHT_WRITE);
}

void *sbrk(ptrdiff_t increment)
{
    static uintptr_t top, mapped_end;
    if (!top) {
        bool root = !libsys_proc_info();
        top = root ? (uintptr_t)__heap_start : USER_HEAP_BASE;
        mapped_end = root ? (uintptr_t)__heap_end : USER_HEAP_BASE;
    }
    uintptr_t old = top;
    if (increment < 0 || (uintptr_t)increment > USER_HEAP_END - top) {
        errno = ENOMEM;
        return (void *)-1;
    }
    uintptr_t want = top + (uintptr_t)increment;
    if (want > mapped_end) {
        if (!libsys_proc_info()) {
            errno = ENOMEM;
            return (void *)-1;
        }
        uintptr_t bytes = (want - mapped_end + HEAP_STEP - 1) & ~(HEAP_STEP - 1);
        if (!result_is_ok(libsys_heap_map(mapped_end, bytes))) {
            errno = ENOMEM;
            return (void *)-1;
        }
        mapped_end += bytes;
    }
    top = want;
    return (void *)old;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
    uint64_t ms;
    if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME) {
        errno = EINVAL;
        return -1;
    }
    if (!libsys_proc_info() || !result_is_ok(proc_uptime_ms(&ms))) {
        errno = ENOSYS;
        return -1;
    }
    ts->tv_sec = (time_t)(ms / 1000);
    ts->tv_nsec = (long)(ms % 1000) * 1000000;
    return 0;
}

/* No real-time clock is read yet: the time of day counts from boot, as
   CLOCK_MONOTONIC does (docs/protocols.md). */
int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return -1;
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}

int usleep(useconds_t us)
{
    if (!libsys_proc_info() || !result_is_ok(proc_sleep_ms((us + 999) / 1000))) {
        errno = ENOSYS;
        return -1;
    }
    return 0;
}

unsigned sleep(unsigned seconds)
{
    return usleep((useconds_t)seconds * 1000000) == 0 ? 0 : seconds;
}

void libsys_set_thread_pointer(void *tp)
{
    thread_set_tls_base(libsys_thread_slot, (uint64_t)tp);
}
