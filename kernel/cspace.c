/*
 * Capability slots and the derivation tree; see cap.h for the contracts.
 *
 * Every child list is doubly linked so a slot can leave it in O(1); the first child's
 * prev_sibling is NULL and roots have no siblings. Nothing here recurses: trees can be as deep
 * as user space makes them, and the kernel stack is small.
 */
#include "cap.h"

cap_destroy_fn cap_destroy_hook = NULL;
cap_destroy_fn cap_deleted_hook = NULL;
cap_moved_fn cap_moved_hook = NULL;

/* cte_revoke keeps a pointer into the subtree across a delete, and a destroy hook may delete or
   move more under it; the count tells it whether it did (a new leaf takes nothing away). */
uint64_t cte_tree_epoch;

static const struct cte empty_cte;

static struct object_header *cap_header(const struct cap *cap)
{
    return (struct object_header *)(uintptr_t)cap->object;
}

/* Installs cap in the empty slot dest as the last child of parent (or as a root if parent is
   NULL) and counts it on a headed object. Appending keeps siblings in creation order. Needs:
   dest empty, parent NULL or occupied. Installing a CAP_NULL cap does nothing, so an empty slot
   stays all zero. */
void cte_insert(struct cte *dest, const struct cap *cap, struct cte *parent)
{
    if (cap->type == CAP_NULL)
        return;
    /* Copy first: cap may point into parent, never into the empty dest. */
    dest->cap = *cap;
    dest->parent = parent;
    dest->first_child = NULL;
    dest->next_sibling = NULL;
    dest->prev_sibling = NULL;
    if (parent) {
        struct cte *last = parent->first_child;
        if (!last) {
            parent->first_child = dest;
        } else {
            while (last->next_sibling)
                last = last->next_sibling;
            last->next_sibling = dest;
            dest->prev_sibling = last;
        }
    }
    if (cap_type_has_header(dest->cap.type))
        cap_header(&dest->cap)->cap_count++;
}

/* Derives the copy src's capability would give (cap.h) and inserts it below src. */
void cte_derive(struct cte *dest, struct cte *src, unsigned rights, uint64_t badge)
{
    struct cap cap = src->cap;
    cap.rights &= (uint8_t)rights;
    if (badge)
        cap.badge = badge;
    if (cap.type == CAP_FRAME || cap.type == CAP_PAGE_TABLE)
        cap.mapping = (struct cap_mapping){0};
    cte_insert(dest, &cap, src);
}

void cte_replace(struct cte *slot, struct cte *src)
{
    cte_delete(slot);
    if (src)
        cte_derive(slot, src, CAP_RIGHTS_ALL, 0);
}

/* Deletes the cap in slot; an empty slot is left alone. Its children take its place in its
   parent's child list, in order (or become roots if it was a root), so the tree still says
   where their memory came from. The destroy hook runs last, on a copy of the cap, once the slot
   is empty and the tree consistent: tearing down an object (a CSpace) may delete more slots. */
void cte_delete(struct cte *slot)
{
    if (slot->cap.type == CAP_NULL)
        return;

    struct cte *parent = slot->parent;
    struct cte *prev = slot->prev_sibling;
    struct cte *next = slot->next_sibling;
    struct cte *first = slot->first_child;
    struct cte *last = NULL;
    for (struct cte *c = first, *after; c; c = after) {
        after = c->next_sibling;
        c->parent = parent;
        if (!parent) {
            /* Roots are not on any list. */
            c->prev_sibling = NULL;
            c->next_sibling = NULL;
        }
        last = c;
    }

    /* Replace slot in its parent's list by its children, or by nothing. A root has no prev
       and no next, so there is nothing to relink. */
    struct cte *head = next;
    struct cte *tail = prev;
    if (parent && first) {
        first->prev_sibling = prev;
        last->next_sibling = next;
        head = first;
        tail = last;
    }
    if (prev)
        prev->next_sibling = head;
    else if (parent)
        parent->first_child = head;
    if (next)
        next->prev_sibling = tail;

    struct cap cap = slot->cap;
    *slot = empty_cte;
    cte_tree_epoch++;

    if (cap_deleted_hook)
        cap_deleted_hook(&cap);

    if (cap_type_has_header(cap.type)) {
        struct object_header *header = cap_header(&cap);
        header->cap_count--;
        if (header->cap_count == 0 && cap_destroy_hook)
            cap_destroy_hook(&cap);
    }
}

/* Deletes descendants of slot, leaves first, leaving slot itself, until none is left or budget
   steps are used; counts the caps it deleted itself (not those a destroy hook deleted) in
   walk->deleted and returns true once slot has no children. A step is one delete or one move down
   the tree, so a call does bounded work, and a caller that stops between calls (to let an interrupt
   in) loses nothing: the next call goes on with whatever is left below slot, from where the last
   one stopped (walk->at) if the tree has not changed since, else from slot. Iterative: the subtree
   may be deeper than the kernel stack allows recursion. After each delete it climbs back to the
   deleted leaf's parent, so the walk is linear; if a destroy hook changed the tree meanwhile that
   parent may be gone or elsewhere, so it starts over from slot. When the budget runs out on the way
   down, the node reached is deleted although it has children (they move up to its parent): so every
   call deletes at least one cap, however deep the tree. If a hook deletes slot itself, slot's
   remaining children have moved to slot's parent (cte_delete) and are left alone. Needs: budget >
   0; walk zeroed before the first call for slot, and given to no other slot's revoke meanwhile. */
bool cte_revoke(struct cte *slot, size_t budget, struct cte_revoke_walk *walk)
{
    struct cte *cur = walk->at && walk->epoch == cte_tree_epoch ? walk->at : slot;
    while (slot->first_child && budget > 0) {
        while (cur->first_child && budget > 1) {
            cur = cur->first_child;
            budget--;
        }
        if (cur == slot)
            cur = slot->first_child; /* budget 1 at slot: delete its first child */
        /* cur is below slot, so its parent is slot or inside the subtree. */
        struct cte *up = cur->parent;
        uint64_t before = cte_tree_epoch;
        cte_delete(cur);
        walk->deleted++;
        budget--;
        cur = cte_tree_epoch == before + 1 ? up : slot;
    }
    walk->at = cur;
    walk->epoch = cte_tree_epoch;
    return !slot->first_child;
}

/* Moves the cap in src into the empty slot dest with src's place in the tree: parent, siblings
   and children now point at dest. Counts do not change (the cap is neither made nor lost), so
   no hook runs. src ends empty. Needs: dest empty; moving an empty src, or a slot onto itself,
   does nothing. */
void cte_move(struct cte *dest, struct cte *src)
{
    if (dest == src || src->cap.type == CAP_NULL)
        return;
    *dest = *src;
    if (dest->prev_sibling)
        dest->prev_sibling->next_sibling = dest;
    else if (dest->parent)
        dest->parent->first_child = dest;
    if (dest->next_sibling)
        dest->next_sibling->prev_sibling = dest;
    for (struct cte *c = dest->first_child; c; c = c->next_sibling)
        c->parent = dest;
    *src = empty_cte;
    cte_tree_epoch++;
    if (cap_moved_hook)
        cap_moved_hook(dest);
}

/* True if slot has children; false for an empty slot. */
bool cte_has_children(const struct cte *slot)
{
    return slot->first_child != NULL;
}
