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
    struct cspace_identity id = {0};
    check("a 16-slot CSpace", untyped_retype(T_UT, CAP_CSPACE, 4, T_CSPACE, 1), ERR_OK);
    check("an endpoint", untyped_retype(T_UT, CAP_ENDPOINT, 0, T_EP, 1), ERR_OK);
    check("copy into another CSpace",
          cspace_copy(T_CSPACE, 3, T_EP, CAP_RIGHTS_ALL, ROOT_SLOT_CSPACE), ERR_OK);
    check("it arrived", cspace_identify(T_CSPACE, 3, &id), ERR_OK);
    check("as an endpoint", (long)id.type, CAP_ENDPOINT);
    check("mint into another CSpace",
          cspace_mint(T_CSPACE, 4, T_EP, CAP_RIGHT_SEND, 77, ROOT_SLOT_CSPACE), ERR_OK);
    cspace_identify(T_CSPACE, 4, &id);
    check("with its badge", (long)id.badge, 77);
    check("and its rights", (long)id.rights, CAP_RIGHT_SEND);
    check("move back out of it", cspace_move(ROOT_SLOT_CSPACE, T_BACK, 4, T_CSPACE), ERR_OK);
    cspace_identify(T_CSPACE, 4, &id);
    check("the source is empty", (long)id.type, CAP_NULL);
    cspace_identify(ROOT_SLOT_CSPACE, T_BACK, &id);
    check("the destination has it", (long)id.badge, 77);

    long r = cspace_copy(T_CSPACE, 5, T_EP, CAP_RIGHTS_ALL, SETUP_ROOT_SLOTS);
    check_bad_argument("source CSpace outside the caller's", r, CSPACE_COPY_ARG_SOURCE_CSPACE, 0,
                       SETUP_ROOT_SLOTS - 1);
    check("source CSpace slot empty", cspace_copy(T_CSPACE, 5, T_EP, CAP_RIGHTS_ALL, T_SPARE),
          ERR_EMPTY_SLOT);
    check("source CSpace not a CSpace", cspace_copy(T_CSPACE, 5, T_EP, CAP_RIGHTS_ALL, T_EP),
          ERR_WRONG_TYPE);
    r = cspace_move(ROOT_SLOT_CSPACE, T_SPARE, 16, T_CSPACE);
    check_bad_argument("source slot past the source CSpace", r, CSPACE_MOVE_ARG_SRC, 1, 15);
    r = cspace_copy(T_CSPACE, 16, T_EP, CAP_RIGHTS_ALL, ROOT_SLOT_CSPACE);
    check_bad_argument("destination past the CSpace invoked", r, CSPACE_COPY_ARG_DEST, 1, 15);
    check("an Untyped still cannot be copied across",
          cspace_copy(T_CSPACE, 6, T_UT, CAP_RIGHTS_ALL, ROOT_SLOT_CSPACE), ERR_NOT_PERMITTED);

    /* MR4 outside the message's length is absent: a 4-word copy names a
       source in the CSpace invoked, whatever is in the register. */
    m = (struct missive_msg){.mr = {6, 3, CAP_RIGHTS_ALL, 0, T_EP}};
    check("a 4-word copy ignores MR4",
          missive_syscall(SYS_CALL, T_CSPACE, MSG_TAG(CSPACE_COPY, 4, 0), &m), ERR_OK);
    cspace_identify(T_CSPACE, 6, &id);
    check("and copied within the CSpace", (long)id.type, CAP_ENDPOINT);
    check("revoke the endpoint", cspace_revoke(ROOT_SLOT_CSPACE, T_EP, NULL), ERR_OK);
    cspace_identify(T_CSPACE, 3, &id);
    check("its copy in the other CSpace went too", (long)id.type, CAP_NULL);
    cspace_delete(ROOT_SLOT_CSPACE, T_EP);
    cspace_delete(ROOT_SLOT_CSPACE, T_BACK);
}

static void test_identify_untyped(uint64_t parent_phys)
{
    struct cspace_identity id = {0};
    check("identify the suite's Untyped", cspace_identify(ROOT_SLOT_CSPACE, T_UT, NULL), ERR_OK);
    cspace_identify(ROOT_SLOT_CSPACE, T_UT, &id);
    check("an Untyped's physical address is its boot one", id.physical == parent_phys, 1);
    cspace_identify(ROOT_SLOT_CSPACE, ROOT_SLOT_IPC_BUFFER, &id);
    check("a frame's address is not shown", (long)id.physical, 0);
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
        cspace_delete(ROOT_SLOT_CSPACE, T_RECEIVED); /* whatever stayed */
        receive_ep = T_EP_NO_GRANT;
    }
}

