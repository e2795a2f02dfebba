/*
 * usertest caps: endpoints. Calls and replies (the fast path), badges, a
 * double reply, an endpoint deleted under a waiting server; long messages
 * through the IPC buffers, capabilities sent with and without the grant
 * right.
 */
#include <stdint.h>

#include "caps.h"

static volatile uint64_t server_badge, server_second_reply, server_woke_with;

/* The server: answers MR0 + 1 to each call, checks that a second reply is
   refused, and stops when its endpoint is deleted under it. Uses no libc:
   it shares the root task's TLS block. */
static void server(void)
{
    struct missive_msg m = {0};
    long r = missive_syscall(SYS_RECV, S_SERVER_EP, 0, &m);
    for (;;) {
        if (r != ERR_OK) {
            server_woke_with = (uint64_t)r;
            for (;;)
                missive_syscall(SYS_RECV, S_NTFN_A, 0, &m); /* no receive right: returns */
        }
        server_badge = m.badge;
        uint64_t in = m.mr[0];
        m.mr[0] = in + 1;
        m.tag = MSG_TAG(0, 1, 0);
        if (in == 1000) { /* the client's probe of a double reply */
            missive_syscall(SYS_REPLY, 0, m.tag, &m);
            server_second_reply = (uint64_t)missive_syscall(SYS_REPLY, 0, m.tag, &m);
            r = missive_syscall(SYS_RECV, S_SERVER_EP, 0, &m);
            continue;
        }
        r = missive_syscall(SYS_REPLY_RECV, S_SERVER_EP, m.tag, &m);
    }
}

/* Calls through the fast path to a server on S_THREAD (test_thread_configuration
   made it), a double reply, and the endpoint deleted under the waiting server. */
