/*
 * The two ends of the swap and restart tests. The server answers on its
 * manifest endpoint; which program it runs as shows in every answer, so a
 * client sees a swap happen. The client calls in a loop and checks every
 * answer; calls lost while the server is replaced are retried by libsys.
 */
#include <stdio.h>
#include <string.h>

#include "libsys/service.h"
#include "proctest.h"

#define ECHO_LABEL  1
#define CRASH_LABEL 99

int echo_server(const char *version)
{
    (void)version;
    /* argv[0] is the program: bin/proctest, or bin/proctest-v2 after a swap */
    const struct proc_info *info = libsys_proc_info();
    uint64_t generation = info ? info->pid : 0;
    struct missive_msg m = {0};
    long e = missive_syscall(SYS_RECV, PROC_SLOT_SERVICE, 0, &m);
    for (;;) {
        uint64_t label = e == ERR_OK ? MSG_LABEL(m.tag) : SERVICE_BAD_LABEL;
        if (label == CRASH_LABEL)
            *(volatile int *)0 = 1;
        uint64_t status = SERVICE_OK;
        if (label != ECHO_LABEL)
            status = SERVICE_BAD_LABEL;
        else if (MSG_LENGTH(m.tag) < 1)
            status = SERVICE_BAD_LENGTH;
        m.mr[0] = m.mr[0] + 1;
        m.mr[1] = generation;
        e = missive_syscall(SYS_REPLY_RECV, PROC_SLOT_SERVICE, MSG_TAG(status, 2, 0), &m);
    }
}

/* The echo server's endpoint in a fresh slot, waiting up to 5 s for it. */
static uint64_t find_echo(void)
{
    uint64_t slot = libsys_alloc_slot();
    for (int i = 0; i < 100; i++) {
        if (result_is_ok(proc_lookup("echo", slot)))
            return slot;
        proc_sleep_ms(50);
    }
    return 0;
}

/* One echo call: false (with a line saying why) if it failed or the answer was wrong. */
static bool echo(uint64_t slot, uint64_t value, uint64_t *server, bool quiet)
{
    struct request r = {.label = ECHO_LABEL};
    request_set_word(&r, 0, value);
    struct result e = request_result(request_call(slot, &r, 0, 0, 0), &r);
    char line[100];
    if (!result_is_ok(e)) {
        if (!quiet)
            printf("proctest: echo %lu: %s\n", (unsigned long)value,
                   result_format(line, sizeof line, "echo", e));
        return false;
    }
    *server = r.msg.mr[1];
    if (r.msg.mr[0] != value + 1 && !quiet)
        printf("proctest: echo %lu: answered %lu\n", (unsigned long)value,
               (unsigned long)r.msg.mr[0]);
    return r.msg.mr[0] == value + 1;
}

int echo_client(int rounds)
{
    uint64_t slot = find_echo();
    check("the echo server is registered", slot != 0, 1);
    if (!slot)
        return check_report("echo-client") != 0;
    uint64_t servers[8], server = 0;
    unsigned seen = 0;
    int bad = 0;
    for (int i = 0; i < rounds; i++) {
        if (!echo(slot, (uint64_t)i, &server, bad >= 5)) {
            bad++;
            continue;
        }
        if (seen == 0 || (servers[seen - 1] != server && seen < 8))
            servers[seen++] = server;
        if (i % 100 == 0)
            proc_sleep_ms(10); /* room for a swap to happen meanwhile */
    }
    check("every call answered correctly", bad, 0);
    printf("proctest: echo-client: %d calls, answered by %u server process(es):", rounds, seen);
    for (unsigned i = 0; i < seen; i++)
        printf(" %lu", (unsigned long)servers[i]);
    printf("\n");
    return check_report("echo-client") != 0;
}

/* Asks the echo server to crash, then waits for procsrv to restart it. */
int echo_crash(void)
{
    uint64_t slot = find_echo(), before = 0, after = 0;
    check("the echo server is registered", slot != 0, 1);
    if (!slot)
        return check_report("echo-crash") != 0;
    check("an echo", echo(slot, 1, &before, false), 1);
    struct missive_msg m = {0};
    long e = missive_syscall(SYS_CALL, slot, MSG_TAG(CRASH_LABEL, 0, 0), &m);
    check("the crashing call is lost", SERVICE_CALL_LOST(e), 1);
    bool answered = false;
    for (int i = 0; i < 50 && !answered; i++) {
        proc_sleep_ms(50);
        answered = echo(slot, 2, &after, true);
    }
    check("the restarted server answers", answered, 1);
    check("as a new process", after != before, 1);
    printf("proctest: echo-crash: server %lu crashed, %lu answers\n", (unsigned long)before,
           (unsigned long)after);
    return check_report("echo-crash") != 0;
}
