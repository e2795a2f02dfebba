/*
 * CSpace invocations: copy, mint, move, delete, revoke and identify
 * capabilities in the CSpace invoked. The derivation tree itself is
 * cspace.c; this file decodes requests and applies the rules about what may
 * be derived from what.
 */
#include "arch/x86_64/apic.h"
#include "invoke.h"
#include "missive/abi.h"
#include "reply.h"
#include "thread.h"

/* Revoke steps (deletes or moves down the tree, cap.h) between checks for a pending interrupt:
   about 15,000 instructions. */
#define REVOKE_STEPS 128

/* Looks up slot index of cs: NULL if outside it (slot 0 is never usable). */
static struct cte *slot_in(struct cspace *cs, uint64_t index)
{
    if (index == 0 || index >= (1ull << cs->slot_bits))
        return 0;
    return cspace_slot(cs, index);
}

/* The CSpace the source slot (MR1) of copy, mint and move is in: the one
   invoked, or, if MR4 names a CSpace capability in the caller's CSpace,
   that one. This is how a process manager fills a new process's CSpace
   from its own. NULL (with the error returned) if MR4 names anything else. */
static struct cspace *source_cspace(struct invocation *inv, struct cspace *invoked, long *error)
{
    if (inv->mr[4] == 0)
        return invoked;
    struct cte *slot = invoke_lookup(inv->caller, inv->mr[4], error);
    if (!slot) {
        if (*error == ERR_INVALID_SLOT)
            *error =
                invoke_bad_argument(inv, 4, 0, (1ull << thread_cspace(inv->caller)->slot_bits) - 1);
        return 0;
    }
    if (slot->cap.type != CAP_CSPACE) {
        *error = ERR_WRONG_TYPE;
        return 0;
    }
    return (struct cspace *)slot->cap.object;
}

/* Copy and mint: a child of src in dest with rights cut to mask and, for
   mint, a badge. Untyped capabilities cannot be copied (two holders could
   carve the same memory), nor badges changed once set. */
static long derive(struct invocation *inv, struct cspace *cs, bool mint)
{
    long error;
    struct cspace *src_cs = source_cspace(inv, cs, &error);
    if (!src_cs)
        return error;
    struct cte *dest = slot_in(cs, inv->mr[0]);
    struct cte *src = slot_in(src_cs, inv->mr[1]);
    uint64_t rights = inv->mr[2], badge = mint ? inv->mr[3] : 0;
    if (!dest)
        return invoke_bad_argument(inv, 0, 1, (1ull << cs->slot_bits) - 1);
    if (!src)
        return invoke_bad_argument(inv, 1, 1, (1ull << src_cs->slot_bits) - 1);
    if (rights > CAP_RIGHTS_ALL)
        return invoke_bad_argument(inv, 2, 0, CAP_RIGHTS_ALL);
    if (src->cap.type == CAP_NULL)
        return ERR_EMPTY_SLOT;
    if (dest->cap.type != CAP_NULL)
        return ERR_SLOT_OCCUPIED;
    if (!cap_type_copyable(src->cap.type))
        return ERR_NOT_PERMITTED;
    if (mint) {
        bool badged_type = src->cap.type == CAP_ENDPOINT || src->cap.type == CAP_NOTIFICATION;
        if (!badged_type || src->cap.badge != 0)
            return ERR_NOT_PERMITTED;
        if (badge == 0)
            return invoke_bad_argument(inv, 3, 1, UINT64_MAX);
    }
    struct cap cap = src->cap;
    cap.rights &= (uint8_t)rights;
    if (mint)
        cap.badge = badge;
    if (cap.type == CAP_FRAME) { /* a copy of a frame starts unmapped */
        cap.badge = 0;
        cap.mapping = 0;
    }
    cte_insert(dest, &cap, src);
    return ERR_OK;
}

/* Revokes slot a for t in bounded steps: between them a pending interrupt stops it, and the
   call restarts (INVOKE_RESTART) and goes on with what is left below a. Where it got waits in t
   for the restarted call, keyed by the slot so that a restart abandoned (its registers
   rewritten) cannot add to another revoke. Returns ERR_OK or INVOKE_RESTART; the count of
   capabilities deleted goes to MR0. Needs: a occupied. */
static long revoke(struct thread *t, struct cte *a)
{
    if (t->revoking != a)
        t->revoke_walk = (struct cte_revoke_walk){0};
    t->revoking = 0;
    while (!cte_revoke(a, REVOKE_STEPS, &t->revoke_walk)) {
        if (apic_interrupt_pending()) {
            t->revoking = a;
            return INVOKE_RESTART;
        }
    }
    *thread_mr(&t->context, 0) = t->revoke_walk.deleted;
    return ERR_OK;
}

long cspace_invoke(struct invocation *inv)
{
    struct cspace *cs = (struct cspace *)inv->slot->cap.object;
    uint64_t slots = 1ull << cs->slot_bits;
    struct cte *a = slot_in(cs, inv->mr[0]);
    switch (inv->label) {
    case CSPACE_COPY:
        return derive(inv, cs, false);
    case CSPACE_MINT:
        return derive(inv, cs, true);
    case CSPACE_MOVE: {
        long error;
        struct cspace *src_cs = source_cspace(inv, cs, &error);
        if (!src_cs)
            return error;
        struct cte *src = slot_in(src_cs, inv->mr[1]);
        if (!a)
            return invoke_bad_argument(inv, 0, 1, slots - 1);
        if (!src)
            return invoke_bad_argument(inv, 1, 1, (1ull << src_cs->slot_bits) - 1);
        if (src->cap.type == CAP_NULL)
            return ERR_EMPTY_SLOT;
        if (a->cap.type != CAP_NULL)
            return ERR_SLOT_OCCUPIED;
        cte_move(a, src);
        return ERR_OK;
    }
    case CSPACE_DELETE:
        if (!a)
            return invoke_bad_argument(inv, 0, 1, slots - 1);
        if (a->cap.type == CAP_NULL)
            return ERR_EMPTY_SLOT;
        cte_delete(a);
        return ERR_OK;
    case CSPACE_REVOKE:
        if (!a)
            return invoke_bad_argument(inv, 0, 1, slots - 1);
        if (a->cap.type == CAP_NULL)
            return ERR_EMPTY_SLOT;
        return revoke(inv->caller, a);
    case CSPACE_SAVE_REPLY:
        return reply_save(inv, cs);
    case CSPACE_IDENTIFY:
        if (!a)
            return invoke_bad_argument(inv, 0, 1, slots - 1);
        invoke_reply_mr(inv, 0, a->cap.type);
        invoke_reply_mr(inv, 1, a->cap.rights);
        invoke_reply_mr(inv, 2, a->cap.badge);
        invoke_reply_mr(inv, 3, a->cap.size);
        /* Where an Untyped lies is no secret (a memory manager aligns its
           blocks by it); a frame's address needs CAP_RIGHT_PHYS instead. */
        invoke_reply_mr(inv, 4, a->cap.type == CAP_UNTYPED ? (uint64_t)a->cap.object : 0);
        return ERR_OK;
    default:
        return ERR_INVALID_LABEL;
    }
}
