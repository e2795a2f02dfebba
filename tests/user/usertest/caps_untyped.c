/*
 * usertest caps: Untyped memory. Retype's arguments and limits, how many
 * objects a small Untyped holds, its reset by a revoke; and a retype long
 * enough to be preempted and restarted.
 */
#include <stdint.h>

#include "caps.h"

void test_retype(uint64_t ut)
{
    struct missive_msg m;
    check("retype an endpoint", retype(ut, CAP_ENDPOINT, 0, S_EP, 1), ERR_OK);
    check("identify it", invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, S_EP, 0, 0, 0, &m), ERR_OK);
    check("identified type", (long)m.mr[0], CAP_ENDPOINT);
    check("identified rights", (long)m.mr[1], CAP_RIGHTS_ALL);
    check("retype into an occupied slot", retype(ut, CAP_ENDPOINT, 0, S_EP, 1), ERR_SLOT_OCCUPIED);
    check_bad_argument("retype type 0", invoke(ut, UNTYPED_RETYPE, CAP_NULL, 0, S_SPARE, 1, &m), &m,
                       0, 1, 14);
    check_bad_argument("retype type 99", invoke(ut, UNTYPED_RETYPE, 99, 0, S_SPARE, 1, &m), &m, 0,
                       1, 14);
    check_bad_argument("retype a debug cap",
                       invoke(ut, UNTYPED_RETYPE, CAP_DEBUG, 0, S_SPARE, 1, &m), &m, 0, 1, 14);
    check_bad_argument("retype a 8 KiB frame",
                       invoke(ut, UNTYPED_RETYPE, CAP_FRAME, 13, S_SPARE, 1, &m), &m, 1, 12, 21);
    check_bad_argument("retype a 1-slot CSpace",
                       invoke(ut, UNTYPED_RETYPE, CAP_CSPACE, 0, S_SPARE, 1, &m), &m, 1, 2, 16);
    check_bad_argument("retype 0 objects",
                       invoke(ut, UNTYPED_RETYPE, CAP_ENDPOINT, 0, S_SPARE, 0, &m), &m, 3, 1, 256);
    check_bad_argument("retype 257 objects",
                       invoke(ut, UNTYPED_RETYPE, CAP_ENDPOINT, 0, S_SPARE, 257, &m), &m, 3, 1,
                       256);
    check_bad_argument("retype past the last slot",
                       invoke(ut, UNTYPED_RETYPE, CAP_ENDPOINT, 0, 4095, 2, &m), &m, 2, 1, 4094);
    check_bad_argument("retype into slot 0", invoke(ut, UNTYPED_RETYPE, CAP_ENDPOINT, 0, 0, 1, &m),
                       &m, 2, 1, 4095);
    check("retype through a non-Untyped", retype(ROOT_SLOT_DEBUG, CAP_ENDPOINT, 0, S_SPARE, 1),
          ERR_INVALID_LABEL);

    /* A 4 KiB Untyped holds 64 endpoints, not 65; revoking it frees it. */
    check("retype a 4 KiB Untyped", retype(ut, CAP_UNTYPED, 12, S_SMALL_UT, 1), ERR_OK);
    check("64 endpoints fit", retype(S_SMALL_UT, CAP_ENDPOINT, 0, S_MANY, 64), ERR_OK);
    check("the 65th does not", retype(S_SMALL_UT, CAP_ENDPOINT, 0, S_MANY + 64, 1),
          ERR_NOT_ENOUGH_MEMORY);
    check("a thread does not fit either", retype(S_SMALL_UT, CAP_THREAD, 0, S_MANY + 64, 1),
          ERR_NOT_ENOUGH_MEMORY);
    check("retype a 2^13-byte Untyped from 2^12", retype(S_SMALL_UT, CAP_UNTYPED, 13, S_SPARE, 1),
          ERR_NOT_ENOUGH_MEMORY);
    check("revoke the small Untyped", cs(CSPACE_REVOKE, S_SMALL_UT, 0, 0, 0), ERR_OK);
    check("its children are gone",
          invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, S_MANY + 63, 0, 0, 0, &m) == ERR_OK &&
              m.mr[0] == CAP_NULL,
          1);
    check("after the reset 64 fit again", retype(S_SMALL_UT, CAP_ENDPOINT, 0, S_MANY, 64), ERR_OK);
    check("and a revoke counts them",
          invoke(ROOT_SLOT_CSPACE, CSPACE_REVOKE, S_SMALL_UT, 0, 0, 0, &m) == ERR_OK &&
              m.mr[0] == 64,
          1);
    check("copying an Untyped is refused", cs(CSPACE_COPY, S_SPARE, ut, CAP_RIGHTS_ALL, 0),
          ERR_NOT_PERMITTED);
}

/* Retyping 32 MiB of frames zeroes 32 MiB: the kernel stops for pending
   interrupts and the call restarts where it left off (the idle line counts
   the restarts; the harness checks there were some). */
void test_long_retype(void)
{
    uint64_t big = setup_find_untyped(26, false);
    check("an Untyped of 64 MiB", big != 0, 1);
    if (!big)
        return;
    check("retype 16 2 MiB frames", retype(big, CAP_FRAME, 21, S_BIG_FRAMES, 16), ERR_OK);
    struct missive_msg m;
    check("the last one is there",
          invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, S_BIG_FRAMES + 15, 0, 0, 0, &m) == ERR_OK &&
              m.mr[0] == CAP_FRAME && m.mr[3] == 21,
          1);
    check("revoke them", cs(CSPACE_REVOKE, big, 0, 0, 0), ERR_OK);
}
