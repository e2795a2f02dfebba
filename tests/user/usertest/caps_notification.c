/*
 * usertest caps: notifications. Signals and their badges; a thread bound
 * to a notification, woken by a signal while it waits on an endpoint.
 */
#include <stdint.h>

#include "caps.h"

/* Badges OR together into the notification's word; a wait takes and clears it. */
void test_notification_signals(uint64_t ut)
{
    struct missive_msg m = {0};
    check("retype a notification", untyped_retype(ut, CAP_NOTIFICATION, 0, S_NTFN, 1), ERR_OK);
    check("mint badge 1", cspace_mint(ROOT_SLOT_CSPACE, S_NTFN_A, S_NTFN, CAP_RIGHT_SEND, 0x1, 0),
          ERR_OK);
    check("mint badge 4", cspace_mint(ROOT_SLOT_CSPACE, S_NTFN_B, S_NTFN, CAP_RIGHT_SEND, 0x4, 0),
          ERR_OK);
    check("poll an empty notification", sys(SYS_NB_RECV, S_NTFN, &m), ERR_WOULD_BLOCK);
    check("signal 1", sys(SYS_SEND, S_NTFN_A, &m), ERR_OK);
    check("signal 4", sys(SYS_SEND, S_NTFN_B, &m), ERR_OK);
    check("signal 4 again", sys(SYS_NB_SEND, S_NTFN_B, &m), ERR_OK);
    check("wait takes the word", sys(SYS_RECV, S_NTFN, &m), ERR_OK);
    check("the word is 1|4", (long)m.badge, 5);
    check("then it is clear", sys(SYS_NB_RECV, S_NTFN, &m), ERR_WOULD_BLOCK);
    check("an unbadged signal", sys(SYS_SEND, S_NTFN, &m), ERR_OK);
    check("still counts", sys(SYS_NB_RECV, S_NTFN, &m), ERR_OK);
    check("with word 0", (long)m.badge, 0);
    check("waiting needs the receive right", sys(SYS_NB_RECV, S_NTFN_A, &m), ERR_MISSING_RIGHT);
}

/* --- a thread bound to a notification ------------------------------------------ */

static volatile uint64_t server3_label, server3_badge, server3_events;
static volatile long server3_error;

/* Waits on its endpoint; a signal on its bound notification also wakes it. */
static void server3(void)
{
    struct missive_msg m = {0};
    for (;;) {
        long r = missive_syscall(SYS_RECV, S_EP3, 0, &m);
        if (r != ERR_OK) {
            server3_error = r;
            continue;
        }
        server3_label = MSG_LABEL(m.tag);
        server3_badge = m.badge;
        server3_events++;
        if (server3_label != NOTIFICATION_LABEL) {
            m.mr[0] += 1;
            missive_syscall(SYS_REPLY, 0, MSG_TAG(0, 1, 0), &m);
        }
    }
}

void test_bound_notification(uint64_t ut)
{
    struct missive_msg m = {0};
    check("retype an endpoint", untyped_retype(ut, CAP_ENDPOINT, 0, S_EP3, 1), ERR_OK);
    check("and a notification", untyped_retype(ut, CAP_NOTIFICATION, 0, S_BOUND_NTFN, 1), ERR_OK);
    check("a signalling copy",
          cspace_mint(ROOT_SLOT_CSPACE, S_BOUND_SIGNAL, S_BOUND_NTFN, CAP_RIGHT_SEND, 0x10, 0),
          ERR_OK);
    check("retype server3", untyped_retype(ut, CAP_THREAD, 0, S_SERVER3, 1), ERR_OK);
    check("binding needs a notification", thread_bind_notification(S_SERVER3, S_EP3),
          ERR_WRONG_TYPE);
    check("binding needs the receive right", thread_bind_notification(S_SERVER3, S_BOUND_SIGNAL),
          ERR_MISSING_RIGHT);
    check("bind it", thread_bind_notification(S_SERVER3, S_BOUND_NTFN), ERR_OK);
    check("not twice", thread_bind_notification(ROOT_SLOT_THREAD, S_BOUND_NTFN), ERR_NOT_PERMITTED);
    check("start server3",
          setup_thread_start(S_SERVER3, (struct setup_thread){.priority = 10},
                             (void (*)(uint64_t))server3, 0),
          ERR_OK);
    for (int i = 0; i < 10; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m); /* it now waits on its endpoint */
    check("signal its notification", sys(SYS_SEND, S_BOUND_SIGNAL, &m), ERR_OK);
    for (int i = 0; i < SETTLE && !server3_events; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the signal ended its endpoint wait", (long)server3_events, 1);
    check("labelled as a notification", (long)server3_label, NOTIFICATION_LABEL);
    check("with the badge as the word", (long)server3_badge, 0x10);
    m.mr[0] = 5;
    check("a call still works", missive_syscall(SYS_CALL, S_EP3, MSG_TAG(1, 1, 0), &m), ERR_OK);
    check("and is answered", (long)m.mr[0], 6);
    for (int i = 0; i < 10; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m); /* back to waiting */
    check("suspend server3 in its wait", thread_suspend(S_SERVER3), ERR_OK);
    check("resume it", thread_resume(S_SERVER3), ERR_OK);
    for (int i = 0; i < SETTLE && !server3_error; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("its wait ended with ERR_INTERRUPTED", server3_error, ERR_INTERRUPTED);
    check("suspend server3", thread_suspend(S_SERVER3), ERR_OK);
    check("unbind", thread_bind_notification(S_SERVER3, 0), ERR_OK);
    check("a copy to bind with",
          cspace_copy(ROOT_SLOT_CSPACE, S_BOUND_COPY, S_BOUND_NTFN, CAP_RIGHTS_ALL, 0), ERR_OK);
    check("bind through the copy", thread_bind_notification(S_SERVER3, S_BOUND_COPY), ERR_OK);
    check("revoking the copy's source ends the binding",
          cspace_revoke(ROOT_SLOT_CSPACE, S_BOUND_COPY, NULL), ERR_OK);
    check("now another thread may bind it",
          thread_bind_notification(ROOT_SLOT_THREAD, S_BOUND_NTFN), ERR_OK);
    check("and unbind", thread_bind_notification(ROOT_SLOT_THREAD, 0), ERR_OK);
}
