/* guest: what linuxbench and linuxdisk share (guest.h). */
#define _GNU_SOURCE
#include "guest.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <unistd.h>

/* isa-debug-exit's port (QEMU-NOTES): how a failure ends QEMU. */
#define GUEST_DEBUG_EXIT_PORT 0xf4

_Noreturn void guest_finish(int code)
{
    fflush(stdout);
    fflush(stderr);
    if (getpid() != 1)
        exit(code);
    if (code != 0 && ioperm(GUEST_DEBUG_EXIT_PORT, 1, 1) == 0)
        outb((unsigned char)code, GUEST_DEBUG_EXIT_PORT);
    printf("%s: powering off\n", guest_program);
    fflush(stdout);
    reboot(RB_POWER_OFF);
    for (;;) /* process 1 must not exit: the kernel would panic */
        pause();
}

_Noreturn void guest_die(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", guest_program, what, strerror(errno));
    guest_finish(1);
}

void guest_open_console(void)
{
    int fd = open("/dev/console", O_RDWR);
    if (fd < 0)
        guest_finish(1);
    for (int i = 0; i < 3; i++)
        if (fd != i)
            dup2(fd, i);
}

void guest_pin_to_cpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        guest_die("sched_setaffinity");
}

void guest_print_file(const char *dir, const char *name)
{
    char path[256], line[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f && fgets(line, sizeof line, f))
        printf("# %s: %s", name, line);
    if (f)
        fclose(f);
}

void guest_print_kernel(void)
{
    struct utsname u;
    if (uname(&u) == 0)
        printf("# kernel %s %s %s\n", u.sysname, u.release, u.version);
}
