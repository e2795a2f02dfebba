/*
 * The platform hooks picolibc and libsys need, implemented with Linux system
 * calls so the picolibc check program runs on the build host. On Missive the
 * same hooks talk to the console server and the kernel.
 */
#include <stddef.h>
#include <sys/types.h>

#include "libsys/libsys.h"

long linux_syscall(long number, long a, long b, long c);

enum {
    LINUX_READ = 0,
    LINUX_WRITE = 1,
    LINUX_CLOSE = 3,
    LINUX_LSEEK = 8,
    LINUX_EXIT_GROUP = 231,
    LINUX_ARCH_PRCTL = 158,
    ARCH_SET_FS = 0x1002
};

ssize_t read(int fd, void *buf, size_t n)
{
    return linux_syscall(LINUX_READ, fd, (long)buf, (long)n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    return linux_syscall(LINUX_WRITE, fd, (long)buf, (long)n);
}

off_t lseek(int fd, off_t offset, int whence)
{
    return linux_syscall(LINUX_LSEEK, fd, offset, whence);
}

int close(int fd)
{
    return (int)linux_syscall(LINUX_CLOSE, fd, 0, 0);
}

_Noreturn void _exit(int status)
{
    for (;;)
        linux_syscall(LINUX_EXIT_GROUP, status, 0, 0);
}

void libsys_set_thread_pointer(void *tp)
{
    linux_syscall(LINUX_ARCH_PRCTL, ARCH_SET_FS, (long)tp, 0);
}
