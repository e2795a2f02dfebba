/*
 * usertest's suite for what a process manager and a memory server need from
 * the kernel: copying and moving capabilities between CSpaces, finding where
 * an Untyped lies, lending an Untyped through IPC (it moves) and replies that
 * carry capabilities.
 */
#include <stdint.h>
#include <stdio.h>

#include "libsys/libsys.h"
#include "usertest.h"

enum {
    T_UT = 2000, /* a 64 KiB Untyped all of this suite's objects come from */
    T_CSPACE,
    T_EP,
    T_EP_NO_GRANT,
    T_BACK,
    T_SPARE,
    T_CHILD_UT,
    T_SERVER,
    T_SERVER_BUFFER,
    T_TABLE, /* 2009-2011: page tables on the way to T_MAP_AT */
    T_RECEIVED = 2020,
    T_RETURNED,
    T_SAVED,
    T_SAVED2,
    T_CALLER,
};

#define T_MAP_AT 0x20000000ul

static void test_cross_cspace(void)
{
    struct missive_msg m = {0};
    check("a 16-slot CSpace", retype(T_UT, CAP_CSPACE, 4, T_CSPACE, 1), ERR_OK);
    check("an endpoint", retype(T_UT, CAP_ENDPOINT, 0, T_EP, 1), ERR_OK);
    check("copy into another CSpace",
          sys_invoke5(T_CSPACE, CSPACE_COPY, 3, T_EP, CAP_RIGHTS_ALL, 0, ROOT_SLOT_CSPACE, 0),
          ERR_OK);
    check("it arrived", invoke(T_CSPACE, CSPACE_IDENTIFY, 3, 0, 0, 0, &m), ERR_OK);
    check("as an endpoint", (long)m.mr[0], CAP_ENDPOINT);
    check("mint into another CSpace",
          sys_invoke5(T_CSPACE, CSPACE_MINT, 4, T_EP, CAP_RIGHT_SEND, 77, ROOT_SLOT_CSPACE, 0),
          ERR_OK);
    invoke(T_CSPACE, CSPACE_IDENTIFY, 4, 0, 0, 0, &m);
    check("with its badge", (long)m.mr[2], 77);
    check("and its rights", (long)m.mr[1], CAP_RIGHT_SEND);
    check("move back out of it",
          sys_invoke5(ROOT_SLOT_CSPACE, CSPACE_MOVE, T_BACK, 4, 0, 0, T_CSPACE, 0), ERR_OK);
    invoke(T_CSPACE, CSPACE_IDENTIFY, 4, 0, 0, 0, &m);
    check("the source is empty", (long)m.mr[0], CAP_NULL);
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, T_BACK, 0, 0, 0, &m);
    check("the destination has it", (long)m.mr[2], 77);

    long r = sys_invoke5(T_CSPACE, CSPACE_COPY, 5, T_EP, CAP_RIGHTS_ALL, 0, 4096, &m);
    check_bad_argument("source CSpace outside the caller's", r, &m, 4, 0, 4095);
    check("source CSpace slot empty",
          sys_invoke5(T_CSPACE, CSPACE_COPY, 5, T_EP, CAP_RIGHTS_ALL, 0, T_SPARE, 0),
          ERR_EMPTY_SLOT);
    check("source CSpace not a CSpace",
          sys_invoke5(T_CSPACE, CSPACE_COPY, 5, T_EP, CAP_RIGHTS_ALL, 0, T_EP, 0), ERR_WRONG_TYPE);
    r = sys_invoke5(ROOT_SLOT_CSPACE, CSPACE_MOVE, T_SPARE, 16, 0, 0, T_CSPACE, &m);
    check_bad_argument("source slot past the source CSpace", r, &m, 1, 1, 15);
    r = sys_invoke5(T_CSPACE, CSPACE_COPY, 16, T_EP, CAP_RIGHTS_ALL, 0, ROOT_SLOT_CSPACE, &m);
    check_bad_argument("destination past the CSpace invoked", r, &m, 0, 1, 15);
    check("an Untyped still cannot be copied across",
          sys_invoke5(T_CSPACE, CSPACE_COPY, 6, T_UT, CAP_RIGHTS_ALL, 0, ROOT_SLOT_CSPACE, 0),
          ERR_NOT_PERMITTED);

    /* MR4 outside the message's length is absent: a 4-word copy names a
       source in the CSpace invoked, whatever is in the register. */
    m = (struct missive_msg){.mr = {6, 3, CAP_RIGHTS_ALL, 0, T_EP}};
    check("a 4-word copy ignores MR4",
          missive_syscall(SYS_CALL, T_CSPACE, MSG_TAG(CSPACE_COPY, 4, 0), &m), ERR_OK);
    invoke(T_CSPACE, CSPACE_IDENTIFY, 6, 0, 0, 0, &m);
    check("and copied within the CSpace", (long)m.mr[0], CAP_ENDPOINT);
    check("revoke the endpoint", cs(CSPACE_REVOKE, T_EP, 0, 0, 0), ERR_OK);
    invoke(T_CSPACE, CSPACE_IDENTIFY, 3, 0, 0, 0, &m);
    check("its copy in the other CSpace went too", (long)m.mr[0], CAP_NULL);
    cs(CSPACE_DELETE, T_EP, 0, 0, 0);
    cs(CSPACE_DELETE, T_BACK, 0, 0, 0);
}

