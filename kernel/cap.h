/*
 * Capabilities and the derivation tree (docs/kernel.md).
 *
 * A capability is a typed, unforgeable reference to a kernel object with rights and, for endpoints
 * and notifications, a badge. It lives in a slot (struct cte) of a CSpace; user programs name it by
 * slot number. Slots are linked into one derivation tree: every capability made from another (a
 * copy, a mint, an object retyped from Untyped) is a child of its source. Revoking a capability
 * deletes its whole subtree; deleting one moves its children up to its parent, so the tree keeps
 * saying which memory (which Untyped) every object came from.
 *
 * This file and cspace.c are pure C: the host unit tests compile them as is.
 */
#ifndef MISSIVE_CAP_H
#define MISSIVE_CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "missive/caps.h"

/* Kernel objects with state keep this header first. The count of
   capabilities naming the object decides when it dies (frames, page tables
   and Untyped have no header: they need no destruction). */
struct object_header {
    uint32_t cap_count;
    uint16_t type; /* enum cap_type of the capabilities that name it */
    uint16_t flags;
};

/* A Frame's or PageTable's mapping: held by the capability that mapped it, so one capability
   maps at most once, and naming the VSpace by id, so a mapping can outlive its VSpace. */
struct cap_mapping {
    uint64_t vaddr;     /* where it is mapped; for a table, the base of the range it covers */
    uint32_t vspace_id; /* the VSpace it is mapped in; 0: not mapped */
    uint8_t level;      /* PageTable: 2 PDPT, 1 PD, 0 PT (what it was mapped as) */
    uint8_t rights;     /* Frame: the mapping's CAP_RIGHT_* (an IPC buffer must be writable) */
};

/* What the last 16 bytes of a capability mean depends on its type: one member per type, all
   zero in a new capability, and only the member of the capability's type is ever used. */
struct cap {
    uint8_t type;    /* enum cap_type; CAP_NULL for an empty slot */
    uint8_t rights;  /* CAP_RIGHT_* bits */
    uint16_t flags;  /* CAP_FLAG_* */
    uint32_t size;   /* log2 of the object's size in bytes (a CSpace: of its slot count); 0 for
                        the types that name no memory */
    uint64_t object; /* kernel address of the object (or of the memory, for Untyped/Frame) */
    union {
        uint64_t badge; /* Endpoint, Notification: delivered with each message or signal */
        struct {
            uint64_t free_index; /* bytes used from the start (reset when childless) */
            uint64_t zeroed_to;  /* a preempted retype's progress: zeroed up to here */
        } untyped;
        struct cap_mapping mapping; /* Frame, PageTable */
        struct {
            uint16_t first, last; /* the ports it covers, both included */
        } io_port;
        struct {
            uint32_t gsi; /* the line it handles */
        } irq_handler;
    };
};
_Static_assert(sizeof(struct cap) == 32, "a capability is half a slot");
_Static_assert(offsetof(struct cap, badge) == 16, "the IDENTIFY word and the fast path's badge");

/* A capability slot. Empty slots have cap.type == CAP_NULL and no links. */
struct cte {
    struct cap cap;
    struct cte *parent;
    struct cte *first_child;
    struct cte *next_sibling;
    struct cte *prev_sibling;
};

/* Called when the last capability to an object with a header is deleted (cap_count reached 0), so
   the object's type can tear it down. Set by the kernel; host tests install their own. */
typedef void (*cap_destroy_fn)(const struct cap *cap);
extern cap_destroy_fn cap_destroy_hook;

/* Called for every capability deleted, after it left the tree and before
   cap_destroy_hook, so state held by one capability rather than by its
   object (where a frame capability has the frame mapped) can be undone. */
extern cap_destroy_fn cap_deleted_hook;

/* Called with the new slot after a capability moved, so an object that
   points back at the one capability naming it (a saved reply) can follow. */
typedef void (*cap_moved_fn)(struct cte *dest);
extern cap_moved_fn cap_moved_hook;

