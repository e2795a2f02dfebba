/*
 * Host unit tests for kernel/cspace (capability slots and the derivation tree).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -fno-omit-frame-pointer -Ilib -Ikernel
 *        tests/unit/test_cspace.c kernel/cspace.c -lcmocka
 *
 * Besides hand-written cases: deep and wide trees (revoke must not recurse), revokes in bounded
 * steps that resume where they stopped (or from the top when the tree changed), a randomized test
 * that checks every operation against a plain model (each slot's parent and ordered children,
 * the live caps per object, the destroy hook's calls), and a randomized test whose destroy hook
 * deletes slots like a CSpace tearing down its contents, checked by invariants. Headless caps
 * carry object addresses that would fault if dereferenced.
 */
#define _POSIX_C_SOURCE 200809L /* pthread_attr_setstacksize */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cap.h"

/* A non-canonical address: dereferencing it faults, so headless caps carrying it prove the
   module never looks at their object. */
#define BAD_OBJECT 0xdead00000000beefull

/* ---- the destroy hook and the objects it sees ---------------------------------------------- */

#define POOL 64

static struct object_header pool[POOL];
static struct object_header *g_pool = pool; /* the headers the hook may see, and their deaths */
static size_t g_npool = POOL;
static unsigned *g_deaths;
static unsigned pool_deaths[POOL];

static struct cte *g_slots; /* if set, the hook checks this tree's invariants on every call */
static size_t g_nslots;

static size_t hook_calls;
static struct cap hook_last;
static void (*hook_then)(const struct cap *cap); /* a test's extra work inside the hook */

static void check_tree(const struct cte *s, size_t n);

static struct object_header *hdr(const struct cap *cap)
{
    return (struct object_header *)(uintptr_t)cap->object;
}

static bool in_bytes(const void *p, const void *base, size_t size)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
    return a >= b && a < b + size;
}

static void test_hook(const struct cap *cap)
{
    hook_calls++;
    assert_true(cap_type_has_header(cap->type));
    struct object_header *h = hdr(cap);
    assert_int_equal(h->cap_count, 0);
    assert_int_equal(h->type, cap->type);
    if (g_slots) {
        /* The hook gets a copy, not the (now empty) slot, and a consistent tree. */
        assert_false(in_bytes(cap, g_slots, g_nslots * sizeof *g_slots));
        check_tree(g_slots, g_nslots);
    }
    if (g_deaths) {
        assert_true(h >= g_pool && h < g_pool + g_npool);
        g_deaths[h - g_pool]++;
    }
    hook_last = *cap;
    if (hook_then)
        hook_then(cap);
}

static int setup(void **state)
{
    (void)state;
    memset(pool, 0, sizeof pool);
    memset(pool_deaths, 0, sizeof pool_deaths);
    g_pool = pool;
    g_npool = POOL;
    g_deaths = pool_deaths;
    g_slots = NULL;
    g_nslots = 0;
    hook_calls = 0;
    memset(&hook_last, 0, sizeof hook_last);
    hook_then = NULL;
    cap_destroy_hook = test_hook;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cap_destroy_hook = NULL;
    return 0;
}

/* ---- helpers -------------------------------------------------------------------------------- */

/* Revokes slot in one call with no bound; returns how many caps it deleted. */
static size_t revoke_all(struct cte *slot)
{
    struct cte_revoke_walk walk = {0};
    assert_true(cte_revoke(slot, SIZE_MAX, &walk));
    return walk.deleted;
}

/* Revokes slot in calls of budget steps until it is done, as the kernel does between checks for
   interrupts; returns how many caps it deleted and, in *calls, how many calls it took. Every call
   but the last deletes at least one cap and leaves a consistent tree behind. */
static size_t revoke_in_steps(struct cte *slot, size_t budget, size_t *calls)
{
    struct cte_revoke_walk walk = {0};
    size_t n = 0;
    for (;;) {
        size_t before = walk.deleted;
        bool done = cte_revoke(slot, budget, &walk);
        n++;
        assert_true(walk.deleted - before <= budget);
        if (done)
            break;
        assert_true(walk.deleted > before);
    }
    if (calls)
        *calls = n;
    return walk.deleted;
}

static struct cap mkcap(unsigned type, uint64_t object, uint64_t badge)
{
    struct cap c = {0};
    c.type = (uint8_t)type;
    c.rights = CAP_RIGHTS_ALL;
    c.object = object;
    c.badge = badge;
    return c;
}

/* A cap to pool object k, which takes on the cap's type. */
static struct cap objcap(unsigned type, unsigned k, uint64_t badge)
{
    pool[k].type = (uint16_t)type;
    return mkcap(type, (uint64_t)(uintptr_t)&pool[k], badge);
}

static bool is_empty(const struct cte *c)
{
    static const struct cte zero;
    return memcmp(c, &zero, sizeof zero) == 0;
}

static void expect_cap(const struct cap *a, const struct cap *b)
{
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->rights, b->rights);
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->size, b->size);
    assert_int_equal(a->object, b->object);
    assert_int_equal(a->badge, b->badge);
}

/* Checks that parent's children are exactly the given slots, in order, linked both ways. */
static void expect_children(const struct cte *parent, size_t count, struct cte *const *kids)
{
    const struct cte *prev = NULL, *c = parent->first_child;
    for (size_t i = 0; i < count; i++) {
        assert_ptr_equal(c, kids[i]);
        assert_ptr_equal(c->parent, parent);
        assert_ptr_equal(c->prev_sibling, prev);
        prev = c;
        c = c->next_sibling;
    }
    assert_null(c);
    assert_int_equal(cte_has_children(parent), count > 0);
}

#define EXPECT_CHILDREN(parent, ...)                                                               \
    do {                                                                                           \
        struct cte *const kids_[] = {__VA_ARGS__};                                                 \
        expect_children((parent), sizeof kids_ / sizeof kids_[0], kids_);                          \
    } while (0)

static void expect_root(const struct cte *c)
{
    assert_int_not_equal(c->cap.type, CAP_NULL);
    assert_null(c->parent);
    assert_null(c->prev_sibling);
    assert_null(c->next_sibling);
}

/* ---- the tree invariant checker -------------------------------------------------------------- */

#define MAXN 100001

static unsigned char listed[MAXN];
static size_t stamp[MAXN];

static bool in_tree(const struct cte *s, size_t n, const struct cte *p)
{
    return in_bytes(p, s, n * sizeof *s) && ((uintptr_t)p - (uintptr_t)s) % sizeof *s == 0;
}

/* Checks every structural invariant of the slots s[0..n), which must hold the whole tree: empty
   slots are all zero and nothing links to them; every link points at an occupied slot; sibling
   links agree both ways; every non-root is listed exactly once, in its parent's list; roots
   have no siblings; parent chains have no cycles. Linear in n. */
static void check_tree(const struct cte *s, size_t n)
{
    assert_true(n <= MAXN);
    memset(listed, 0, n);
    memset(stamp, 0, n * sizeof stamp[0]);
    size_t nonroot = 0, nlisted = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cte *c = &s[i];
        if (c->cap.type == CAP_NULL) {
            assert_true(is_empty(c));
            continue;
        }
        const struct cte *links[] = {c->parent, c->first_child, c->prev_sibling, c->next_sibling};
        for (size_t k = 0; k < 4; k++) {
            if (links[k]) {
                assert_true(in_tree(s, n, links[k]));
                assert_int_not_equal(links[k]->cap.type, CAP_NULL);
                assert_ptr_not_equal(links[k], c);
            }
        }
        if (c->parent) {
            nonroot++;
        } else {
            assert_null(c->prev_sibling);
            assert_null(c->next_sibling);
        }
        if (c->prev_sibling)
            assert_ptr_equal(c->prev_sibling->next_sibling, c);
        if (c->next_sibling)
            assert_ptr_equal(c->next_sibling->prev_sibling, c);
        const struct cte *prev = NULL;
        for (const struct cte *k = c->first_child; k; k = k->next_sibling) {
            assert_true(in_tree(s, n, k));
            size_t j = (size_t)(k - s);
            assert_false(listed[j]); /* also stops a cyclic sibling list */
            listed[j] = 1;
            nlisted++;
            assert_ptr_equal(k->parent, c);
            assert_ptr_equal(k->prev_sibling, prev);
            prev = k;
        }
    }
    assert_int_equal(nlisted, nonroot);
    /* Parent chains: each walk stamps its path and stops at a root or an earlier walk's path. */
    for (size_t i = 0; i < n; i++) {
        if (s[i].cap.type == CAP_NULL || stamp[i])
            continue;
        const struct cte *c = &s[i];
        while (c && !stamp[c - s]) {
            stamp[c - s] = i + 1;
            c = c->parent;
        }
        if (c)
            assert_int_not_equal(stamp[c - s], i + 1);
    }
}

