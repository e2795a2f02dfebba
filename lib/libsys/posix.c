/*
 * The system-level functions picolibc calls (read, write, lseek, close,
 * _exit) and libsys's platform hooks, over Missive's system calls. For now
 * the console is the kernel's debug capability; the console server takes
 * over stdin and stdout in the user-space issue.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

#include "libsys/libsys.h"

uint64_t libsys_thread_slot = ROOT_SLOT_THREAD;
uint64_t libsys_debug_slot = ROOT_SLOT_DEBUG;

long sys_invoke(uint64_t slot, uint64_t label, unsigned count, const uint64_t *args,
                struct missive_msg *answer)
{
    struct missive_msg msg = {0};
    for (unsigned i = 0; i < count && i < MSG_REGISTERS; i++)
        msg.mr[i] = args[i];
    long r = missive_syscall(SYS_CALL, slot, MSG_TAG(label, count, 0), &msg);
    if (answer)
        *answer = msg;
    return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    const unsigned char *p = buf;
    const size_t per_call = 8 * (MSG_REGISTERS - 1);
    for (size_t done = 0; done < n;) {
        size_t chunk = n - done < per_call ? n - done : per_call;
        struct missive_msg msg = {0};
        msg.mr[0] = chunk;
        for (size_t i = 0; i < chunk; i++)
            msg.mr[1 + i / 8] |= (uint64_t)p[done + i] << (8 * (i % 8));
        if (missive_syscall(SYS_CALL, libsys_debug_slot,
                            MSG_TAG(DEBUG_WRITE, 1 + (chunk + 7) / 8, 0), &msg) != ERR_OK) {
            if (done)
                return (ssize_t)done;
            errno = EIO;
            return -1;
        }
        done += chunk;
    }
    return (ssize_t)n;
}

ssize_t read(int fd, void *buf, size_t n)
{
    (void)buf;
    (void)n;
    if (fd != 0) {
        errno = EBADF;
        return -1;
    }
    return 0; /* no console input yet: end of file */
}

off_t lseek(int fd, off_t offset, int whence)
{
    (void)fd;
    (void)offset;
    (void)whence;
    errno = ESPIPE;
    return -1;
}

int close(int fd)
{
    (void)fd;
    return 0;
}

_Noreturn void _exit(int status)
{
    uint64_t arg = (uint64_t)(int64_t)status;
    for (;;)
        sys_invoke(libsys_debug_slot, DEBUG_EXIT, 1, &arg, 0);
}

void libsys_set_thread_pointer(void *tp)
{
    uint64_t arg = (uint64_t)tp;
    sys_invoke(libsys_thread_slot, THREAD_SET_TLS_BASE, 1, &arg, 0);
}