/* True if a capability of the type may be copied (copy, mint, IPC
   transfer). Not: Untyped, PageTable, IRQ handler and Reply, of which there
   is one capability per memory range, table, line and reply. Inline: every IPC transfer asks. */
static inline bool cap_type_copyable(unsigned type)
{
    return type != CAP_UNTYPED && type != CAP_PAGE_TABLE && type != CAP_IRQ_HANDLER &&
           type != CAP_REPLY;
}

/* True for exactly the types whose object starts with a struct object_header. The others
   (Untyped, Frame, IRQ, I/O port, Reply, Debug) may hold any value in cap.object, even 0. */
static inline bool cap_type_has_header(unsigned type)
{
    return type == CAP_VSPACE || type == CAP_THREAD || type == CAP_ENDPOINT ||
           type == CAP_NOTIFICATION || type == CAP_CSPACE;
}

/* Installs cap in the empty slot dest as a child of parent (NULL for a root, as for the boot
   Untyped), incrementing the object's cap_count when its type has a header. Needs: dest empty. */
void cte_insert(struct cte *dest, const struct cap *cap, struct cte *parent);

/* Installs in the empty slot dest a copy of src's capability as src's child: the one way a
   capability is derived (copy, mint, IPC transfer, the copies a thread, an IRQ line or the trace
   keep). Its rights are src's AND rights; a non-zero badge mints it. Per-capability state stays
   with src: a copy of a Frame or PageTable starts unmapped. Needs: dest empty, src occupied, badge
   0 unless src is an Endpoint or Notification. */
void cte_derive(struct cte *dest, struct cte *src, unsigned rights, uint64_t badge);

/* Bumped by every delete and move (cspace.c: cte_revoke's walk relies on it). */
extern uint64_t cte_tree_epoch;

/* cte_derive with all rights, the copy first among src's children, not last: a constant cost
   however many copies src has (IPC transfer derives below the sender's capability). Inline: the
   fast path's capability variant then calls nothing per capability. */
static inline void cte_derive_first(struct cte *dest, struct cte *src)
{
    struct cte *next = src->first_child;
    dest->cap = src->cap;
    if (dest->cap.type == CAP_FRAME || dest->cap.type == CAP_PAGE_TABLE)
        dest->cap.mapping = (struct cap_mapping){0};
    dest->parent = src;
    dest->first_child = dest->prev_sibling = NULL;
    dest->next_sibling = next;
    if (next)
        next->prev_sibling = dest;
    src->first_child = dest;
    if (cap_type_has_header(dest->cap.type))
        ((struct object_header *)(uintptr_t)dest->cap.object)->cap_count++;
}

/* Replaces what a slot the kernel keeps for itself (a thread's, an IRQ
   line's, the trace's) holds by a full copy of src's capability, or by
   nothing when src is NULL. Needs: src occupied, and not below slot. */
void cte_replace(struct cte *slot, struct cte *src);

/* Deletes the capability in slot (no-op if empty): its children move up to its parent (keeping
   their order, placed where the slot was), it leaves the tree, and if it was the last capability to
   a headed object the destroy hook runs. The slot is left empty. */
void cte_delete(struct cte *slot);

/* How far a revoke in steps got: zeroed before its first step. */
struct cte_revoke_walk {
    struct cte *at; /* where the last step stopped, valid ... */
    uint64_t epoch; /* ... while the tree has not changed since */
    size_t deleted; /* capabilities deleted so far */
};

/* Deletes descendants of slot, deepest first, leaving slot itself, doing at most budget steps (a
   delete or a move down the tree; at least one delete per call if any descendant is left). Counts
   the deletes in walk->deleted; returns true when slot has no descendants left. Calling it again
   with the same walk goes on where it stopped. Needs: budget > 0. */
bool cte_revoke(struct cte *slot, size_t budget, struct cte_revoke_walk *walk);

/* Moves the capability in src to the empty slot dest, with its place in the
   tree (parent, children and siblings now point at dest). src ends empty. */
void cte_move(struct cte *dest, struct cte *src);

/* True if slot has children in the tree. */
bool cte_has_children(const struct cte *slot);

#endif