/* Checks every pool header's cap_count against the headed caps in s[0..n). */
static void check_counts(const struct cte *s, size_t n, const struct object_header *p, size_t np)
{
    unsigned *count = calloc(np, sizeof *count);
    assert_non_null(count);
    for (size_t i = 0; i < n; i++) {
        if (!cap_type_has_header(s[i].cap.type))
            continue;
        const struct object_header *h = hdr(&s[i].cap);
        assert_true(h >= p && h < p + np);
        assert_int_equal(h->type, s[i].cap.type);
        count[h - p]++;
    }
    for (size_t k = 0; k < np; k++)
        assert_int_equal(p[k].cap_count, count[k]);
    free(count);
}

/* ---- basic cases --------------------------------------------------------------------------- */

/* Exactly the types with kernel state carry a header. */
static void test_has_header(void **state)
{
    (void)state;
    for (unsigned t = 0; t < CAP_TYPE_COUNT + 4; t++) {
        bool want = t == CAP_VSPACE || t == CAP_THREAD || t == CAP_ENDPOINT ||
                    t == CAP_NOTIFICATION || t == CAP_CSPACE;
        assert_int_equal(cap_type_has_header(t), want);
    }
    assert_false(cap_type_has_header(0xffffffffu));
}

/* A root gets the cap and no links; a headed object is counted. */
static void test_insert_root(void **state)
{
    (void)state;
    struct cte s[2] = {0};
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 4096);
    u.size = 20;
    u.flags = CAP_FLAG_DEVICE;
    cte_insert(&s[0], &u, NULL);
    expect_cap(&s[0].cap, &u);
    expect_root(&s[0]);
    assert_null(s[0].first_child);
    assert_false(cte_has_children(&s[0]));

    struct cap e = objcap(CAP_ENDPOINT, 0, 7);
    cte_insert(&s[1], &e, NULL);
    expect_root(&s[1]);
    assert_int_equal(pool[0].cap_count, 1);
    check_tree(s, 2);
    check_counts(s, 2, pool, POOL);
}

/* Children are appended, so siblings keep creation order; the parent is untouched otherwise. */
static void test_insert_children_order(void **state)
{
    (void)state;
    struct cte s[5] = {0};
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    cte_insert(&s[0], &u, NULL);
    cte_insert(&s[3], &u, &s[0]);
    EXPECT_CHILDREN(&s[0], &s[3]);
    cte_insert(&s[1], &u, &s[0]);
    cte_insert(&s[4], &u, &s[0]);
    EXPECT_CHILDREN(&s[0], &s[3], &s[1], &s[4]);
    /* A grandchild goes under its own parent only. */
    cte_insert(&s[2], &u, &s[1]);
    EXPECT_CHILDREN(&s[1], &s[2]);
    EXPECT_CHILDREN(&s[0], &s[3], &s[1], &s[4]);
    expect_root(&s[0]);
    assert_false(cte_has_children(&s[2]));
    check_tree(s, 5);
}

/* cte_derive_first puts the copy first, before the older children, linked both ways, with the
   source's capability and no mapping; into an empty list it is the only child. */
static void test_derive_first(void **state)
{
    (void)state;
    struct cte s[5] = {0};
    struct cap f = mkcap(CAP_FRAME, BAD_OBJECT, 0);
    f.mapping = (struct cap_mapping){0x1000, 7, 0, CAP_RIGHT_READ};
    cte_insert(&s[0], &f, NULL);
    cte_derive_first(&s[1], &s[0]);
    EXPECT_CHILDREN(&s[0], &s[1]);
    cte_insert(&s[2], &f, &s[0]);
    cte_derive_first(&s[3], &s[0]);
    cte_derive_first(&s[4], &s[0]);
    EXPECT_CHILDREN(&s[0], &s[4], &s[3], &s[1], &s[2]);
    assert_int_equal(s[3].cap.type, CAP_FRAME);
    assert_int_equal(s[3].cap.object, BAD_OBJECT);
    assert_int_equal(s[3].cap.mapping.vspace_id, 0);
    assert_false(cte_has_children(&s[4]));
    check_tree(s, 5);
    cte_delete(&s[3]);
    EXPECT_CHILDREN(&s[0], &s[4], &s[1], &s[2]);
    check_tree(s, 5);
}

/* Inserting a cap that is itself in the parent (the usual copy) works: the cap is read first. */
static void test_insert_copy_of_parent(void **state)
{
    (void)state;
    struct cte s[2] = {0};
    struct cap e = objcap(CAP_NOTIFICATION, 3, 1);
    cte_insert(&s[0], &e, NULL);
    cte_insert(&s[1], &s[0].cap, &s[0]);
    expect_cap(&s[1].cap, &e);
    assert_int_equal(pool[3].cap_count, 2);
    check_tree(s, 2);
}

/* cte_replace, as the kernel keeps its own copies: the old copy goes (the hook runs if it was the
   last), a full copy of src becomes src's child, and NULL leaves the slot empty. */
static void test_replace(void **state)
{
    (void)state;
    struct cte s[4] = {0};
    g_slots = s;
    g_nslots = 4;
    struct cap a = objcap(CAP_ENDPOINT, 1, 0), b = objcap(CAP_NOTIFICATION, 2, 0);
    a.rights = CAP_RIGHT_SEND;
    cte_insert(&s[0], &a, NULL);
    cte_insert(&s[1], &b, NULL);
    cte_replace(&s[2], &s[0]); /* into an empty slot */
    expect_cap(&s[2].cap, &a);
    struct cte *kids[] = {&s[2]};
    expect_children(&s[0], 1, kids);
    cte_delete(&s[0]);
    cte_replace(&s[2], &s[1]); /* the last copy of a goes */
    assert_int_equal(hook_calls, 1);
    assert_int_equal(pool_deaths[1], 1);
    expect_cap(&s[2].cap, &b);
    assert_int_equal(pool[2].cap_count, 2);
    cte_replace(&s[2], NULL);
    assert_true(is_empty(&s[2]));
    assert_int_equal(pool[2].cap_count, 1);
    assert_int_equal(hook_calls, 1);
    check_tree(s, 4);
}

/* Every headed type counts its caps, every headless one leaves its object alone (0 or a faulting
   address), and deleting them calls the hook only for the headed. */
static void test_cap_count_headed_only(void **state)
{
    (void)state;
    struct cte s[2 * CAP_TYPE_COUNT] = {0};
    for (unsigned t = 1; t < CAP_TYPE_COUNT; t++) {
        struct cap c = cap_type_has_header(t) ? objcap(t, t, 0) : mkcap(t, BAD_OBJECT, 0);
        cte_insert(&s[2 * t], &c, NULL);
        cte_insert(&s[2 * t + 1], &c, &s[2 * t]);
        if (!cap_type_has_header(t)) {
            c.object = 0;
            cte_delete(&s[2 * t + 1]);
            cte_insert(&s[2 * t + 1], &c, &s[2 * t]);
        }
    }
    check_tree(s, 2 * CAP_TYPE_COUNT);
    for (unsigned k = 0; k < POOL; k++)
        assert_int_equal(pool[k].cap_count, cap_type_has_header(k) ? 2 : 0);
    check_counts(s, 2 * CAP_TYPE_COUNT, pool, POOL);
    for (unsigned i = 0; i < 2 * CAP_TYPE_COUNT; i++)
        cte_delete(&s[i]);
    for (unsigned k = 0; k < POOL; k++) {
        assert_int_equal(pool[k].cap_count, 0);
        assert_int_equal(pool_deaths[k], cap_type_has_header(k) ? 1 : 0);
    }
    assert_int_equal(hook_calls, 5); /* one death per headed type */
}

/* Inserting a null cap leaves the slot empty. */
static void test_insert_null_cap(void **state)
{
    (void)state;
    struct cte s[2] = {0};
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    struct cap n = {0};
    cte_insert(&s[0], &u, NULL);
    cte_insert(&s[1], &n, &s[0]);
    assert_true(is_empty(&s[1]));
    assert_false(cte_has_children(&s[0]));
    check_tree(s, 2);
}

