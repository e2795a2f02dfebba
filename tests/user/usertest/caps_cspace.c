/*
 * usertest caps: CSpaces. Copy, mint (badges), revoke of a derivation
 * subtree, delete, move; and a thread confined to a CSpace of its own,
 * which loses it when the CSpace is revoked.
 */
#include <stdint.h>

#include "caps.h"

/* Copy, mint, revoke and delete, on S_EP (test_retype made it). */
void test_derivation(void)
{
    struct missive_msg m = {0};
    struct cspace_identity id = {0};
    uint64_t deleted = 0;
    check("mint a send-only badged copy",
          cspace_mint(ROOT_SLOT_CSPACE, S_EP_BADGED, S_EP, CAP_RIGHT_SEND, 0x42, 0), ERR_OK);
    check("no re-badging",
          cspace_mint(ROOT_SLOT_CSPACE, S_COPY1, S_EP_BADGED, CAP_RIGHT_SEND, 0x43, 0),
          ERR_NOT_PERMITTED);
    long r = cspace_mint(ROOT_SLOT_CSPACE, S_COPY1, S_EP, CAP_RIGHT_SEND, 0, 0);
    check_bad_argument("mint with badge 0", r, CSPACE_MINT_ARG_BADGE, 1, UINT64_MAX);
    r = cspace_copy(ROOT_SLOT_CSPACE, S_COPY1, S_EP, 0x20, 0);
    check_bad_argument("copy with unknown rights", r, CSPACE_COPY_ARG_RIGHTS, 0, CAP_RIGHTS_ALL);
    r = cspace_copy(ROOT_SLOT_CSPACE, SETUP_ROOT_SLOTS, S_EP, CAP_RIGHTS_ALL, 0);
    check_bad_argument("copy to slot 4096", r, CSPACE_COPY_ARG_DEST, 1, SETUP_ROOT_SLOTS - 1);
    check("copy from an empty slot",
          cspace_copy(ROOT_SLOT_CSPACE, S_COPY1, S_EMPTY, CAP_RIGHTS_ALL, 0), ERR_EMPTY_SLOT);
    check("copy onto a capability",
          cspace_copy(ROOT_SLOT_CSPACE, S_EP_BADGED, S_EP, CAP_RIGHTS_ALL, 0), ERR_SLOT_OCCUPIED);
    check("mint of a non-endpoint",
          cspace_mint(ROOT_SLOT_CSPACE, S_COPY1, ROOT_SLOT_DEBUG, 1, 5, 0), ERR_NOT_PERMITTED);
    check("receive without the right", sys(SYS_NB_RECV, S_EP_BADGED, &m), ERR_MISSING_RIGHT);
    check("send with nobody waiting", sys(SYS_NB_SEND, S_EP_BADGED, &m), ERR_WOULD_BLOCK);
    check("receive with nobody sending", sys(SYS_NB_RECV, S_EP, &m), ERR_WOULD_BLOCK);

    /* A revoke removes the whole subtree; the original stays. */
    check("copy", cspace_copy(ROOT_SLOT_CSPACE, S_COPY1, S_EP, CAP_RIGHTS_ALL, 0), ERR_OK);
    check("copy of the copy", cspace_copy(ROOT_SLOT_CSPACE, S_COPY2, S_COPY1, CAP_RIGHT_SEND, 0),
          ERR_OK);
    check("copy keeps only rights asked for",
          cspace_identify(ROOT_SLOT_CSPACE, S_COPY2, &id) == ERR_OK && id.rights == CAP_RIGHT_SEND,
          1);
    check("revoke the original",
          cspace_revoke(ROOT_SLOT_CSPACE, S_EP, &deleted) == ERR_OK && deleted == 3, 1);
    check("the copies are gone",
          cspace_identify(ROOT_SLOT_CSPACE, S_COPY2, &id) == ERR_OK && id.type == CAP_NULL, 1);
    check("the original stays", sys(SYS_NB_RECV, S_EP, &m), ERR_WOULD_BLOCK);
    check("delete it", cspace_delete(ROOT_SLOT_CSPACE, S_EP), ERR_OK);
    check("delete an empty slot", cspace_delete(ROOT_SLOT_CSPACE, S_EP), ERR_EMPTY_SLOT);
}

/* Moving a capability: S_NTFN (test_notification_signals made it) to S_MOVED. */
void test_cspace_move(void)
{
    struct missive_msg m = {0};
    check("move a capability", cspace_move(ROOT_SLOT_CSPACE, S_MOVED, S_NTFN, 0), ERR_OK);
    check("the old slot is empty", sys(SYS_NB_RECV, S_NTFN, &m), ERR_EMPTY_SLOT);
    check("the new slot works", sys(SYS_NB_RECV, S_MOVED, &m), ERR_WOULD_BLOCK);
    check("move onto a capability", cspace_move(ROOT_SLOT_CSPACE, S_MOVED, S_NTFN_A, 0),
          ERR_SLOT_OCCUPIED);
}

/* --- a thread confined to a CSpace of its own ---------------------------------- */

static volatile long child_results[8];
static volatile int child_done;

/* A thread with a CSpace of its own holding nothing: every slot it names is
   empty, whatever the root task holds. */
static void confined_child(void)
{
    struct missive_msg m = {0};
    for (int slot = 0; slot < 8; slot++)
        child_results[slot] = missive_syscall(SYS_CALL, (uint64_t)slot + 1, 0, &m);
    child_done = 1;
    for (;;) {
        child_results[0] = missive_syscall(SYS_CALL, 1, 0, &m);
        missive_syscall(SYS_YIELD, 0, 0, &m);
    }
}

/* The child reaches nothing through its empty CSpace, and loses even that
   when the CSpace is revoked. */
void test_confinement(uint64_t ut)
{
    check("retype a child thread", untyped_retype(ut, CAP_THREAD, 0, S_CHILD, 1), ERR_OK);
    check("retype an empty 16-slot CSpace", untyped_retype(ut, CAP_CSPACE, 4, S_CHILD_CSPACE, 1),
          ERR_OK);
    check("start the confined child",
          setup_thread_start(S_CHILD,
                             (struct setup_thread){.cspace = S_CHILD_CSPACE, .priority = 10},
                             (void (*)(uint64_t))confined_child, 0),
          ERR_OK);
    struct missive_msg m;
    for (int i = 0; i < SETTLE && !child_done; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the child ran", child_done, 1);
    for (int slot = 0; slot < 8; slot++)
        check("the child reaches nothing", child_results[slot], ERR_EMPTY_SLOT);
    /* Revoking the CSpace capability it was configured with takes the
       CSpace from it at once; deleting the last capability destroys it. */
    check("revoke the child's CSpace", cspace_revoke(ROOT_SLOT_CSPACE, S_CHILD_CSPACE, NULL),
          ERR_OK);
    check("delete it", cspace_delete(ROOT_SLOT_CSPACE, S_CHILD_CSPACE), ERR_OK);
    for (int i = 0; i < SETTLE && child_results[0] != ERR_INVALID_SLOT; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the child has no CSpace now", child_results[0], ERR_INVALID_SLOT);
    check("suspend the child", thread_suspend(S_CHILD), ERR_OK);
}
