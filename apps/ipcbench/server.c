/*
 * The server end of ipcbench's calls (lib/proto/ipcbench.h): one loop for both the thread in
 * ipcbench's own address space and the second process (`ipcbench --serve`). Between the TSC
 * read after its receive and the one before its reply_recv it does as little as it can, since
 * that work lands in the round trip.
 */
#include <stdio.h>

#include "ipcbench.h"
#include "libsys/service.h"
#include "proto/ipcbench.h"

/* Books the capability a measured call brought (tag) and names the next receive slot: the 33rd,
   after IPCBENCH_CAP_SLOTS calls without a clean-up, is 0, so the kernel transfers no more (and
   they count as missing) rather than filling slots that are not the server's to fill. */
static void ib_server_took_cap(struct ib_server *s, uint64_t tag)
{
    if (MSG_CAPS(tag) == 1)
        s->buffer->receive_slot = s->cap_slots[++s->caps_taken];
    else
        s->caps_missing++;
}

/* Deletes the capabilities taken since the last clean-up. */
static void ib_server_clean(struct ib_server *s)
{
    for (unsigned i = 0; i < s->caps_taken && i < IPCBENCH_CAP_SLOTS; i++)
        cspace_delete(PROC_SLOT_CSPACE, s->cap_slots[i]);
    s->caps_taken = 0;
    if (s->buffer)
        s->buffer->receive_slot = (s->flags & IPCBENCH_CAPS) ? s->cap_slots[0] : 0;
}

/* Handles a control request in *m; returns the reply's tag and leaves its words in m. */
static uint64_t ib_server_control(struct ib_server *s, struct ibt_msg *m)
{
    uint64_t label = MSG_LABEL(m->tag), length = MSG_LENGTH(m->tag);
    switch (label) {
    case IPCBENCH_SETUP:
        if (length < 2 || m->mr[0] > MSG_MAX_LENGTH ||
            m->mr[1] & ~(uint64_t)(IPCBENCH_FPU | IPCBENCH_CAPS) ||
            ((m->mr[1] & IPCBENCH_CAPS) && !s->buffer))
            return MSG_TAG(SERVICE_BAD_ARGUMENT, 0, 0);
        s->reply_length = m->mr[0];
        s->flags = m->mr[1];
        ib_server_clean(s);
        s->caps_missing = 0;
        return MSG_TAG(SERVICE_OK, 0, 0);
    case IPCBENCH_CPU:
        if (length < 1)
            return MSG_TAG(SERVICE_BAD_LENGTH, 0, 0);
        if (thread_set_affinity(s->thread, m->mr[0]) != ERR_OK)
            return MSG_TAG(SERVICE_BAD_ARGUMENT, 0, 0);
        return MSG_TAG(SERVICE_OK, 0, 0);
    case IPCBENCH_CLEAN:
        m->mr[0] = s->caps_missing;
        s->caps_missing = 0;
        ib_server_clean(s);
        return MSG_TAG(SERVICE_OK, 1, 0);
    default:
        return MSG_TAG(SERVICE_BAD_LABEL, 0, 0);
    }
}

void ib_serve(struct ib_server *s)
{
    struct ibt_msg m = {.number = SYS_RECV};
    long e = ibt_syscall(s->endpoint, 0, &m);
    for (;;) {
        uint64_t tag = MSG_TAG(SERVICE_BAD_LABEL, 0, 0);
        if (e == ERR_OK && MSG_LABEL(m.tag) == IPCBENCH_MEASURE) {
            if (s->flags & IPCBENCH_CAPS)
                ib_server_took_cap(s, m.tag);
            if (s->flags & IPCBENCH_FPU)
                ib_fpu_touch();
            m.mr[0] = m.t_after;
            tag = MSG_TAG(IPCBENCH_MEASURE, s->reply_length, 0);
        } else if (e == ERR_OK && MSG_LABEL(m.tag) == IPCBENCH_EXIT) {
            struct missive_msg answer = {0};
            missive_syscall(SYS_REPLY, 0, MSG_TAG(SERVICE_OK, 0, 0), &answer);
            return;
        } else if (e == ERR_OK) {
            tag = ib_server_control(s, &m);
        }
        m.number = SYS_REPLY_RECV;
        e = ibt_stamped(s->endpoint, tag, &m);
    }
}

int ib_server_main(void)
{
    static struct ib_server server;
    const struct proc_info *info = libsys_proc_info();
    if (!info) {
        printf("ipcbench: --serve needs to be started by procsrv\n");
        return 1;
    }
    uint64_t untyped = libsys_alloc_slot(), endpoint = libsys_alloc_slot();
    struct result e = mem_untyped(UNTYPED_MIN_BITS, untyped); /* room for the endpoint */
    if (result_is_ok(e))
        e = result_from_kernel(untyped_retype(untyped, CAP_ENDPOINT, 0, endpoint, 1), 0);
    char name[PROTO_NAME_MAX + 1];
    snprintf(name, sizeof name, IPCBENCH_NAME_PREFIX "%lu", (unsigned long)info->pid);
    if (result_is_ok(e))
        e = proc_register(name, endpoint);
    if (!result_is_ok(e)) {
        char why[100];
        printf("ipcbench: server: no endpoint to serve on (%s)\n",
               result_format(why, sizeof why, 0, e));
        return 1;
    }
    server.endpoint = endpoint;
    server.thread = PROC_SLOT_THREAD;
    server.buffer = (struct ipc_buffer *)USER_IPC_BUFFER;
    for (unsigned i = 0; i < IPCBENCH_CAP_SLOTS; i++)
        server.cap_slots[i] = libsys_alloc_slot();
    if (!server.cap_slots[IPCBENCH_CAP_SLOTS - 1]) {
        printf("ipcbench: server: CSpace too small for %d capabilities\n", IPCBENCH_CAP_SLOTS);
        return 1;
    }
    ib_serve(&server);
    return 0;
}