/* Deleting a leaf: first, middle, last and only child; the slot ends all zero. */
static void test_delete_leaf(void **state)
{
    (void)state;
    struct cte s[6] = {0};
    g_slots = s;
    g_nslots = 6;
    struct cap e = objcap(CAP_ENDPOINT, 1, 0);
    cte_insert(&s[0], &e, NULL);
    for (int i = 1; i <= 4; i++)
        cte_insert(&s[i], &e, &s[0]);
    cte_insert(&s[5], &e, &s[2]);
    assert_int_equal(pool[1].cap_count, 6);

    cte_delete(&s[5]); /* only child */
    assert_true(is_empty(&s[5]));
    EXPECT_CHILDREN(&s[2]);
    cte_delete(&s[2]); /* middle */
    assert_true(is_empty(&s[2]));
    EXPECT_CHILDREN(&s[0], &s[1], &s[3], &s[4]);
    cte_delete(&s[1]); /* first */
    EXPECT_CHILDREN(&s[0], &s[3], &s[4]);
    cte_delete(&s[4]); /* last */
    EXPECT_CHILDREN(&s[0], &s[3]);
    check_tree(s, 6);
    assert_int_equal(pool[1].cap_count, 2);
    assert_int_equal(hook_calls, 0);
}

/* Deleting an empty slot changes nothing. */
static void test_delete_empty(void **state)
{
    (void)state;
    struct cte s[2] = {0};
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    cte_insert(&s[0], &u, NULL);
    cte_delete(&s[1]);
    assert_true(is_empty(&s[1]));
    expect_root(&s[0]);
    assert_int_equal(hook_calls, 0);
    check_tree(s, 2);
}

/* The children of a deleted slot take its place in its parent's list, in order. */
static void test_delete_with_children(void **state)
{
    (void)state;
    /* 0 has children 1 2 3; 1 has 4 5; 2 has 6 7 8; 3 has 9; 6 has 10. */
    struct cte s[11] = {0};
    g_slots = s;
    g_nslots = 11;
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    static const int par[11] = {-1, 0, 0, 0, 1, 1, 2, 2, 2, 3, 6};
    for (int i = 0; i < 11; i++)
        cte_insert(&s[i], &u, par[i] < 0 ? NULL : &s[par[i]]);

    cte_delete(&s[2]); /* middle, several children */
    EXPECT_CHILDREN(&s[0], &s[1], &s[6], &s[7], &s[8], &s[3]);
    EXPECT_CHILDREN(&s[6], &s[10]);
    check_tree(s, 11);
    cte_delete(&s[1]); /* first */
    EXPECT_CHILDREN(&s[0], &s[4], &s[5], &s[6], &s[7], &s[8], &s[3]);
    check_tree(s, 11);
    cte_delete(&s[3]); /* last, one child */
    EXPECT_CHILDREN(&s[0], &s[4], &s[5], &s[6], &s[7], &s[8], &s[9]);
    cte_delete(&s[6]); /* a child in the middle, itself with one child */
    EXPECT_CHILDREN(&s[0], &s[4], &s[5], &s[10], &s[7], &s[8], &s[9]);
    check_tree(s, 11);
    expect_root(&s[0]);
    for (int i = 1; i <= 3; i++)
        assert_true(is_empty(&s[i]));

    /* An only child with children. */
    struct cte t[4] = {0};
    cte_insert(&t[0], &u, NULL);
    cte_insert(&t[1], &u, &t[0]);
    cte_insert(&t[2], &u, &t[1]);
    cte_insert(&t[3], &u, &t[1]);
    cte_delete(&t[1]);
    EXPECT_CHILDREN(&t[0], &t[2], &t[3]);
    check_tree(t, 4);
}

/* Deleting a root makes its children roots, without sibling links; grandchildren stay put. */
static void test_delete_root_with_children(void **state)
{
    (void)state;
    struct cte s[6] = {0};
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    cte_insert(&s[0], &u, NULL);
    cte_insert(&s[1], &u, &s[0]);
    cte_insert(&s[2], &u, &s[0]);
    cte_insert(&s[3], &u, &s[0]);
    cte_insert(&s[4], &u, &s[1]);
    cte_insert(&s[5], &u, &s[1]);
    cte_delete(&s[0]);
    assert_true(is_empty(&s[0]));
    expect_root(&s[1]);
    expect_root(&s[2]);
    expect_root(&s[3]);
    EXPECT_CHILDREN(&s[1], &s[4], &s[5]);
    check_tree(s, 6);
}

/* ---- the destroy hook ------------------------------------------------------------------------ */

/* The hook runs once, when the last cap to the object goes, however the caps were made and
   moved, with a copy of that last cap. */
static void test_hook_last_cap(void **state)
{
    (void)state;
    struct cte s[8] = {0};
    g_slots = s;
    g_nslots = 8;
    struct cap e = objcap(CAP_ENDPOINT, 5, 0);
    cte_insert(&s[0], &e, NULL);
    cte_insert(&s[1], &s[0].cap, &s[0]); /* copy */
    struct cap minted = s[1].cap;
    minted.badge = 42;
    minted.rights = CAP_RIGHT_SEND;
    cte_insert(&s[2], &minted, &s[1]); /* mint */
    cte_insert(&s[3], &e, NULL);       /* an unrelated root to the same object */
    assert_int_equal(pool[5].cap_count, 4);

    cte_move(&s[4], &s[2]);
    cte_move(&s[5], &s[0]);
    assert_int_equal(pool[5].cap_count, 4);
    cte_delete(&s[5]);
    cte_delete(&s[3]);
    assert_int_equal(revoke_all(&s[1]), 1);
    assert_int_equal(hook_calls, 0);
    assert_int_equal(pool[5].cap_count, 1);
    cte_move(&s[6], &s[1]);
    cte_delete(&s[6]);
    assert_int_equal(hook_calls, 1);
    assert_int_equal(pool_deaths[5], 1);
    assert_int_equal(pool[5].cap_count, 0);
    expect_cap(&hook_last, &e);

    /* The minted cap is the one the hook sees when it goes last. */
    cte_insert(&s[0], &e, NULL);
    cte_insert(&s[1], &minted, &s[0]);
    cte_delete(&s[0]);
    assert_int_equal(hook_calls, 1);
    cte_delete(&s[1]);
    assert_int_equal(hook_calls, 2);
    expect_cap(&hook_last, &minted);
    check_tree(s, 8);
}

/* No hook (NULL) is fine: counts still go to zero. */
static void test_no_hook(void **state)
{
    (void)state;
    cap_destroy_hook = NULL;
    struct cte s[2] = {0};
    struct cap e = objcap(CAP_THREAD, 2, 0);
    cte_insert(&s[0], &e, NULL);
    cte_insert(&s[1], &e, &s[0]);
    assert_int_equal(revoke_all(&s[0]), 1);
    cte_delete(&s[0]);
    assert_int_equal(pool[2].cap_count, 0);
    assert_int_equal(hook_calls, 0);
}

/* Headless caps never reach the hook, whatever their object field holds. */
static void test_hook_never_headless(void **state)
{
    (void)state;
    static const unsigned types[] = {CAP_UNTYPED,     CAP_FRAME,   CAP_IRQ_CONTROL,
                                     CAP_IRQ_HANDLER, CAP_IO_PORT, CAP_IO_PORT_CONTROL,
                                     CAP_REPLY,       CAP_DEBUG};
    struct cte s[3] = {0};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        for (int o = 0; o < 2; o++) {
            struct cap c = mkcap(types[i], o ? BAD_OBJECT : 0, 0);
            cte_insert(&s[0], &c, NULL);
            cte_insert(&s[1], &c, &s[0]);
            cte_insert(&s[2], &c, &s[1]);
            assert_int_equal(revoke_all(&s[0]), 2);
            cte_insert(&s[1], &c, &s[0]);
            cte_move(&s[2], &s[1]);
            cte_delete(&s[0]);
            cte_delete(&s[2]);
            assert_true(is_empty(&s[0]) && is_empty(&s[1]) && is_empty(&s[2]));
        }
    }
    assert_int_equal(hook_calls, 0);
}

/* A "CSpace" for the hook tests: when object k dies, the hook deletes its slots. */
static struct cte *cs_slots[POOL];
static size_t cs_len[POOL];

