/*
 * CSpace invocations: copy, mint, move, delete, revoke and identify capabilities in the CSpace
 * invoked, and save a reply into it (reply.c). The derivation tree itself is cspace.c; this file
 * decodes requests and applies the rules about what may be derived from what.
 */
#include "arch/x86_64/apic.h"
#include "invoke.h"
#include "missive/abi.h"
#include "reply.h"
#include "thread.h"

/* Revoke steps (deletes or moves down the tree, cap.h) between checks for a pending interrupt:
   about 15,000 instructions. */
#define REVOKE_STEPS 128

/* Copy, mint and move: MR0 dest in the CSpace invoked, MR1 src in the one MR4 names (0: the CSpace
   invoked; else a CSpace capability in the caller's, which is how a process manager fills a new
   process's CSpace from its own), MR2 the rights mask, MR3 mint's badge. Untyped capabilities
   cannot be copied (two holders could carve the same memory), nor badges changed once set. */
static long decode_derive(struct invocation *inv, struct cspace *cs, struct cspace_op *out)
{
    struct cspace *src_cs = cs;
    if (inv->mr[CSPACE_MINT_ARG_SOURCE_CSPACE]) {
        long error;
        struct cte *c = invoke_lookup(inv->cspace, inv->mr[CSPACE_MINT_ARG_SOURCE_CSPACE], &error);
        if (!c)
            return error == ERR_INVALID_SLOT
                       ? invoke_bad_argument(inv, CSPACE_MINT_ARG_SOURCE_CSPACE, 0,
                                             invoke_last_slot(inv->cspace))
                       : error;
        if (c->cap.type != CAP_CSPACE)
            return ERR_WRONG_TYPE;
        src_cs = (struct cspace *)c->cap.object;
    }
    out->src = invoke_slot(src_cs, inv->mr[CSPACE_MINT_ARG_SRC]);
    if (!out->slot)
        return invoke_bad_argument(inv, CSPACE_MINT_ARG_DEST, 1, invoke_last_slot(cs));
    if (!out->src)
        return invoke_bad_argument(inv, CSPACE_MINT_ARG_SRC, 1, invoke_last_slot(src_cs));
    if (inv->label != CSPACE_MOVE && out->rights > CAP_RIGHTS_ALL)
        return invoke_bad_argument(inv, CSPACE_MINT_ARG_RIGHTS, 0, CAP_RIGHTS_ALL);
    if (out->src->cap.type == CAP_NULL)
        return ERR_EMPTY_SLOT;
    if (out->slot->cap.type != CAP_NULL)
        return ERR_SLOT_OCCUPIED;
    if (inv->label == CSPACE_MOVE)
        return ERR_OK;
    if (!cap_type_copyable(out->src->cap.type))
        return ERR_NOT_PERMITTED;
    if (inv->label == CSPACE_COPY)
        return ERR_OK;
    unsigned type = out->src->cap.type;
    if ((type != CAP_ENDPOINT && type != CAP_NOTIFICATION) || out->src->cap.badge != 0)
        return ERR_NOT_PERMITTED;
    out->badge = inv->mr[CSPACE_MINT_ARG_BADGE];
    if (out->badge == 0)
        return invoke_bad_argument(inv, CSPACE_MINT_ARG_BADGE, 1, UINT64_MAX);
    return ERR_OK;
}

/* Revokes slot a for t in bounded steps: between them a pending interrupt stops it, and the
   call restarts (INVOKE_RESTART) and goes on with what is left below a. Where it got waits in t
   for the restarted call, keyed by the slot so that a restart abandoned (its registers
   rewritten) cannot add to another revoke. Returns ERR_OK or INVOKE_RESTART; the count of
   capabilities deleted goes to MR0. Needs: a occupied. */
