/* POSIX file calls in a system with no file server (the libc manifest starts none), and a
   "file server" that is not one (memsrv): every call fails cleanly (ENODEV; memsrv's refusal),
   and failing costs the process nothing it keeps. Before fs_client.c kept a failed
   connection's buffer for the next try, each open() took a slot for good and each refused
   connection a new buffer (slots and memory): a process retrying all its life ran out. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "libsys/fs_client.h"
#include "libsys/service.h"
#include "proctest.h"

#define OPENS    3000
#define REFUSALS 100
/* Slots the failures may take in all: one buffer (the spare's frames and Untyped) and a
   few single slots; an open() or a refusal each taking any for good overruns it. */
#define SLOTS_MOST 16

void files_check(void)
{
    uint64_t before = libsys_alloc_slot();
    unsigned enodev = 0;
    for (unsigned i = 0; i < OPENS; i++) {
        errno = 0;
        int fd = open("/nothing-here", O_RDONLY);
        if (fd >= 0)
            close(fd);
        else if (errno == ENODEV)
            enodev++;
    }
    check("3000 opens with no file server: ENODEV", (long)enodev, OPENS);
    unsigned refused = 0;
    for (unsigned i = 0; i < REFUSALS; i++) {
        struct fs_client *c = 0;
        struct result r = fs_connect("memsrv", 0, &c);
        if (result_is_ok(r))
            fs_disconnect(c);
        else
            refused++;
    }
    check("100 connections to memsrv refused", (long)refused, REFUSALS);
    uint64_t after = libsys_alloc_slot(), taken = after - before - 1;
    if (!after)
        check_fail("the failures took every slot of the process's CSpace");
    else if (taken <= SLOTS_MOST)
        printf("proctest: files: %u opens and %u refused connections kept %llu slots\n", OPENS,
               REFUSALS, (unsigned long long)taken);
    else
        check_fail("%llu slots taken by the failures (at most %u)", (unsigned long long)taken,
                   SLOTS_MOST);
}