static void cspace_hook(const struct cap *cap)
{
    if (cap->type != CAP_CSPACE)
        return;
    size_t k = (size_t)(hdr(cap) - pool);
    for (size_t i = 0; i < cs_len[k]; i++)
        cte_delete(&cs_slots[k][i]);
}

/* The hook may delete other slots, with children, with more objects dying inside (nested hook
   calls), while the slot that triggered it is already empty. */
static void test_hook_deletes_during_delete(void **state)
{
    (void)state;
    enum { N = 12 };
    struct cte s[N] = {0};
    memset(cs_slots, 0, sizeof cs_slots);
    memset(cs_len, 0, sizeof cs_len);
    g_slots = s;
    g_nslots = N;
    hook_then = cspace_hook;
    /* CSpace 1 holds slots 4..7, CSpace 2 holds slots 8..9. */
    cs_slots[1] = &s[4];
    cs_len[1] = 4;
    cs_slots[2] = &s[8];
    cs_len[2] = 2;

    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    struct cap c1 = objcap(CAP_CSPACE, 1, 0), c2 = objcap(CAP_CSPACE, 2, 0);
    struct cap e = objcap(CAP_ENDPOINT, 3, 0);
    cte_insert(&s[0], &u, NULL);         /* Untyped */
    cte_insert(&s[1], &c1, &s[0]);       /* the only cap to CSpace 1 */
    cte_insert(&s[2], &e, &s[0]);        /* endpoint, outside */
    cte_insert(&s[4], &e, &s[2]);        /* copies of it inside CSpace 1 */
    cte_insert(&s[5], &e, &s[4]);        /* a child of a slot the hook deletes */
    cte_insert(&s[10], &e, &s[5]);       /* outside again, below those */
    cte_insert(&s[6], &c2, &s[0]);       /* the only cap to CSpace 2, inside CSpace 1 */
    cte_insert(&s[8], &s[0].cap, &s[0]); /* an Untyped copy inside CSpace 2 */
    cte_insert(&s[11], &u, &s[8]);
    check_tree(s, N);

    cte_delete(&s[1]);
    check_tree(s, N);
    check_counts(s, N, pool, POOL);
    for (int i = 4; i <= 9; i++)
        assert_true(is_empty(&s[i]));
    assert_int_equal(pool_deaths[1], 1);
    assert_int_equal(pool_deaths[2], 1);
    assert_int_equal(pool_deaths[3], 0);
    assert_int_equal(hook_calls, 2);
    /* 4 and 5 went, so 10 moved up to 2; 8 went, so 11 moved up to 0. */
    EXPECT_CHILDREN(&s[2], &s[10]);
    EXPECT_CHILDREN(&s[0], &s[2], &s[11]);
    assert_int_equal(pool[3].cap_count, 2);
}

/* During revoke the hook may delete other slots, inside and outside the subtree, including the
   parent of the leaf revoke just deleted. */
static void test_hook_deletes_during_revoke(void **state)
{
    (void)state;
    enum { N = 14 };
    struct cte s[N] = {0};
    memset(cs_slots, 0, sizeof cs_slots);
    memset(cs_len, 0, sizeof cs_len);
    g_slots = s;
    g_nslots = N;
    hook_then = cspace_hook;
    /* CSpace 1 holds slots 1..4. */
    cs_slots[1] = &s[1];
    cs_len[1] = 4;

    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    struct cap f = mkcap(CAP_FRAME, BAD_OBJECT, 0);
    struct cap c1 = objcap(CAP_CSPACE, 1, 0);
    struct cap e = objcap(CAP_ENDPOINT, 2, 0);
    cte_insert(&s[0], &u, NULL);   /* revoked */
    cte_insert(&s[1], &f, &s[0]);  /* a frame inside CSpace 1 ... */
    cte_insert(&s[5], &c1, &s[1]); /* ... whose first child is the only cap to CSpace 1 */
    cte_insert(&s[6], &f, &s[1]);  /* more children of slot 1 */
    cte_insert(&s[7], &f, &s[1]);
    cte_insert(&s[8], &e, &s[0]);
    cte_insert(&s[2], &e, &s[8]); /* inside CSpace 1 and the subtree */
    cte_insert(&s[9], &u, NULL);  /* another tree */
    cte_insert(&s[3], &u, &s[9]); /* inside CSpace 1, outside the subtree */
    cte_insert(&s[10], &u, &s[3]);
    cte_insert(&s[11], &f, &s[0]);
    check_tree(s, N);

    /* Revoke deletes 5 first; the hook then deletes 1 (its parent), 2 and 3. Revoke itself
       deletes 5, 6, 7, 8 and 11. */
    assert_int_equal(revoke_all(&s[0]), 5);
    check_tree(s, N);
    check_counts(s, N, pool, POOL);
    assert_false(cte_has_children(&s[0]));
    expect_root(&s[0]);
    for (int i = 1; i <= 8; i++)
        assert_true(is_empty(&s[i]));
    assert_true(is_empty(&s[11]));
    EXPECT_CHILDREN(&s[9], &s[10]);
    assert_int_equal(pool_deaths[1], 1);
    assert_int_equal(pool_deaths[2], 1);
    assert_int_equal(hook_calls, 2);
}

/* If the hook deletes the revoked slot itself, revoke stops; slot's remaining children have
   moved to its parent, as cte_delete says. */
static void test_hook_deletes_revoked_slot(void **state)
{
    (void)state;
    enum { N = 6 };
    struct cte s[N] = {0};
    memset(cs_slots, 0, sizeof cs_slots);
    memset(cs_len, 0, sizeof cs_len);
    g_slots = s;
    g_nslots = N;
    hook_then = cspace_hook;
    cs_slots[1] = &s[1]; /* CSpace 1 holds slot 1, the revoked one */
    cs_len[1] = 1;
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    struct cap c1 = objcap(CAP_CSPACE, 1, 0);
    cte_insert(&s[0], &u, NULL);
    cte_insert(&s[1], &u, &s[0]);
    cte_insert(&s[2], &c1, &s[1]);
    cte_insert(&s[3], &u, &s[1]);
    cte_insert(&s[4], &u, &s[3]);
    assert_int_equal(revoke_all(&s[1]), 1);
    assert_true(is_empty(&s[1]));
    assert_true(is_empty(&s[2]));
    EXPECT_CHILDREN(&s[0], &s[3]);
    EXPECT_CHILDREN(&s[3], &s[4]);
    check_tree(s, N);
}

/* ---- revoke --------------------------------------------------------------------------------- */

static unsigned order_log[16]; /* pool indices of the objects that died, in order */
static size_t order_n;

static void log_order_hook(const struct cap *cap)
{
    assert_true(order_n < 16);
    order_log[order_n++] = (unsigned)(hdr(cap) - pool);
}

/* Revoke deletes leaves first (leftmost first) and leaves the slot itself. */
static void test_revoke_order(void **state)
{
    (void)state;
    /* 0 -> 1 -> 2, 1 -> 3 -> 4, 0 -> 5; each its own endpoint (pool index = slot). */
    enum { N = 6 };
    struct cte s[N] = {0};
    g_slots = s;
    g_nslots = N;
    hook_then = log_order_hook;
    order_n = 0;
    static const int par[N] = {-1, 0, 1, 1, 3, 0};
    for (int i = 0; i < N; i++) {
        struct cap c = objcap(CAP_ENDPOINT, (unsigned)i, 0);
        cte_insert(&s[i], &c, par[i] < 0 ? NULL : &s[par[i]]);
    }
    assert_int_equal(revoke_all(&s[0]), 5);
    assert_int_equal(order_n, 5);
    static const unsigned want[] = {2, 4, 3, 1, 5};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(order_log[i], want[i]);
    expect_root(&s[0]);
    assert_int_equal(pool[0].cap_count, 1);
    check_tree(s, N);
}

/* Revoking a leaf or an empty slot deletes nothing. */
static void test_revoke_nothing(void **state)
{
    (void)state;
    struct cte s[3] = {0};
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    cte_insert(&s[0], &u, NULL);
    cte_insert(&s[1], &u, &s[0]);
    assert_int_equal(revoke_all(&s[1]), 0);
    assert_int_equal(revoke_all(&s[2]), 0);
    EXPECT_CHILDREN(&s[0], &s[1]);
    check_tree(s, 3);
}

#define DEEP 100000

struct revoke_job {
    struct cte *slot;
    size_t budget; /* per call */
    size_t result;
};

static void *revoke_thread(void *arg)
{
    struct revoke_job *job = arg;
    job->result = revoke_in_steps(job->slot, job->budget, NULL);
    return NULL;
}