static long revoke(struct invocation *inv, struct cte *a)
{
    struct thread *t = inv->caller;
    if (t->revoking != a)
        t->revoke_walk = (struct cte_revoke_walk){0};
    t->revoking = 0;
    while (!cte_revoke(a, REVOKE_STEPS, &t->revoke_walk)) {
        if (apic_interrupt_pending()) {
            t->revoking = a;
            return INVOKE_RESTART;
        }
    }
    invoke_reply(inv, CSPACE_REVOKE_ANSWER_DELETED, t->revoke_walk.deleted);
    return ERR_OK;
}

long cspace_decode(struct invocation *inv, struct cspace_op *out)
{
    struct cspace *cs = (struct cspace *)inv->slot->cap.object;
    /* MR0 is the slot operated on (the destination) for every label. */
    *out = (struct cspace_op){invoke_slot(cs, inv->mr[CSPACE_DELETE_ARG_SLOT]), 0,
                              inv->mr[CSPACE_COPY_ARG_RIGHTS], 0};
    switch (inv->label) {
    case CSPACE_COPY:
    case CSPACE_MINT:
    case CSPACE_MOVE:
        return decode_derive(inv, cs, out);
    case CSPACE_DELETE:
    case CSPACE_REVOKE:
    case CSPACE_SAVE_REPLY:
    case CSPACE_IDENTIFY:
        if (!out->slot)
            return invoke_bad_argument(inv, CSPACE_DELETE_ARG_SLOT, 1, invoke_last_slot(cs));
        if (inv->label == CSPACE_IDENTIFY)
            return ERR_OK; /* an empty slot too: its type is CAP_NULL */
        if (inv->label != CSPACE_SAVE_REPLY)
            return out->slot->cap.type == CAP_NULL ? ERR_EMPTY_SLOT : ERR_OK;
        if (out->slot->cap.type != CAP_NULL)
            return ERR_SLOT_OCCUPIED;
        return inv->caller->reply_to ? ERR_OK : ERR_NO_REPLY;
    default:
        return ERR_INVALID_LABEL;
    }
}

long cspace_invoke(struct invocation *inv)
{
    struct cspace_op a;
    long error = cspace_decode(inv, &a);
    if (error) {
        /* A restarted revoke that no longer decodes (its slot emptied meanwhile) is over:
           a later revoke of the same slot must not count what this one deleted. */
        inv->caller->revoking = 0;
        return error;
    }
    const struct cap *cap = &a.slot->cap;
    switch (inv->label) {
    case CSPACE_COPY:
    case CSPACE_MINT:
        cte_derive(a.slot, a.src, (unsigned)a.rights, a.badge);
        break;
    case CSPACE_MOVE:
        cte_move(a.slot, a.src);
        break;
    case CSPACE_DELETE:
        cte_delete(a.slot);
        break;
    case CSPACE_REVOKE:
        return revoke(inv, a.slot);
    case CSPACE_SAVE_REPLY:
        reply_save(inv->caller, a.slot);
        break;
    default: /* CSPACE_IDENTIFY */
        invoke_reply(inv, CSPACE_IDENTIFY_ANSWER_TYPE, cap->type);
        invoke_reply(inv, CSPACE_IDENTIFY_ANSWER_RIGHTS, cap->rights);
        /* The badge, or what the type keeps in its place (cap.h). */
        invoke_reply(inv, CSPACE_IDENTIFY_ANSWER_BADGE, cap->badge);
        invoke_reply(inv, CSPACE_IDENTIFY_ANSWER_SIZE,
                     cap->type == CAP_IRQ_HANDLER ? cap->irq_handler.gsi : cap->size);
        /* Where an Untyped lies is no secret (a memory manager aligns its
           blocks by it); a frame's address needs CAP_RIGHT_PHYS instead. */
        invoke_reply(inv, CSPACE_IDENTIFY_ANSWER_PHYSICAL,
                     cap->type == CAP_UNTYPED ? cap->object : 0);
    }
    return ERR_OK;
}