void test_endpoint_calls(uint64_t ut)
{
    struct missive_msg m = {0};
    check("retype an endpoint", untyped_retype(ut, CAP_ENDPOINT, 0, S_SERVER_EP, 1), ERR_OK);
    check("start the server",
          setup_thread_start(S_THREAD, (struct setup_thread){.priority = 255},
                             (void (*)(uint64_t))server, 0),
          ERR_OK);
    check("write registers of a running thread",
          thread_write_registers(S_THREAD, USER_BASE, 0, 0, 0, 0), ERR_NOT_PERMITTED);
    check("mint the client's badged capability",
          cspace_mint(ROOT_SLOT_CSPACE, S_CLIENT_EP, S_SERVER_EP, CAP_RIGHT_SEND, 7, 0), ERR_OK);
    int bad = 0;
    for (uint64_t i = 0; i < 500; i++) {
        m.tag = MSG_TAG(3, 1, 0);
        m.mr[0] = i;
        if (missive_syscall(SYS_CALL, S_CLIENT_EP, m.tag, &m) != ERR_OK || m.mr[0] != i + 1 ||
            MSG_LENGTH(m.tag) != 1)
            bad++;
    }
    check("500 calls answered MR0 + 1", bad, 0);
    check("the server saw the client's badge", (long)server_badge, 7);
    m.mr[0] = 1000;
    m.tag = MSG_TAG(3, 1, 0);
    check("call for the double reply", missive_syscall(SYS_CALL, S_CLIENT_EP, m.tag, &m), ERR_OK);
    check("the answer", (long)m.mr[0], 1001);
    for (int i = 0; i < SETTLE && !server_second_reply; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m); /* the server may run on another CPU */
    check("a second reply is refused", (long)server_second_reply, ERR_NO_REPLY);
    check("call on a send-only cap works, recv does not", sys(SYS_NB_RECV, S_CLIENT_EP, &m),
          ERR_MISSING_RIGHT);
    struct thread_registers regs = {0};
    check("read the server's registers", thread_read_registers(S_THREAD, &regs), ERR_OK);
    check("its rip is in the program", regs.rip >= USER_BASE && regs.rip < 0x1000000, 1);

    /* Deleting the endpoint wakes the server blocked on it with an error. */
    check("revoke the endpoint", cspace_revoke(ROOT_SLOT_CSPACE, S_SERVER_EP, NULL), ERR_OK);
    check("delete the endpoint", cspace_delete(ROOT_SLOT_CSPACE, S_SERVER_EP), ERR_OK);
    for (int i = 0; i < SETTLE && !server_woke_with; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the server woke with ERR_OBJECT_DELETED", (long)server_woke_with, ERR_OBJECT_DELETED);
    check("suspend it", thread_suspend(S_THREAD), ERR_OK);
    check("delete the thread", cspace_delete(ROOT_SLOT_CSPACE, S_THREAD), ERR_OK);
}

/* --- long messages and capability transfer ------------------------------------ */

/* Answers each call with the sum of its words, its length and the number
   of capabilities it carried; signals a received notification. */
static void server2(uint64_t buffer_address)
{
    struct ipc_buffer *buffer = (struct ipc_buffer *)buffer_address;
    struct missive_msg m = {0};
    buffer->receive_slot = S_RECEIVED;
    long r = missive_syscall(SYS_RECV, S_EP2, 0, &m);
    for (;;) {
        uint64_t length = MSG_LENGTH(m.tag), caps = MSG_CAPS(m.tag), sum = 0;
        for (uint64_t i = 0; i < length; i++)
            sum += i < MSG_REGISTERS ? m.mr[i] : buffer->mr[i];
        if (caps) {
            struct missive_msg s = {0};
            missive_syscall(SYS_SEND, S_RECEIVED, 0, &s);
            cspace_delete(ROOT_SLOT_CSPACE, S_RECEIVED);
        }
        m.mr[0] = r == ERR_OK ? sum : (uint64_t)r;
        m.mr[1] = length;
        m.mr[2] = caps;
        r = missive_syscall(SYS_REPLY_RECV, S_EP2, MSG_TAG(0, 3, 0), &m);
    }
}

/* Calls server2 with length words (i + 1 each): it answers their sum. */
static long long_call(uint64_t slot, uint64_t length, uint64_t caps, struct missive_msg *m)
{
    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    for (uint64_t i = 0; i < MSG_MAX_LENGTH; i++) {
        if (i < MSG_REGISTERS)
            m->mr[i] = i + 1;
        else
            mine->mr[i] = i + 1;
    }
    return missive_syscall(SYS_CALL, slot, MSG_TAG(7, length, caps), m);
}

void test_long_messages(uint64_t ut)
{
    struct missive_msg m = {0};
    check("retype an endpoint", untyped_retype(ut, CAP_ENDPOINT, 0, S_EP2, 1), ERR_OK);
    check("a send-only copy",
          cspace_mint(ROOT_SLOT_CSPACE, S_EP2_NO_GRANT, S_EP2, CAP_RIGHT_SEND, 1, 0), ERR_OK);
    check("a send+grant copy",
          cspace_mint(ROOT_SLOT_CSPACE, S_EP2_GRANT, S_EP2, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 2, 0),
          ERR_OK);
    check("retype server2", untyped_retype(ut, CAP_THREAD, 0, S_SERVER2, 1), ERR_OK);
    check("and its IPC buffer", untyped_retype(ut, CAP_FRAME, PAGE_BITS, S_SERVER2_BUFFER, 1),
          ERR_OK);
    check("map the buffer",
          vspace_map_frame(ROOT_SLOT_VSPACE, S_SERVER2_BUFFER, MAP_AT + 0x7000,
                           CAP_RIGHT_READ | CAP_RIGHT_WRITE),
          ERR_OK);
    check("an IPC buffer must be a frame", thread_set_ipc_buffer(S_SERVER2, S_EP2), ERR_WRONG_TYPE);
    check("register it", thread_set_ipc_buffer(S_SERVER2, S_SERVER2_BUFFER), ERR_OK);
    check("start server2",
          setup_thread_start(S_SERVER2, (struct setup_thread){.priority = 255}, server2,
                             MAP_AT + 0x7000),
          ERR_OK);
    check("a 10-word call", long_call(S_EP2_NO_GRANT, 10, 0, &m), ERR_OK);
    check("summed in registers", (long)m.mr[0], 55);
    check("a 40-word call", long_call(S_EP2_NO_GRANT, 40, 0, &m), ERR_OK);
    check("summed through the IPC buffers", (long)m.mr[0], 40 * 41 / 2);
    check("all 40 words went", (long)m.mr[1], 40);
    check("a 64-word call", long_call(S_EP2_NO_GRANT, 64, 0, &m), ERR_OK);
    check("64 words went", (long)m.mr[1], 64);
    check("a 100-word call", long_call(S_EP2_NO_GRANT, 100, 0, &m), ERR_OK);
    check("is cut to 64", (long)m.mr[1], 64);

    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    mine->caps[0] = S_NTFN_A; /* send-only notification, badge 1 */
    check("capabilities without the grant right", long_call(S_EP2_NO_GRANT, 1, 1, &m),
          ERR_MISSING_RIGHT);
    check("nothing was signalled", sys(SYS_NB_RECV, S_MOVED, &m), ERR_WOULD_BLOCK);
    check("with the grant right", long_call(S_EP2_GRANT, 1, 1, &m), ERR_OK);
    check("one capability went", (long)m.mr[2], 1);
    check("the server signalled through it", sys(SYS_NB_RECV, S_MOVED, &m), ERR_OK);
    check("with its badge", (long)m.badge, 1);
    mine->caps[0] = S_EMPTY; /* an empty slot: nothing to send */
    check("an empty slot is skipped", long_call(S_EP2_GRANT, 1, 1, &m), ERR_OK);
    check("so none went", (long)m.mr[2], 0);
    /* Every length 0-64 (11-64 take the fast path's copy between the IPC buffers), without
       capabilities and with one (the slow path), with the grant right and without. */
    unsigned wrong = 0;
    for (uint64_t length = 0; length <= MSG_MAX_LENGTH; length++) {
        mine->caps[0] = S_NTFN_A;
        wrong += long_call(S_EP2_NO_GRANT, length, 0, &m) != ERR_OK ||
                 m.mr[0] != length * (length + 1) / 2 || m.mr[1] != length || m.mr[2] != 0;
        wrong += long_call(S_EP2_GRANT, length, 1, &m) != ERR_OK ||
                 m.mr[0] != length * (length + 1) / 2 || m.mr[1] != length || m.mr[2] != 1 ||
                 sys(SYS_NB_RECV, S_MOVED, &m) != ERR_OK;
        wrong += long_call(S_EP2_NO_GRANT, length, 1, &m) != ERR_MISSING_RIGHT;
    }
    check("every length 0-64, with a capability and without, arrives whole", (long)wrong, 0);
    check("suspend server2", thread_suspend(S_SERVER2), ERR_OK);
}
