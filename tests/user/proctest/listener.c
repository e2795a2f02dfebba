/*
 * proctest shutdown-listener ready|silent: a server that asks procsrv to hear of a shutdown
 * (PROC_SHUTDOWN_NOTIFY with a notification of its own), then waits on it. "ready" answers
 * PROC_SHUTDOWN_READY when told, as the filesystem will after its flush; "silent" never does,
 * so procsrv must give up on it after PROC_SHUTDOWN_WAIT_MS (the power-listener tests).
 */
#include <stdio.h>
#include <string.h>

#include "libsys/invoke.h"
#include "libsys/service.h"
#include "proctest.h"

int shutdown_listener(const char *how)
{
    uint64_t untyped = libsys_alloc_slot(), notification = libsys_alloc_slot();
    if (!result_is_ok(mem_untyped(12, untyped)) ||
        untyped_retype(untyped, CAP_NOTIFICATION, 0, notification, 1) != ERR_OK) {
        printf("proctest: shutdown-listener: no notification\n");
        return 1;
    }
    /* A notification without the send right would be useless to procsrv: checked there by the
       signal failing; this one has every right. */
    struct result e = proc_shutdown_notify(notification);
    if (!result_is_ok(e)) {
        char why[80];
        printf("proctest: shutdown-listener: not registered: %s\n",
               result_format(why, sizeof why, 0, e));
        return 1;
    }
    printf("proctest: shutdown-listener: registered (%s)\n", how);
    struct missive_msg msg = {0};
    long r = missive_syscall(SYS_RECV, notification, 0, &msg);
    printf("proctest: shutdown-listener: told of the shutdown (%ld)\n", r);
    if (strcmp(how, "ready") == 0) {
        e = proc_shutdown_ready();
        printf("proctest: shutdown-listener: ready%s\n", result_is_ok(e) ? "" : " refused");
    }
    for (;;)
        proc_sleep_ms(1000);
}