/* An endpoint (T_EP, and T_EP_NO_GRANT receive-only) and lender_server
   receiving on receive_ep with its IPC buffer at T_MAP_AT. */
static void start_lender(uint64_t receive_ep)
{
    check("an endpoint", untyped_retype(T_UT, CAP_ENDPOINT, 0, T_EP, 1), ERR_OK);
    check("a receive-only copy",
          cspace_copy(ROOT_SLOT_CSPACE, T_EP_NO_GRANT, T_EP, CAP_RIGHT_RECEIVE, 0), ERR_OK);
    check("the server thread", untyped_retype(T_UT, CAP_THREAD, 0, T_SERVER, 1), ERR_OK);
    check("its buffer", untyped_retype(T_UT, CAP_FRAME, PAGE_BITS, T_SERVER_BUFFER, 1), ERR_OK);
    check("mapped", setup_map_with_tables(T_SERVER_BUFFER, T_MAP_AT, T_UT, T_TABLE), ERR_OK);
    check("registered", thread_set_ipc_buffer(T_SERVER, T_SERVER_BUFFER), ERR_OK);
    check("start it",
          setup_thread_start(T_SERVER, (struct setup_thread){.priority = 255}, lender_server,
                             receive_ep),
          ERR_OK);
}

static void test_lend_untyped(void)
{
    struct missive_msg m = {0};
    struct cspace_identity id = {0};
    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    start_lender(T_EP);

    check("a 4 KiB Untyped to lend", untyped_retype(T_UT, CAP_UNTYPED, PAGE_BITS, T_CHILD_UT, 1),
          ERR_OK);
    cspace_identify(ROOT_SLOT_CSPACE, T_CHILD_UT, &id);
    uint64_t phys = id.physical;
    mine->caps[0] = T_CHILD_UT;
    mine->receive_slot = T_RETURNED;
    m = (struct missive_msg){0};
    check("call carrying the Untyped", missive_syscall(SYS_CALL, T_EP, MSG_TAG(1, 0, 1), &m),
          ERR_OK);
    check("the server received one capability", (long)server_received_caps, 1);
    check("its reply carried one back", (long)MSG_CAPS(m.tag), 1);
    check("the reply went", (long)server_reply_result, ERR_OK);
    cspace_identify(ROOT_SLOT_CSPACE, T_CHILD_UT, &id);
    check("the Untyped moved: the sender's slot is empty", (long)id.type, CAP_NULL);
    cspace_identify(ROOT_SLOT_CSPACE, T_RETURNED, &id);
    check("it came back in the receive slot", (long)id.type, CAP_UNTYPED);
    check("the same memory", id.physical == phys, 1);
    check("and can be retyped", untyped_retype(T_RETURNED, CAP_ENDPOINT, 0, T_SPARE, 1), ERR_OK);
    uint64_t deleted = 0;
    check("revoke the parent", cspace_revoke(ROOT_SLOT_CSPACE, T_UT, &deleted), ERR_OK);
    check("it deleted what the suite made", deleted >= 8, 1);
    cspace_identify(ROOT_SLOT_CSPACE, T_RETURNED, &id);
    check("deletes the lent Untyped wherever it went", (long)id.type, CAP_NULL);
    cspace_identify(ROOT_SLOT_CSPACE, T_SPARE, &id);
    check("and what was made from it", (long)id.type, CAP_NULL);
}

/* A server receiving through a capability without the grant right cannot
   answer with capabilities: the reply arrives without them. */