static void test_identify_untyped(uint64_t parent_phys)
{
    struct missive_msg m = {0};
    check("identify the suite's Untyped", cs(CSPACE_IDENTIFY, T_UT, 0, 0, 0), ERR_OK);
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, T_UT, 0, 0, 0, &m);
    check("an Untyped's physical address is its boot one", m.mr[4] == parent_phys, 1);
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, ROOT_SLOT_IPC_BUFFER, 0, 0, 0, &m);
    check("a frame's address is not shown", (long)m.mr[4], 0);
}

static volatile uint64_t server_received_caps, server_reply_result;

/* Receives one call on arg's endpoint slot with receive slot T_RECEIVED and
   answers it carrying what arrived back, then does the same once more. */
static void lender_server(uint64_t receive_ep)
{
    struct ipc_buffer *buffer = (struct ipc_buffer *)(T_MAP_AT);
    for (;;) {
        struct missive_msg m = {0};
        buffer->receive_slot = T_RECEIVED;
        missive_syscall(SYS_RECV, receive_ep, 0, &m);
        server_received_caps = MSG_CAPS(m.tag);
        buffer->caps[0] = T_RECEIVED;
        server_reply_result = (uint64_t)missive_syscall(SYS_REPLY, 0, MSG_TAG(0, 0, 1), &m);
        cs(CSPACE_DELETE, T_RECEIVED, 0, 0, 0); /* whatever stayed */
        receive_ep = T_EP_NO_GRANT;
    }
}

/* Maps frame at address, adding page tables from T_UT as they are missing. */
static long map_with_tables(uint64_t frame, uint64_t address)
{
    for (uint64_t table = T_TABLE;; table++) {
        long r = invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, frame, address,
                        CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 0);
        if (r != ERR_MISSING_TABLE || table > T_TABLE + 2)
            return r;
        r = retype(T_UT, CAP_PAGE_TABLE, 0, table, 1);
        if (r == ERR_OK)
            r = invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_TABLE, table, address, 0, 0, 0);
        if (r != ERR_OK)
            return r;
    }
}

/* An endpoint (T_EP, and T_EP_NO_GRANT receive-only) and lender_server
   receiving on receive_ep with its IPC buffer at T_MAP_AT. */
static void start_lender(uint64_t receive_ep)
{
    check("an endpoint", retype(T_UT, CAP_ENDPOINT, 0, T_EP, 1), ERR_OK);
    check("a receive-only copy", cs(CSPACE_COPY, T_EP_NO_GRANT, T_EP, CAP_RIGHT_RECEIVE, 0),
          ERR_OK);
    check("the server thread", retype(T_UT, CAP_THREAD, 0, T_SERVER, 1), ERR_OK);
    check("its buffer", retype(T_UT, CAP_FRAME, 12, T_SERVER_BUFFER, 1), ERR_OK);
    check("mapped", map_with_tables(T_SERVER_BUFFER, T_MAP_AT), ERR_OK);
    check("registered", invoke(T_SERVER, THREAD_SET_IPC_BUFFER, T_SERVER_BUFFER, 0, 0, 0, 0),
          ERR_OK);
    check("start it",
          setup_thread_start(T_SERVER, (struct setup_thread){.priority = 255}, lender_server,
                             receive_ep),
          ERR_OK);
}

