/*
 * usertest caps: Untyped memory. Retype's arguments and limits, how many
 * objects a small Untyped holds, its reset by a revoke; and a retype long
 * enough to be preempted and restarted.
 */
#include <stdint.h>

#include "caps.h"

/* How many endpoints a one-page Untyped holds. */
#define ENDPOINTS_PER_PAGE (1 << (PAGE_BITS - ENDPOINT_BITS))

void test_retype(uint64_t ut)
{
    struct cspace_identity id = {0};
    uint64_t deleted = 0;
    check("retype an endpoint", untyped_retype(ut, CAP_ENDPOINT, 0, S_EP, 1), ERR_OK);
    check("identify it", cspace_identify(ROOT_SLOT_CSPACE, S_EP, &id), ERR_OK);
    check("identified type", (long)id.type, CAP_ENDPOINT);
    check("identified rights", (long)id.rights, CAP_RIGHTS_ALL);
    check("retype into an occupied slot", untyped_retype(ut, CAP_ENDPOINT, 0, S_EP, 1),
          ERR_SLOT_OCCUPIED);
    check_bad_argument("retype type 0", untyped_retype(ut, CAP_NULL, 0, S_SPARE, 1),
                       UNTYPED_RETYPE_ARG_TYPE, CAP_UNTYPED, CAP_TYPE_COUNT - 1);
    check_bad_argument("retype type 99", untyped_retype(ut, 99, 0, S_SPARE, 1),
                       UNTYPED_RETYPE_ARG_TYPE, CAP_UNTYPED, CAP_TYPE_COUNT - 1);
    check_bad_argument("retype a debug cap", untyped_retype(ut, CAP_DEBUG, 0, S_SPARE, 1),
                       UNTYPED_RETYPE_ARG_TYPE, CAP_UNTYPED, CAP_TYPE_COUNT - 1);
    check_bad_argument("retype a 8 KiB frame",
                       untyped_retype(ut, CAP_FRAME, FRAME_SMALL_BITS + 1, S_SPARE, 1),
                       UNTYPED_RETYPE_ARG_SIZE_BITS, FRAME_SMALL_BITS, FRAME_LARGE_BITS);
    check_bad_argument("retype a 1-slot CSpace", untyped_retype(ut, CAP_CSPACE, 0, S_SPARE, 1),
                       UNTYPED_RETYPE_ARG_SIZE_BITS, CSPACE_MIN_BITS, CSPACE_MAX_BITS);
    check_bad_argument("retype 0 objects", untyped_retype(ut, CAP_ENDPOINT, 0, S_SPARE, 0),
                       UNTYPED_RETYPE_ARG_COUNT, 1, RETYPE_MAX_COUNT);
    check_bad_argument("retype 257 objects",
                       untyped_retype(ut, CAP_ENDPOINT, 0, S_SPARE, RETYPE_MAX_COUNT + 1),
                       UNTYPED_RETYPE_ARG_COUNT, 1, RETYPE_MAX_COUNT);
    check_bad_argument("retype past the last slot",
                       untyped_retype(ut, CAP_ENDPOINT, 0, SETUP_ROOT_SLOTS - 1, 2),
                       UNTYPED_RETYPE_ARG_DEST, 1, SETUP_ROOT_SLOTS - 2);
    check_bad_argument("retype into slot 0", untyped_retype(ut, CAP_ENDPOINT, 0, 0, 1),
                       UNTYPED_RETYPE_ARG_DEST, 1, SETUP_ROOT_SLOTS - 1);
    check("retype through a non-Untyped",
          untyped_retype(ROOT_SLOT_DEBUG, CAP_ENDPOINT, 0, S_SPARE, 1), ERR_INVALID_LABEL);

    /* A 4 KiB Untyped holds 64 endpoints, not 65; revoking it frees it. */
    check("retype a 4 KiB Untyped", untyped_retype(ut, CAP_UNTYPED, PAGE_BITS, S_SMALL_UT, 1),
          ERR_OK);
    check("64 endpoints fit",
          untyped_retype(S_SMALL_UT, CAP_ENDPOINT, 0, S_MANY, ENDPOINTS_PER_PAGE), ERR_OK);
    check("the 65th does not",
          untyped_retype(S_SMALL_UT, CAP_ENDPOINT, 0, S_MANY + ENDPOINTS_PER_PAGE, 1),
          ERR_NOT_ENOUGH_MEMORY);
    check("a thread does not fit either",
          untyped_retype(S_SMALL_UT, CAP_THREAD, 0, S_MANY + ENDPOINTS_PER_PAGE, 1),
          ERR_NOT_ENOUGH_MEMORY);
    check("retype a 2^13-byte Untyped from 2^12",
          untyped_retype(S_SMALL_UT, CAP_UNTYPED, PAGE_BITS + 1, S_SPARE, 1),
          ERR_NOT_ENOUGH_MEMORY);
    check("revoke the small Untyped", cspace_revoke(ROOT_SLOT_CSPACE, S_SMALL_UT, NULL), ERR_OK);
    check("its children are gone",
          cspace_identify(ROOT_SLOT_CSPACE, S_MANY + ENDPOINTS_PER_PAGE - 1, &id) == ERR_OK &&
              id.type == CAP_NULL,
          1);
    check("after the reset 64 fit again",
          untyped_retype(S_SMALL_UT, CAP_ENDPOINT, 0, S_MANY, ENDPOINTS_PER_PAGE), ERR_OK);
    check("and a revoke counts them",
          cspace_revoke(ROOT_SLOT_CSPACE, S_SMALL_UT, &deleted) == ERR_OK &&
              deleted == ENDPOINTS_PER_PAGE,
          1);
    check("copying an Untyped is refused",
          cspace_copy(ROOT_SLOT_CSPACE, S_SPARE, ut, CAP_RIGHTS_ALL, 0), ERR_NOT_PERMITTED);
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
    check("retype 16 2 MiB frames",
          untyped_retype(big, CAP_FRAME, FRAME_LARGE_BITS, S_BIG_FRAMES, 16), ERR_OK);
    struct cspace_identity id = {0};
    check("the last one is there",
          cspace_identify(ROOT_SLOT_CSPACE, S_BIG_FRAMES + 15, &id) == ERR_OK &&
              id.type == CAP_FRAME && id.size == FRAME_LARGE_BITS,
          1);
    check("revoke them", cspace_revoke(ROOT_SLOT_CSPACE, big, NULL), ERR_OK);
}
