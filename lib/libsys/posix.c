/*
 * The system-level functions picolibc calls (read, write, lseek, close,
 * _exit) and libsys's platform hooks, on Missive's system calls. For now
 * the console is the kernel's debug output; the console server takes over
 * stdin and stdout in the user-space issue.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

#include "libsys/libsys.h"
#include "missive/abi.h"

long missive_syscall(long number, long a1, long a2, long a3, long a4, long a5);

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    size_t done = 0;
    while (done < n) {
        size_t chunk = n - done > 4096 ? 4096 : n - done;
        long r = missive_syscall(SYS_DEBUG_WRITE, (long)((const char *)buf + done), (long)chunk, 0,
                                 0, 0);
        if (r <= 0) {
            if (done)
                break;
            errno = EFAULT;
            return -1;
        }
        done += (size_t)r;
    }
    return (ssize_t)done;
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
    for (;;)
        missive_syscall(SYS_EXIT, status, 0, 0, 0, 0);
}

void libsys_set_thread_pointer(void *tp)
{
    missive_syscall(SYS_SET_TLS_BASE, (long)tp, 0, 0, 0, 0);
}

_Noreturn void libsys_abort(const char *message)
{
    size_t n = 0;
    while (message[n])
        n++;
    write(2, message, n);
    write(2, "\n", 1);
    _exit(127);
}