static void test_lend_untyped(void)
{
    struct missive_msg m = {0};
    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    start_lender(T_EP);

    check("a 4 KiB Untyped to lend", retype(T_UT, CAP_UNTYPED, 12, T_CHILD_UT, 1), ERR_OK);
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, T_CHILD_UT, 0, 0, 0, &m);
    uint64_t phys = m.mr[4];
    mine->caps[0] = T_CHILD_UT;
    mine->receive_slot = T_RETURNED;
    m = (struct missive_msg){0};
    check("call carrying the Untyped", missive_syscall(SYS_CALL, T_EP, MSG_TAG(1, 0, 1), &m),
          ERR_OK);
    check("the server received one capability", (long)server_received_caps, 1);
    check("its reply carried one back", (long)MSG_CAPS(m.tag), 1);
    check("the reply went", (long)server_reply_result, ERR_OK);
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, T_CHILD_UT, 0, 0, 0, &m);
    check("the Untyped moved: the sender's slot is empty", (long)m.mr[0], CAP_NULL);
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, T_RETURNED, 0, 0, 0, &m);
    check("it came back in the receive slot", (long)m.mr[0], CAP_UNTYPED);
    check("the same memory", m.mr[4] == phys, 1);
    check("and can be retyped", retype(T_RETURNED, CAP_ENDPOINT, 0, T_SPARE, 1), ERR_OK);
    check("revoke the parent", invoke(ROOT_SLOT_CSPACE, CSPACE_REVOKE, T_UT, 0, 0, 0, &m), ERR_OK);
    check("it deleted what the suite made", m.mr[0] >= 8, 1);
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, T_RETURNED, 0, 0, 0, &m);
    check("deletes the lent Untyped wherever it went", (long)m.mr[0], CAP_NULL);
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, T_SPARE, 0, 0, 0, &m);
    check("and what was made from it", (long)m.mr[0], CAP_NULL);
}

/* A server receiving through a capability without the grant right cannot
   answer with capabilities: the reply arrives without them. */
static void test_reply_without_grant(void)
{
    struct missive_msg m = {0};
    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    start_lender(T_EP_NO_GRANT);
    check("an endpoint to send", retype(T_UT, CAP_ENDPOINT, 0, T_CHILD_UT, 1), ERR_OK);
    mine->caps[0] = T_CHILD_UT;
    mine->receive_slot = T_RETURNED;
    check("call carrying it", missive_syscall(SYS_CALL, T_EP, MSG_TAG(1, 0, 1), &m), ERR_OK);
    check("the server received it", (long)server_received_caps, 1);
    check("the reply carried nothing back", (long)MSG_CAPS(m.tag), 0);
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, T_RETURNED, 0, 0, 0, &m);
    check("the receive slot stayed empty", (long)m.mr[0], CAP_NULL);
    mine->receive_slot = 0;
    check("suspend the server", invoke(T_SERVER, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);
}

static volatile long saver_results[4];

/* The saving server: label 1 saves the reply and answers through it (MR0
   42), then tries the used capability again; 2 saves and deletes it; 3
   saves, moves it and answers through the new slot; 4 saves and answers
   nothing; 5 answers the call saved by 4, then this one with the result. */
static void saver_server(void)
{
    struct missive_msg m = {0};
    missive_syscall(SYS_RECV, T_EP, 0, &m);
    for (;;) {
        long label = (long)MSG_LABEL(m.tag), r = ERR_OK;
        if (label >= 1 && label <= 4) {
            r = invoke(ROOT_SLOT_CSPACE, CSPACE_SAVE_REPLY, T_SAVED, 0, 0, 0, 0);
            saver_results[0] = r;
            saver_results[1] = invoke(ROOT_SLOT_CSPACE, CSPACE_SAVE_REPLY, T_SAVED2, 0, 0, 0, 0);
        }
        struct missive_msg a = {.mr = {42}};
        if (label == 1) {
            saver_results[2] = missive_syscall(SYS_SEND, T_SAVED, MSG_TAG(0, 1, 0), &a);
            saver_results[3] = missive_syscall(SYS_SEND, T_SAVED, MSG_TAG(0, 1, 0), &a);
        } else if (label == 2) {
            cs(CSPACE_DELETE, T_SAVED, 0, 0, 0);
        } else if (label == 3) {
            cs(CSPACE_MOVE, T_SAVED2, T_SAVED, 0, 0);
            saver_results[2] = missive_syscall(SYS_SEND, T_SAVED2, MSG_TAG(0, 1, 0), &a);
        } else if (label == 5) {
            r = missive_syscall(SYS_SEND, T_SAVED, MSG_TAG(0, 1, 0), &a);
            m.mr[0] = (uint64_t)r;
            missive_syscall(SYS_REPLY_RECV, T_EP, MSG_TAG(0, 1, 0), &m);
            continue;
        }
        missive_syscall(SYS_RECV, T_EP, 0, &m);
    }
}