/* Revokes on a thread with a 256 KiB stack: a kernel stack is small, and recursing once per
   level of a DEEP tree would need several megabytes. */
static size_t revoke_small_stack_steps(struct cte *slot, size_t budget)
{
    struct revoke_job job = {slot, budget, 0};
    pthread_attr_t attr;
    pthread_t thread;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
    assert_int_equal(pthread_create(&thread, &attr, revoke_thread, &job), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    pthread_attr_destroy(&attr);
    return job.result;
}

static size_t revoke_small_stack(struct cte *slot)
{
    return revoke_small_stack_steps(slot, SIZE_MAX);
}

/* A chain far deeper than any C stack could recurse through: copies of one endpoint. Revoking
   part of it, then the rest, leaves the slots and the count right. */
static void test_revoke_deep_chain(void **state)
{
    (void)state;
    struct cte *s = calloc(DEEP, sizeof *s);
    assert_non_null(s);
    struct cap e = objcap(CAP_ENDPOINT, 9, 0);
    cte_insert(&s[0], &e, NULL);
    for (size_t i = 1; i < DEEP; i++)
        cte_insert(&s[i], &e, &s[i - 1]);
    assert_int_equal(pool[9].cap_count, DEEP);
    check_tree(s, DEEP);

    assert_int_equal(revoke_small_stack(&s[DEEP / 2]), DEEP - DEEP / 2 - 1);
    assert_false(cte_has_children(&s[DEEP / 2]));
    assert_int_equal(pool[9].cap_count, DEEP / 2 + 1);
    check_tree(s, DEEP);

    /* Deleting in the middle of the chain splices it. */
    cte_delete(&s[10]);
    EXPECT_CHILDREN(&s[9], &s[11]);
    assert_int_equal(revoke_small_stack(&s[0]), DEEP / 2 - 1);
    assert_int_equal(pool[9].cap_count, 1);
    assert_int_equal(hook_calls, 0);
    for (size_t i = 1; i < DEEP; i++)
        assert_true(is_empty(&s[i]));
    cte_delete(&s[0]);
    assert_int_equal(hook_calls, 1);
    free(s);
}

/* A deep chain where every level is its own object, so the hook runs at every step: revoke must
   stay linear when the hook does not touch the tree. */
static void test_revoke_deep_chain_distinct(void **state)
{
    (void)state;
    struct cte *s = calloc(DEEP, sizeof *s);
    struct object_header *objs = calloc(DEEP, sizeof *objs);
    unsigned *deaths = calloc(DEEP, sizeof *deaths);
    assert_true(s && objs && deaths);
    g_pool = objs;
    g_npool = DEEP;
    g_deaths = deaths;
    for (size_t i = 0; i < DEEP; i++) {
        objs[i].type = CAP_NOTIFICATION;
        struct cap c = mkcap(CAP_NOTIFICATION, (uint64_t)(uintptr_t)&objs[i], i);
        cte_insert(&s[i], &c, i ? &s[i - 1] : NULL);
    }
    assert_int_equal(revoke_small_stack(&s[0]), DEEP - 1);
    assert_int_equal(hook_calls, DEEP - 1);
    assert_int_equal(deaths[0], 0);
    for (size_t i = 1; i < DEEP; i++)
        assert_int_equal(deaths[i], 1);
    check_tree(s, DEEP);
    check_counts(s, DEEP, objs, DEEP);
    g_pool = pool;
    g_npool = POOL;
    g_deaths = pool_deaths;
    free(deaths);
    free(objs);
    free(s);
}

/* A deep chain whose destroy hook deletes a slot elsewhere on every step (so revoke has to
   start over each time): still right. */
static struct cte *chain_victims;
static size_t chain_nvictims;

static void delete_a_victim(const struct cap *cap)
{
    (void)cap;
    if (chain_nvictims)
        cte_delete(&chain_victims[--chain_nvictims]);
}

static void test_revoke_deep_chain_mutating_hook(void **state)
{
    (void)state;
    enum { D = 3000 };
    struct cte *s = calloc(2 * D, sizeof *s);
    struct object_header *objs = calloc(D, sizeof *objs);
    unsigned *deaths = calloc(D, sizeof *deaths);
    assert_true(s && objs && deaths);
    g_pool = objs;
    g_npool = D;
    g_deaths = deaths;
    hook_then = delete_a_victim;
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    for (size_t i = 0; i < D; i++) {
        objs[i].type = CAP_ENDPOINT;
        struct cap c = mkcap(CAP_ENDPOINT, (uint64_t)(uintptr_t)&objs[i], 0);
        cte_insert(&s[i], &c, i ? &s[i - 1] : NULL);
        cte_insert(&s[D + i], &u, NULL);
    }
    chain_victims = &s[D];
    chain_nvictims = D;
    assert_int_equal(revoke_all(&s[0]), D - 1);
    assert_int_equal(hook_calls, D - 1);
    assert_int_equal(chain_nvictims, 1);
    check_tree(s, 2 * D);
    check_counts(s, 2 * D, objs, D);
    g_pool = pool;
    g_npool = POOL;
    g_deaths = pool_deaths;
    free(deaths);
    free(objs);
    free(s);
}

/* A wide tree: many children, each with a few of its own. */
static void test_revoke_wide(void **state)
{
    (void)state;
    enum { W = 5000, N = 1 + 3 * W };
    struct cte *s = calloc(N, sizeof *s);
    assert_non_null(s);
    struct cap e = objcap(CAP_ENDPOINT, 4, 0);
    struct cap f = mkcap(CAP_FRAME, 0, 0);
    cte_insert(&s[0], &e, NULL);
    for (size_t i = 0; i < W; i++) {
        cte_insert(&s[1 + 3 * i], i % 2 ? &e : &f, &s[0]);
        cte_insert(&s[2 + 3 * i], &e, &s[1 + 3 * i]);
        cte_insert(&s[3 + 3 * i], &f, &s[1 + 3 * i]);
    }
    check_tree(s, N);
    assert_int_equal(pool[4].cap_count, 1 + W + W / 2);
    /* Revoke one child's subtree, then everything. */
    assert_int_equal(revoke_all(&s[1 + 3 * (W / 2)]), 2);
    assert_int_equal(revoke_all(&s[0]), 3 * W - 2);
    assert_int_equal(pool[4].cap_count, 1);
    assert_int_equal(hook_calls, 0);
    for (size_t i = 1; i < N; i++)
        assert_true(is_empty(&s[i]));
    check_tree(s, N);
    free(s);
}

/* A bounded revoke stops with work left and says so; calling it again goes on where it stopped,
   and the tree is sound in between. */
static void test_revoke_partial_then_resume(void **state)
{
    (void)state;
    enum { W = 10, N = 1 + 2 * W };
    struct cte s[N] = {0};
    g_slots = s;
    g_nslots = N;
    struct cap e = objcap(CAP_ENDPOINT, 3, 0);
    cte_insert(&s[0], &e, NULL);
    for (size_t i = 0; i < W; i++) {
        cte_insert(&s[1 + 2 * i], &e, &s[0]);
        cte_insert(&s[2 + 2 * i], &e, &s[1 + 2 * i]);
    }
    struct cte_revoke_walk walk = {0};
    assert_false(cte_revoke(&s[0], 4, &walk));
    /* Down to the first grandchild, delete it, delete its parent (now a leaf), down again. */
    assert_int_equal(walk.deleted, 2);
    assert_true(is_empty(&s[1]) && is_empty(&s[2]));
    assert_int_equal(pool[3].cap_count, N - 2);
    check_tree(s, N);
    /* Down to the next grandchild, delete it: the walk stops at its parent. */
    assert_false(cte_revoke(&s[0], 3, &walk));
    assert_int_equal(walk.deleted, 3);
    assert_ptr_equal(walk.at, &s[3]);
    check_tree(s, N);
    /* Someone else changes the tree between two steps, deleting where the walk stopped: the
       next step starts over from the slot. */
    cte_delete(&s[3]);
    cte_delete(&s[10]);
    assert_false(cte_revoke(&s[0], 3, &walk));
    check_tree(s, N);
    assert_true(cte_revoke(&s[0], SIZE_MAX, &walk));
    assert_int_equal(walk.deleted, N - 3);
    assert_int_equal(pool[3].cap_count, 1);
    assert_int_equal(hook_calls, 0);
    check_tree(s, N);
    /* Nothing left: done at once, nothing counted. */
    assert_true(cte_revoke(&s[0], 1, &walk));
    assert_int_equal(walk.deleted, N - 3);
}

/* With a budget of one step every call deletes one cap, however deep the tree: the node reached
   when the budget runs out goes even if it has children, which move up. */
static void test_revoke_budget_one(void **state)
{
    (void)state;
    enum { D = 1000 };
    struct cte *s = calloc(D, sizeof *s);
    assert_non_null(s);
    struct cap e = objcap(CAP_ENDPOINT, 5, 0);
    cte_insert(&s[0], &e, NULL);
    for (size_t i = 1; i < D; i++)
        cte_insert(&s[i], &e, &s[i - 1]);
    size_t calls;
    assert_int_equal(revoke_in_steps(&s[0], 1, &calls), D - 1);
    assert_int_equal(calls, D - 1);
    assert_int_equal(pool[5].cap_count, 1);
    for (size_t i = 1; i < D; i++)
        assert_true(is_empty(&s[i]));
    check_tree(s, D);
    free(s);
}

/* A chain deeper than any budget, revoked in bounded calls on a small stack: the calls go down
   only as far as the budget allows, so each does bounded work, and together they delete all. */
static void test_revoke_deep_chain_bounded(void **state)
{
    (void)state;
    struct cte *s = calloc(DEEP, sizeof *s);
    assert_non_null(s);
    struct cap e = objcap(CAP_ENDPOINT, 6, 0);
    cte_insert(&s[0], &e, NULL);
    for (size_t i = 1; i < DEEP; i++)
        cte_insert(&s[i], &e, &s[i - 1]);
    assert_int_equal(revoke_small_stack_steps(&s[0], 128), DEEP - 1);
    assert_int_equal(pool[6].cap_count, 1);
    check_tree(s, DEEP);
    /* Each call goes on from where the last stopped instead of walking down from the top
       again: about DEEP / 126 + DEEP / 128 calls, not DEEP. */
    for (size_t i = 1; i < DEEP; i++)
        cte_insert(&s[i], &e, &s[i - 1]);
    size_t calls;
    assert_int_equal(revoke_in_steps(&s[0], 128, &calls), DEEP - 1);
    assert_true(calls < DEEP / 32);
    check_tree(s, DEEP);
    free(s);
}

/* ---- move ----------------------------------------------------------------------------------- */

/* Moving a middle sibling keeps its place; neighbours point at the new slot. */
static void test_move_middle_sibling(void **state)
{
    (void)state;
    struct cte s[5] = {0};
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    struct cap e = objcap(CAP_ENDPOINT, 6, 77);
    cte_insert(&s[0], &u, NULL);
    cte_insert(&s[1], &u, &s[0]);
    cte_insert(&s[2], &e, &s[0]);
    cte_insert(&s[3], &u, &s[0]);
    cte_move(&s[4], &s[2]);
    assert_true(is_empty(&s[2]));
    expect_cap(&s[4].cap, &e);
    EXPECT_CHILDREN(&s[0], &s[1], &s[4], &s[3]);
    assert_int_equal(pool[6].cap_count, 1);
    assert_int_equal(hook_calls, 0);
    check_tree(s, 5);
    /* Last and then first. */
    cte_move(&s[2], &s[3]);
    EXPECT_CHILDREN(&s[0], &s[1], &s[4], &s[2]);
    cte_move(&s[3], &s[1]);
    EXPECT_CHILDREN(&s[0], &s[3], &s[4], &s[2]);
    check_tree(s, 5);
}

/* Moving a first child that has children: the parent's first_child and the children follow. */
static void test_move_with_children(void **state)
{
    (void)state;
    struct cte s[7] = {0};
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    cte_insert(&s[0], &u, NULL);
    cte_insert(&s[1], &u, &s[0]);
    cte_insert(&s[2], &u, &s[0]);
    cte_insert(&s[3], &u, &s[1]);
    cte_insert(&s[4], &u, &s[1]);
    cte_insert(&s[5], &u, &s[3]);
    cte_move(&s[6], &s[1]);
    assert_true(is_empty(&s[1]));
    EXPECT_CHILDREN(&s[0], &s[6], &s[2]);
    EXPECT_CHILDREN(&s[6], &s[3], &s[4]);
    EXPECT_CHILDREN(&s[3], &s[5]);
    check_tree(s, 7);
    /* And an only child. */
    cte_move(&s[1], &s[5]);
    EXPECT_CHILDREN(&s[3], &s[1]);
    check_tree(s, 7);
}

/* Moving a root keeps it a root and re-parents its children. */
static void test_move_root(void **state)
{
    (void)state;
    struct cte s[4] = {0};
    struct cap c = objcap(CAP_CSPACE, 7, 0);
    cte_insert(&s[0], &c, NULL);
    cte_insert(&s[1], &c, &s[0]);
    cte_insert(&s[2], &c, &s[0]);
    cte_move(&s[3], &s[0]);
    assert_true(is_empty(&s[0]));
    expect_root(&s[3]);
    EXPECT_CHILDREN(&s[3], &s[1], &s[2]);
    assert_int_equal(pool[7].cap_count, 3);
    /* A lone root. */
    struct cte t[2] = {0};
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    cte_insert(&t[0], &u, NULL);
    cte_move(&t[1], &t[0]);
    assert_true(is_empty(&t[0]));
    expect_root(&t[1]);
    expect_cap(&t[1].cap, &u);
    check_tree(s, 4);
    check_tree(t, 2);
}

/* Moving an empty slot, or a slot onto itself, does nothing. */
static void test_move_degenerate(void **state)
{
    (void)state;
    struct cte s[3] = {0};
    struct cap u = mkcap(CAP_UNTYPED, BAD_OBJECT, 0);
    cte_insert(&s[0], &u, NULL);
    cte_insert(&s[1], &u, &s[0]);
    cte_move(&s[1], &s[1]);
    cte_move(&s[2], &s[2]);
    EXPECT_CHILDREN(&s[0], &s[1]);
    assert_true(is_empty(&s[2]));
    check_tree(s, 3);
}

/* ---- randomized, against a model ------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

static unsigned rnd_below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

enum { OP_INSERT, OP_DELETE, OP_REVOKE, OP_MOVE };

/* Picks an operation, mostly inserting below a target occupancy that wanders every 1000 steps
   over [10, n), so the run sees both sparse and crowded slot arrays, shallow and deep trees. */
static unsigned pick_op(int step, int occupied, int n)
{
    static int target;
    if (step % 1000 == 0)
        target = 10 + (int)rnd_below((unsigned)n - 10);
    if (rnd_below(100) < (occupied < target ? 75u : 25u))
        return OP_INSERT;
    unsigned r = rnd_below(10);
    return r < 5 ? OP_DELETE : r < 8 ? OP_REVOKE : OP_MOVE;
}

#define RN      200
#define ROPS    20000
#define M_EMPTY (-2)
#define M_ROOT  (-1)

/* The model: each slot's parent index, its children in order, and its cap. */
static struct {
    int parent[RN];
    int kids[RN][RN];
    int nkids[RN];
    struct cap cap[RN];
    unsigned deaths[POOL];
} m;

static struct cte rs[RN];
static bool in_revoke; /* the hook checks that revoke re-parents nothing */
static int revoke_parent[RN];
static bool in_delete; /* the hook checks the tree is already the model's */

static int m_index_of(int p, int c)
{
    for (int i = 0; i < m.nkids[p]; i++)
        if (m.kids[p][i] == c)
            return i;
    fail_msg("model: %d is not a child of %d", c, p);
    return -1;
}

static unsigned m_count(unsigned k)
{
    unsigned n = 0;
    for (int i = 0; i < RN; i++)
        if (m.parent[i] != M_EMPTY && cap_type_has_header(m.cap[i].type) &&
            hdr(&m.cap[i]) == &pool[k])
            n++;
    return n;
}

static void m_insert(int d, const struct cap *cap, int p)
{
    m.parent[d] = p < 0 ? M_ROOT : p;
    m.cap[d] = *cap;
    m.nkids[d] = 0;
    if (p >= 0)
        m.kids[p][m.nkids[p]++] = d;
}

static void m_delete(int x)
{
    int p = m.parent[x];
    if (p == M_EMPTY)
        return;
    if (p >= 0) {
        int at = m_index_of(p, x);
        int n = m.nkids[x];
        memmove(&m.kids[p][at + n], &m.kids[p][at + 1],
                (size_t)(m.nkids[p] - at - 1) * sizeof(int));
        memcpy(&m.kids[p][at], m.kids[x], (size_t)n * sizeof(int));
        m.nkids[p] += n - 1;
    }
    for (int i = 0; i < m.nkids[x]; i++)
        m.parent[m.kids[x][i]] = p;
    m.nkids[x] = 0;
    m.parent[x] = M_EMPTY;
    memset(&m.cap[x], 0, sizeof m.cap[x]);
}

/* Deletes x's subtree below x; returns how many. */
static size_t m_revoke(int x)
{
    size_t n = 0;
    while (m.nkids[x] > 0) {
        int c = m.kids[x][0];
        while (m.nkids[c] > 0)
            c = m.kids[c][0];
        m_delete(c);
        n++;
    }
    return n;
}

static void m_move(int d, int x)
{
    int p = m.parent[x];
    m.parent[d] = p;
    m.cap[d] = m.cap[x];
    m.nkids[d] = m.nkids[x];
    memcpy(m.kids[d], m.kids[x], (size_t)m.nkids[x] * sizeof(int));
    for (int i = 0; i < m.nkids[d]; i++)
        m.parent[m.kids[d][i]] = d;
    if (p >= 0)
        m.kids[p][m_index_of(p, x)] = d;
    m.nkids[x] = 0;
    m.parent[x] = M_EMPTY;
    memset(&m.cap[x], 0, sizeof m.cap[x]);
}

/* Checks the real slots against the model: caps, parents and ordered children. */
static void check_model_tree(void)
{
    for (int i = 0; i < RN; i++) {
        if (m.parent[i] == M_EMPTY) {
            assert_true(is_empty(&rs[i]));
            continue;
        }
        expect_cap(&rs[i].cap, &m.cap[i]);
        assert_ptr_equal(rs[i].parent, m.parent[i] == M_ROOT ? NULL : &rs[m.parent[i]]);
        const struct cte *c = rs[i].first_child;
        for (int k = 0; k < m.nkids[i]; k++, c = c->next_sibling)
            assert_ptr_equal(c, &rs[m.kids[i][k]]);
        assert_null(c);
    }
}

static void model_hook(const struct cap *cap)
{
    (void)cap;
    if (in_delete)
        check_model_tree();
    if (in_revoke) {
        /* Leaves only: nobody has been re-parented. */
        for (int i = 0; i < RN; i++)
            if (rs[i].cap.type != CAP_NULL)
                assert_ptr_equal(rs[i].parent, revoke_parent[i] < 0 ? NULL : &rs[revoke_parent[i]]);
    }
}

static int random_slot(bool occupied)
{
    int start = (int)rnd_below(RN);
    for (int k = 0; k < RN; k++) {
        int i = (start + k) % RN;
        if ((m.parent[i] != M_EMPTY) == occupied)
            return i;
    }
    return -1;
}

/* A cap for a new object: headless with an arbitrary object, or a pool object with no caps. */
static struct cap random_new_cap(void)
{
    unsigned t = 1 + rnd_below(CAP_TYPE_COUNT - 1);
    if (!cap_type_has_header(t)) {
        struct cap c = mkcap(t, rnd_below(2) ? 0 : BAD_OBJECT ^ (rnd() & 0xffffffffu), rnd());
        c.size = (uint32_t)rnd();
        return c;
    }
    unsigned start = rnd_below(POOL);
    for (unsigned k = 0; k < POOL; k++) {
        unsigned j = (start + k) % POOL;
        if (pool[j].cap_count == 0)
            return objcap(t, j, rnd());
    }
    return mkcap(CAP_DEBUG, BAD_OBJECT, 0);
}

static void test_random_model(void **state)
{
    (void)state;
    rng_state = 0x9e3779b97f4a7c15ull;
    memset(&m, 0, sizeof m);
    memset(rs, 0, sizeof rs);
    for (int i = 0; i < RN; i++)
        m.parent[i] = M_EMPTY;
    g_slots = rs;
    g_nslots = RN;
    hook_then = model_hook;
    unsigned counts[POOL] = {0};
    size_t ops[4] = {0}, occupied_sum = 0;

    for (int step = 0; step < ROPS; step++) {
        int occupied = 0;
        for (int i = 0; i < RN; i++)
            occupied += m.parent[i] != M_EMPTY;
        occupied_sum += (size_t)occupied;
        unsigned op = pick_op(step, occupied, RN);
        if (op == OP_INSERT) {
            int d = random_slot(false);
            if (d < 0)
                continue;
            int p = rnd_below(5) == 0 ? -1 : random_slot(true);
            struct cap cap;
            unsigned how = rnd_below(3);
            if (p >= 0 && how == 0) {
                cap = rs[p].cap; /* copy or mint of the parent */
                cap.badge = rnd_below(2) ? cap.badge : rnd();
                cap.rights &= (uint8_t)rnd();
            } else if (how == 1 && random_slot(true) >= 0) {
                cap = rs[random_slot(true)].cap; /* a copy from elsewhere */
            } else {
                cap = random_new_cap();
            }
            m_insert(d, &cap, p);
            cte_insert(&rs[d], &cap, p < 0 ? NULL : &rs[p]);
            ops[0]++;
        } else if (op == OP_DELETE) {
            int x = rnd_below(10) == 0 ? (int)rnd_below(RN) : random_slot(true);
            if (x < 0)
                continue;
            m_delete(x);
            in_delete = true;
            cte_delete(&rs[x]);
            in_delete = false;
            ops[1]++;
        } else if (op == OP_REVOKE) {
            int x = rnd_below(10) == 0 ? (int)rnd_below(RN) : random_slot(true);
            if (x < 0)
                continue;
            for (int i = 0; i < RN; i++)
                revoke_parent[i] = m.parent[i];
            size_t want = m_revoke(x);
            /* Unbounded (leaves only, checked by the hook), or in small steps, which may delete
               inner nodes when a walk down runs out of budget. */
            size_t budget = rnd_below(2) ? SIZE_MAX : 1 + rnd_below(8);
            in_revoke = budget == SIZE_MAX;
            size_t got = revoke_in_steps(&rs[x], budget, NULL);
            in_revoke = false;
            assert_int_equal(got, want);
            assert_false(cte_has_children(&rs[x]));
            ops[2]++;
        } else {
            int x = random_slot(true), d = random_slot(false);
            if (x < 0 || d < 0)
                continue;
            m_move(d, x);
            cte_move(&rs[d], &rs[x]);
            ops[3]++;
        }
        /* Objects whose last cap went this step died once. */
        for (unsigned k = 0; k < POOL; k++) {
            unsigned now = m_count(k);
            if (counts[k] > 0 && now == 0)
                m.deaths[k]++;
            counts[k] = now;
            assert_int_equal(pool[k].cap_count, now);
            assert_int_equal(pool_deaths[k], m.deaths[k]);
        }
        check_model_tree();
        check_tree(rs, RN);
    }
    /* The run exercised everything, with trees of some size. */
    for (int i = 0; i < 4; i++)
        assert_true(ops[i] > 1000);
    assert_true(occupied_sum / ROPS > 80);
    assert_true(hook_calls > 100);
}

/* ---- randomized, with a hook that deletes CSpace contents ----------------------------------- */

#define CN      300
#define CSPACES 10 /* pool objects 0..9 are CSpaces; CSpace k holds slots [10k, 10k + 10) */
#define CS_SIZE 10

static struct cte cs[CN];
static bool alive[POOL];
static unsigned char desc[CN]; /* descendants of the slot being revoked */
static size_t hook_deleted_desc, hook_deleted_any;

static void cspace_random_hook(const struct cap *cap)
{
    size_t k = (size_t)(hdr(cap) - pool);
    assert_true(alive[k]);
    alive[k] = false;
    if (cap->type != CAP_CSPACE)
        return;
    assert_true(k < CSPACES);
    for (size_t i = k * CS_SIZE; i < (k + 1) * CS_SIZE; i++) {
        if (cs[i].cap.type != CAP_NULL) {
            hook_deleted_any++;
            hook_deleted_desc += desc[i];
        }
        cte_delete(&cs[i]);
    }
}

static int c_random_slot(bool occupied)
{
    int start = (int)rnd_below(CN);
    for (int k = 0; k < CN; k++) {
        int i = (start + k) % CN;
        if ((cs[i].cap.type != CAP_NULL) == occupied)
            return i;
    }
    return -1;
}

static void mark_descendants(int x)
{
    memset(desc, 0, sizeof desc);
    for (int i = 0; i < CN; i++) {
        for (const struct cte *c = cs[i].parent; c; c = c->parent) {
            if (c == &cs[x]) {
                desc[i] = 1;
                break;
            }
        }
    }
}

/* A cap to a new object of type t, or now and then another cap to a live one. */
static struct cap cs_random_cap(unsigned t)
{
    if (t == CAP_FRAME)
        return mkcap(t, BAD_OBJECT, 0);
    unsigned lo = t == CAP_CSPACE ? 0 : CSPACES;
    unsigned n = t == CAP_CSPACE ? CSPACES : POOL - CSPACES;
    unsigned k = lo + rnd_below(n);
    for (unsigned j = 0; j < n && rnd_below(4) && pool[k].cap_count; j++)
        k = lo + (k - lo + 1) % n;
    if (pool[k].cap_count == 0) {
        alive[k] = true;
        return objcap(t, k, 0);
    }
    return mkcap(pool[k].type, (uint64_t)(uintptr_t)&pool[k], 0);
}

/* Inserts a random cap. Half the time it goes into a CSpace's slots, as a sibling of a cap to
   that CSpace: like an Untyped retyped into a CSpace and other objects whose caps go into it.
   Revoking the Untyped then destroys the CSpace while its contents are still in the subtree
   being revoked. */
static void cs_random_insert(void)
{
    int d = c_random_slot(false);
    if (d < 0)
        return;
    int p = rnd_below(10) == 0 ? -1 : c_random_slot(true);
    if (rnd_below(2)) {
        int i = (int)rnd_below(CSPACES * CS_SIZE);
        if (cs[i].cap.type == CAP_NULL) {
            d = i;
            const struct object_header *h = &pool[i / CS_SIZE];
            for (int j = 0; j < CN; j++) {
                if (cs[j].cap.type == CAP_CSPACE && hdr(&cs[j].cap) == h) {
                    p = cs[j].parent ? (int)(cs[j].parent - cs) : -1;
                    break;
                }
            }
        }
    }
    struct cap cap;
    if (p >= 0 && rnd_below(4) == 0) {
        cap = cs[p].cap;
    } else {
        unsigned r = rnd_below(6);
        cap = cs_random_cap(r < 2 ? CAP_CSPACE : r < 4 ? CAP_ENDPOINT : CAP_FRAME);
    }
    cte_insert(&cs[d], &cap, p < 0 ? NULL : &cs[p]);
}

/* What a run exercised. */
struct cs_stats {
    size_t revokes;  /* revokes of a slot with children */
    size_t nested;   /* operations during which the hook ran more than once */
    size_t restarts; /* revokes during which the hook deleted slots */
    size_t inside;   /* ... some of them in the subtree being revoked */
    size_t occupied; /* summed over the steps */
};

/* Checks what one operation did: the tree is sound, counts are right, each object died once
   when its last cap went, and only the target, its descendants (revoke) and the contents of
   CSpaces that died are gone. */
static void cs_check_step(const bool *was_occupied, const bool *alive_before, int target)
{
    check_tree(cs, CN);
    check_counts(cs, CN, pool, POOL);
    for (unsigned k = 0; k < POOL; k++)
        assert_int_equal(alive[k], pool[k].cap_count > 0);
    for (int i = 0; i < CN; i++) {
        if (!was_occupied[i] || cs[i].cap.type != CAP_NULL || i == target || desc[i])
            continue;
        size_t k = (size_t)i / CS_SIZE;
        assert_true(k < CSPACES && alive_before[k] && !alive[k]);
    }
}

/* Revokes target (or an ancestor: bigger subtrees) and checks every descendant went, counted by
   revoke or deleted by the hook, unless the hook deleted the revoked slot itself. */
static void cs_revoke(int *target, struct cs_stats *st)
{
    while (rnd_below(2) && cs[*target].parent)
        *target = (int)(cs[*target].parent - cs);
    mark_descendants(*target);
    size_t ndesc = 0;
    for (int i = 0; i < CN; i++)
        ndesc += desc[i];
    hook_deleted_desc = hook_deleted_any = 0;
    /* In one call, or in small steps (whole CSpaces may die between them). */
    struct cte_revoke_walk walk = {0};
    size_t budget = rnd_below(2) ? SIZE_MAX : 1 + rnd_below(8);
    while (!cte_revoke(&cs[*target], budget, &walk))
        check_tree(cs, CN); /* consistent between the steps */
    size_t got = walk.deleted;
    assert_false(cte_has_children(&cs[*target]));
    if (cs[*target].cap.type != CAP_NULL) {
        assert_int_equal(got + hook_deleted_desc, ndesc);
        for (int i = 0; i < CN; i++)
            if (desc[i])
                assert_int_equal(cs[i].cap.type, CAP_NULL);
    } else {
        assert_true(got + hook_deleted_desc <= ndesc);
    }
    st->revokes += ndesc > 0;
    st->restarts += hook_deleted_any > 0;
    st->inside += hook_deleted_desc > 0;
}

static void cs_run(uint64_t seed, struct cs_stats *st)
{
    rng_state = seed;
    memset(cs, 0, sizeof cs);
    memset(pool, 0, sizeof pool);
    memset(alive, 0, sizeof alive);
    g_slots = cs;
    g_nslots = CN;
    g_deaths = NULL;
    hook_then = cspace_random_hook;
    bool was_occupied[CN], alive_before[POOL];

    for (int step = 0; step < ROPS; step++) {
        int occupied = 0;
        for (int i = 0; i < CN; i++) {
            was_occupied[i] = cs[i].cap.type != CAP_NULL;
            occupied += was_occupied[i];
        }
        st->occupied += (size_t)occupied;
        memcpy(alive_before, alive, sizeof alive);
        memset(desc, 0, sizeof desc);
        size_t calls_before = hook_calls;
        int target = -1;
        unsigned op = pick_op(step, occupied, CN);
        if (op == OP_INSERT) {
            cs_random_insert();
        } else if (op == OP_DELETE) {
            target = c_random_slot(true);
            if (target < 0)
                continue;
            cte_delete(&cs[target]);
            assert_true(is_empty(&cs[target]));
        } else if (op == OP_REVOKE) {
            target = c_random_slot(true);
            if (target < 0)
                continue;
            cs_revoke(&target, st);
        } else {
            int d = c_random_slot(false);
            target = c_random_slot(true); /* a move empties its source */
            if (target < 0 || d < 0)
                continue;
            cte_move(&cs[d], &cs[target]);
            assert_int_equal(hook_calls, calls_before);
        }
        st->nested += hook_calls > calls_before + 1;
        cs_check_step(was_occupied, alive_before, target);
    }
}

static void test_random_cspace_hook(void **state)
{
    (void)state;
    static const uint64_t seeds[] = {0x0123456789abcdefull, 0xfeedfacecafebeefull, 42};
    struct cs_stats st = {0};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        cs_run(seeds[i], &st);
    /* The runs reached the interesting cases, many times. */
    assert_true(st.revokes > 3000);
    assert_true(st.nested > 300);
    assert_true(st.restarts > 100);
    assert_true(st.inside > 60);
    assert_true(st.occupied / (3 * ROPS) > 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_has_header),
        T(test_insert_root),
        T(test_insert_children_order),
        T(test_derive_first),
        T(test_insert_copy_of_parent),
        T(test_replace),
        T(test_cap_count_headed_only),
        T(test_insert_null_cap),
        T(test_delete_leaf),
        T(test_delete_empty),
        T(test_delete_with_children),
        T(test_delete_root_with_children),
        T(test_hook_last_cap),
        T(test_no_hook),
        T(test_hook_never_headless),
        T(test_hook_deletes_during_delete),
        T(test_hook_deletes_during_revoke),
        T(test_hook_deletes_revoked_slot),
        T(test_revoke_order),
        T(test_revoke_nothing),
        T(test_revoke_deep_chain),
        T(test_revoke_deep_chain_distinct),
        T(test_revoke_deep_chain_mutating_hook),
        T(test_revoke_wide),
        T(test_revoke_partial_then_resume),
        T(test_revoke_budget_one),
        T(test_revoke_deep_chain_bounded),
        T(test_move_middle_sibling),
        T(test_move_with_children),
        T(test_move_root),
        T(test_move_degenerate),
        T(test_random_model),
        T(test_random_cspace_hook),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