static void test_reply_without_grant(void)
{
    struct missive_msg m = {0};
    struct cspace_identity id = {0};
    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    start_lender(T_EP_NO_GRANT);
    check("an endpoint to send", untyped_retype(T_UT, CAP_ENDPOINT, 0, T_CHILD_UT, 1), ERR_OK);
    mine->caps[0] = T_CHILD_UT;
    mine->receive_slot = T_RETURNED;
    check("call carrying it", missive_syscall(SYS_CALL, T_EP, MSG_TAG(1, 0, 1), &m), ERR_OK);
    check("the server received it", (long)server_received_caps, 1);
    check("the reply carried nothing back", (long)MSG_CAPS(m.tag), 0);
    cspace_identify(ROOT_SLOT_CSPACE, T_RETURNED, &id);
    check("the receive slot stayed empty", (long)id.type, CAP_NULL);
    mine->receive_slot = 0;
    check("suspend the server", thread_suspend(T_SERVER), ERR_OK);
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
            r = cspace_save_reply(ROOT_SLOT_CSPACE, T_SAVED);
            saver_results[0] = r;
            saver_results[1] = cspace_save_reply(ROOT_SLOT_CSPACE, T_SAVED2);
        }
        struct missive_msg a = {.mr = {42}};
        if (label == 1) {
            saver_results[2] = missive_syscall(SYS_SEND, T_SAVED, MSG_TAG(0, 1, 0), &a);
            saver_results[3] = missive_syscall(SYS_SEND, T_SAVED, MSG_TAG(0, 1, 0), &a);
        } else if (label == 2) {
            cspace_delete(ROOT_SLOT_CSPACE, T_SAVED);
        } else if (label == 3) {
            cspace_move(ROOT_SLOT_CSPACE, T_SAVED2, T_SAVED, 0);
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
    struct cspace_identity id = {0};
    check("an endpoint", untyped_retype(T_UT, CAP_ENDPOINT, 0, T_EP, 1), ERR_OK);
    check("the saving server", untyped_retype(T_UT, CAP_THREAD, 0, T_SERVER, 1), ERR_OK);
    check("start it",
          setup_thread_start(T_SERVER, (struct setup_thread){.priority = 255},
                             (void (*)(uint64_t))saver_server, 0),
          ERR_OK);
    check("no reply to save", cspace_save_reply(ROOT_SLOT_CSPACE, T_SAVED), ERR_NO_REPLY);
    long r = cspace_save_reply(ROOT_SLOT_CSPACE, SETUP_ROOT_SLOTS);
    check_bad_argument("save into a slot past the CSpace", r, CSPACE_SAVE_REPLY_ARG_SLOT, 1,
                       SETUP_ROOT_SLOTS - 1);

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
    check("a calling thread", untyped_retype(T_UT, CAP_THREAD, 0, T_CALLER, 1), ERR_OK);
    check("start it",
          setup_thread_start(T_CALLER, (struct setup_thread){.priority = 255},
                             (void (*)(uint64_t))saved_caller, 0),
          ERR_OK);
    missive_syscall(SYS_YIELD, 0, 0, &m); /* it calls; the server saves its reply */
    while (saver_results[0] != ERR_OK || caller_result != 1)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    cspace_identify(ROOT_SLOT_CSPACE, T_SAVED, &id);
    check("a reply capability", (long)id.type, CAP_REPLY);
    check("cannot be copied", cspace_copy(ROOT_SLOT_CSPACE, T_SAVED2, T_SAVED, CAP_RIGHTS_ALL, 0),
          ERR_NOT_PERMITTED);
    check("suspend the waiting caller", thread_suspend(T_CALLER), ERR_OK);
    check("its call was interrupted", caller_result, 1); /* it has not run since */
    m = (struct missive_msg){0};
    check("answer a caller that stopped waiting",
          missive_syscall(SYS_CALL, T_EP, MSG_TAG(5, 0, 0), &m), ERR_OK);
    check("the answer finds nobody", (long)m.mr[0], ERR_NO_REPLY);
    check("stop the server", thread_suspend(T_SERVER), ERR_OK);
}

int transfer_suite(void)
{
    uint64_t ut = setup_find_untyped(16, false);
    check("an Untyped of 64 KiB or more", ut != 0, 1);
    if (!ut)
        return 1;
    struct cspace_identity id = {0};
    cspace_identify(ROOT_SLOT_CSPACE, ut, &id);
    uint64_t used = id.badge; /* how far the Untyped has been retyped */
    check("a 64 KiB Untyped for the suite", untyped_retype(ut, CAP_UNTYPED, 16, T_UT, 1), ERR_OK);
    uint64_t phys = setup_boot->untyped[ut - setup_boot->untyped_first].phys;
    test_identify_untyped(phys + ((used + 0xffff) & ~0xfffful));
    test_cross_cspace();
    test_lend_untyped();
    cspace_revoke(ROOT_SLOT_CSPACE, T_UT, NULL);
    test_reply_without_grant();
    cspace_revoke(ROOT_SLOT_CSPACE, T_UT, NULL);
    test_saved_replies();
    return check_report("transfer");
}