static volatile long caller_result = 1;

static void saved_caller(void)
{
    struct missive_msg m = {0};
    caller_result = missive_syscall(SYS_CALL, T_EP, MSG_TAG(4, 0, 0), &m);
    for (;;)
        missive_syscall(SYS_YIELD, 0, 0, &m);
}

static void test_saved_replies(void)
{
    struct missive_msg m = {0};
    check("an endpoint", retype(T_UT, CAP_ENDPOINT, 0, T_EP, 1), ERR_OK);
    check("the saving server", retype(T_UT, CAP_THREAD, 0, T_SERVER, 1), ERR_OK);
    check("start it",
          setup_thread_start(T_SERVER, (struct setup_thread){.priority = 255},
                             (void (*)(uint64_t))saver_server, 0),
          ERR_OK);
    check("no reply to save", invoke(ROOT_SLOT_CSPACE, CSPACE_SAVE_REPLY, T_SAVED, 0, 0, 0, 0),
          ERR_NO_REPLY);
    long r = invoke(ROOT_SLOT_CSPACE, CSPACE_SAVE_REPLY, 4096, 0, 0, 0, &m);
    check_bad_argument("save into a slot past the CSpace", r, &m, 0, 1, 4095);

    m = (struct missive_msg){0};
    check("a call answered through a saved reply",
          missive_syscall(SYS_CALL, T_EP, MSG_TAG(1, 0, 0), &m), ERR_OK);
    check("with its message", (long)m.mr[0], 42);
    check("saving worked", saver_results[0], ERR_OK);
    check("a reply is saved once", saver_results[1], ERR_NO_REPLY);
    check("sending on it", saver_results[2], ERR_OK);
    check("it is gone after use", saver_results[3], ERR_EMPTY_SLOT);

    check("a saved reply deleted unused", missive_syscall(SYS_CALL, T_EP, MSG_TAG(2, 0, 0), &m),
          ERR_NO_REPLY);
    m = (struct missive_msg){0};
    check("a saved reply moved, then used", missive_syscall(SYS_CALL, T_EP, MSG_TAG(3, 0, 0), &m),
          ERR_OK);
    check("with its message", (long)m.mr[0], 42);

    saver_results[0] = 1;
    check("a calling thread", retype(T_UT, CAP_THREAD, 0, T_CALLER, 1), ERR_OK);
    check("start it",
          setup_thread_start(T_CALLER, (struct setup_thread){.priority = 255},
                             (void (*)(uint64_t))saved_caller, 0),
          ERR_OK);
    missive_syscall(SYS_YIELD, 0, 0, &m); /* it calls; the server saves its reply */
    while (saver_results[0] != ERR_OK || caller_result != 1)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, T_SAVED, 0, 0, 0, &m);
    check("a reply capability", (long)m.mr[0], CAP_REPLY);
    check("cannot be copied", cs(CSPACE_COPY, T_SAVED2, T_SAVED, CAP_RIGHTS_ALL, 0),
          ERR_NOT_PERMITTED);
    check("suspend the waiting caller", invoke(T_CALLER, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);
    check("its call was interrupted", caller_result, 1); /* it has not run since */
    m = (struct missive_msg){0};
    check("answer a caller that stopped waiting",
          missive_syscall(SYS_CALL, T_EP, MSG_TAG(5, 0, 0), &m), ERR_OK);
    check("the answer finds nobody", (long)m.mr[0], ERR_NO_REPLY);
    check("stop the server", invoke(T_SERVER, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);
}

int transfer_suite(void)
{
    uint64_t ut = setup_find_untyped(16, false);
    check("an Untyped of 64 KiB or more", ut != 0, 1);
    if (!ut)
        return 1;
    struct missive_msg m = {0};
    invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, ut, 0, 0, 0, &m);
    uint64_t used = m.mr[2];
    check("a 64 KiB Untyped for the suite", retype(ut, CAP_UNTYPED, 16, T_UT, 1), ERR_OK);
    uint64_t phys = setup_boot->untyped[ut - setup_boot->untyped_first].phys;
    test_identify_untyped(phys + ((used + 0xffff) & ~0xfffful));
    test_cross_cspace();
    test_lend_untyped();
    cs(CSPACE_REVOKE, T_UT, 0, 0, 0);
    test_reply_without_grant();
    cs(CSPACE_REVOKE, T_UT, 0, 0, 0);
    test_saved_replies();
    return check_report("transfer");
}
