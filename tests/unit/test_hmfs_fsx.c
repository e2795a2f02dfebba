/*
 * A seeded, reproducible exerciser of lib/hmfs in the style of fsx: thousands of random
 * operations (create, mkdir, write at random offsets, truncate, rename, unlink, rmdir, sync,
 * remount, snapshot, snapshot delete, clone and clone delete) on a volume in memory, on the
 * main tree and on a writable clone of it that changes alongside (their shared blocks copied
 * and freed from both sides), each one's answer and every read
 * checked against a model kept in memory; snapshots are checked against the model as it was
 * when they were taken. A small cache makes blocks leave it and commits happen on their own.
 * Periodically the whole tree is compared with the model and the reference counts with a walk
 * (hmfs_check_refs); at the end the full check must be clean. A failure names the seed and
 * the operation (HMFS_FSX_SEED=n HMFS_FSX_OPS=n reproduce one run).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmfs/hmfs.h"
#include "hmfs/internal.h"
#include "hmfs/memdev.h"
#include "hmfs/util.h"

#define MAX_NODES  64
#define PATH_MAX_  64
#define MAX_SNAPS  3
#define MAX_OFFSET 60000u
#define MAX_LENGTH 20000u

struct node {
    bool used, dir;
    char path[PATH_MAX_];
    uint8_t *data;
    size_t size;
};

struct model {
    struct node nodes[MAX_NODES];
};

struct snap {
    bool used;
    char name[16];
    struct model model;
};

struct run {
    uint64_t seed, rng, op;
    struct memdev m;
    struct hmfs *fs;
    struct model model;
    struct snap snaps[MAX_SNAPS];
    unsigned snap_serial;
    /* A writable clone of the main tree, changed alongside it, and the tree the next
       operation works on. */
    bool has_fork;
    unsigned fork;
    struct model fork_model;
    unsigned tree;
    struct model *cur;
};

static const char *const parents[] = {"", "/a", "/b", "/a/c", "/b/c"};
static const char *const names[] = {"a", "b", "c", "f0", "f1", "f2", "f3"};

#define EXPECT(r, got, want)                                                                       \
    do {                                                                                           \
        int got_ = (got), want_ = (want);                                                          \
        if (got_ != want_)                                                                         \
            fail_msg("seed %llu op %llu: %s gave '%s', want '%s' (block %llu: %s)",                \
                     (unsigned long long)(r)->seed, (unsigned long long)(r)->op, #got,             \
                     hmfs_error_name(got_), hmfs_error_name(want_),                                \
                     (unsigned long long)hmfs_problem((r)->fs).block,                              \
                     hmfs_problem((r)->fs).what ? hmfs_problem((r)->fs).what : "");                \
    } while (0)

static long model_find(const struct model *m, const char *path)
{
    for (long i = 0; i < MAX_NODES; i++)
        if (m->nodes[i].used && strcmp(m->nodes[i].path, path) == 0)
            return i;
    return -1;
}

static void parent_of(const char *path, char *out)
{
    strcpy(out, path);
    char *slash = strrchr(out, '/');
    *slash = '\0';
}

/* What resolving path gives: 0, NOENT or NOTDIR ("" is the root). */
static int model_resolve(const struct model *m, const char *path)
{
    char prefix[PATH_MAX_];
    size_t n = strlen(path);
    for (size_t i = 1; i <= n; i++) {
        if (i < n && path[i] != '/')
            continue;
        memcpy(prefix, path, i);
        prefix[i] = '\0';
        long k = model_find(m, prefix);
        if (k < 0)
            return HMFS_ERR_NOENT;
        if (!m->nodes[k].dir && i < n)
            return HMFS_ERR_NOTDIR;
    }
    return HMFS_OK;
}

static bool has_children(const struct model *m, const char *path)
{
    size_t n = strlen(path);
    for (int i = 0; i < MAX_NODES; i++)
        if (m->nodes[i].used && strncmp(m->nodes[i].path, path, n) == 0 &&
            m->nodes[i].path[n] == '/')
            return true;
    return false;
}

static long model_add(struct model *m, const char *path, bool dir)
{
    for (long i = 0; i < MAX_NODES; i++)
        if (!m->nodes[i].used) {
            m->nodes[i] = (struct node){true, dir, "", NULL, 0};
            strcpy(m->nodes[i].path, path);
            return i;
        }
    fail_msg("model full");
    return -1;
}

static void model_remove(struct model *m, long i)
{
    free(m->nodes[i].data);
    m->nodes[i] = (struct node){0};
}

static void model_copy(struct model *to, const struct model *from)
{
    for (int i = 0; i < MAX_NODES; i++) {
        to->nodes[i] = from->nodes[i];
        if (from->nodes[i].data) {
            to->nodes[i].data = malloc(from->nodes[i].size);
            memcpy(to->nodes[i].data, from->nodes[i].data, from->nodes[i].size);
        }
    }
}

static void model_free(struct model *m)
{
    for (int i = 0; i < MAX_NODES; i++)
        if (m->nodes[i].used)
            model_remove(m, i);
}

static void random_path(struct run *r, char *out)
{
    snprintf(out, PATH_MAX_, "%s/%s", parents[rng_below(&r->rng, 5)], names[rng_below(&r->rng, 7)]);
}

/* An existing node of the kind asked for, or -1. */
static long random_node(struct run *r, bool dir)
{
    long found[MAX_NODES], n = 0;
    for (long i = 0; i < MAX_NODES; i++)
        if (r->cur->nodes[i].used && r->cur->nodes[i].dir == dir)
            found[n++] = i;
    return n ? found[rng_below(&r->rng, (uint64_t)n)] : -1;
}

/* Resolves the parent of path in the volume as the model says it must; false if it does not
   resolve (then both agreed on why). */
static bool parent_dir(struct run *r, unsigned tree, const struct model *m, const char *path,
                       uint64_t *dir)
{
    char parent[PATH_MAX_];
    parent_of(path, parent);
    int want = model_resolve(m, parent);
    if (want == HMFS_OK && parent[0] && !m->nodes[model_find(m, parent)].dir)
        want = HMFS_ERR_NOTDIR;
    int got = hmfs_resolve(r->fs, tree, parent[0] ? parent : "/", dir);
    if (got == HMFS_OK) {
        struct hmfs_stat st;
        EXPECT(r, hmfs_stat(r->fs, tree, *dir, &st), HMFS_OK);
        if (st.type != HMFS_INODE_DIR)
            got = HMFS_ERR_NOTDIR;
    }
    EXPECT(r, got, want);
    return got == HMFS_OK;
}

static void verify_file(struct run *r, unsigned tree, const struct node *n, uint64_t ino)
{
    struct hmfs_stat st;
    EXPECT(r, hmfs_stat(r->fs, tree, ino, &st), HMFS_OK);
    if (st.size != n->size)
        fail_msg("seed %llu op %llu: %s: size %llu, want %zu", (unsigned long long)r->seed,
                 (unsigned long long)r->op, n->path, (unsigned long long)st.size, n->size);
    uint8_t *buf = malloc(n->size + 1);
    size_t done;
    EXPECT(r, hmfs_read(r->fs, tree, ino, 0, buf, n->size + 1, &done), HMFS_OK);
    assert_int_equal(done, n->size);
    if (n->size && memcmp(buf, n->data, n->size) != 0)
        fail_msg("seed %llu op %llu: %s: contents differ", (unsigned long long)r->seed,
                 (unsigned long long)r->op, n->path);
    free(buf);
}

/* Every node of the model is there with its contents, and nothing else is. */
static void verify_tree(struct run *r, unsigned tree, const struct model *m)
{
    unsigned entries_expected[MAX_NODES + 1] = {0};
    for (int i = 0; i < MAX_NODES; i++) {
        const struct node *n = &m->nodes[i];
        if (!n->used)
            continue;
        uint64_t ino;
        EXPECT(r, hmfs_resolve(r->fs, tree, n->path, &ino), HMFS_OK);
        struct hmfs_stat st;
        EXPECT(r, hmfs_stat(r->fs, tree, ino, &st), HMFS_OK);
        assert_int_equal(st.type, n->dir ? HMFS_INODE_DIR : HMFS_INODE_FILE);
        if (!n->dir)
            verify_file(r, tree, n, ino);
        char parent[PATH_MAX_];
        parent_of(n->path, parent);
        long p = parent[0] ? model_find(m, parent) : MAX_NODES;
        entries_expected[p]++;
    }
    for (int i = 0; i <= MAX_NODES; i++) {
        if (i < MAX_NODES && (!m->nodes[i].used || !m->nodes[i].dir))
            continue;
        uint64_t dir, cookie = 0;
        EXPECT(r, hmfs_resolve(r->fs, tree, i < MAX_NODES ? m->nodes[i].path : "/", &dir), HMFS_OK);
        struct hmfs_dirent e;
        unsigned count = 0;
        while (hmfs_readdir(r->fs, tree, dir, &cookie, &e) == HMFS_OK)
            count++;
        assert_int_equal(count, entries_expected[i]);
    }
}

static void op_create(struct run *r, bool dir)
{
    char path[PATH_MAX_];
    random_path(r, path);
    uint64_t d;
    if (!parent_dir(r, r->tree, r->cur, path, &d))
        return;
    const char *name = strrchr(path, '/') + 1;
    int want = model_find(r->cur, path) >= 0 ? HMFS_ERR_EXIST : HMFS_OK;
    EXPECT(r,
           dir ? hmfs_mkdir(r->fs, r->tree, d, name, NULL)
               : hmfs_create(r->fs, r->tree, d, name, NULL),
           want);
    if (want == HMFS_OK)
        model_add(r->cur, path, dir);
}

static void op_write(struct run *r)
{
    long i = random_node(r, false);
    if (i < 0)
        return;
    struct node *n = &r->cur->nodes[i];
    uint64_t ino;
    EXPECT(r, hmfs_resolve(r->fs, r->tree, n->path, &ino), HMFS_OK);
    size_t offset = rng_below(&r->rng, MAX_OFFSET), length = 1 + rng_below(&r->rng, MAX_LENGTH);
    uint8_t *buf = malloc(length);
    for (size_t k = 0; k < length; k++)
        buf[k] = (uint8_t)rng_next(&r->rng);
    size_t done;
    EXPECT(r, hmfs_write(r->fs, r->tree, ino, offset, buf, length, &done), HMFS_OK);
    if (offset + length > n->size) {
        n->data = realloc(n->data, offset + length);
        memset(n->data + n->size, 0, offset + length - n->size);
        n->size = offset + length;
    }
    memcpy(n->data + offset, buf, length);
    free(buf);
}

static void op_truncate(struct run *r)
{
    long i = random_node(r, false);
    if (i < 0)
        return;
    struct node *n = &r->cur->nodes[i];
    uint64_t ino;
    EXPECT(r, hmfs_resolve(r->fs, r->tree, n->path, &ino), HMFS_OK);
    size_t size = rng_below(&r->rng, MAX_OFFSET + MAX_LENGTH);
    EXPECT(r, hmfs_truncate(r->fs, r->tree, ino, size), HMFS_OK);
    if (size > n->size) {
        n->data = realloc(n->data, size);
        memset(n->data + n->size, 0, size - n->size);
    }
    n->size = size;
}

static void op_read(struct run *r)
{
    long i = random_node(r, false);
    if (i < 0)
        return;
    struct node *n = &r->cur->nodes[i];
    uint64_t ino;
    EXPECT(r, hmfs_resolve(r->fs, r->tree, n->path, &ino), HMFS_OK);
    size_t offset = rng_below(&r->rng, MAX_OFFSET + MAX_LENGTH),
           length = rng_below(&r->rng, MAX_LENGTH);
    uint8_t *buf = malloc(length + 1);
    size_t done;
    EXPECT(r, hmfs_read(r->fs, r->tree, ino, offset, buf, length, &done), HMFS_OK);
    size_t want = offset >= n->size ? 0 : (n->size - offset < length ? n->size - offset : length);
    assert_int_equal(done, want);
    if (want && memcmp(buf, n->data + offset, want) != 0)
        fail_msg("seed %llu op %llu: read of %s differs", (unsigned long long)r->seed,
                 (unsigned long long)r->op, n->path);
    free(buf);
}

static void op_remove(struct run *r, bool dir)
{
    char path[PATH_MAX_];
    random_path(r, path);
    uint64_t d;
    if (!parent_dir(r, r->tree, r->cur, path, &d))
        return;
    long i = model_find(r->cur, path);
    int want = HMFS_OK;
    if (i < 0)
        want = HMFS_ERR_NOENT;
    else if (dir && !r->cur->nodes[i].dir)
        want = HMFS_ERR_NOTDIR;
    else if (!dir && r->cur->nodes[i].dir)
        want = HMFS_ERR_ISDIR;
    else if (dir && has_children(r->cur, path))
        want = HMFS_ERR_NOTEMPTY;
    const char *name = strrchr(path, '/') + 1;
    EXPECT(r, dir ? hmfs_rmdir(r->fs, r->tree, d, name) : hmfs_unlink(r->fs, r->tree, d, name),
           want);
    if (want == HMFS_OK)
        model_remove(r->cur, i);
}

static void op_rename(struct run *r)
{
    char from[PATH_MAX_], to[PATH_MAX_];
    random_path(r, from);
    random_path(r, to);
    uint64_t fd, td;
    if (!parent_dir(r, r->tree, r->cur, from, &fd) || !parent_dir(r, r->tree, r->cur, to, &td))
        return;
    long src = model_find(r->cur, from), dst = model_find(r->cur, to);
    char to_parent[PATH_MAX_];
    parent_of(to, to_parent);
    size_t fl = strlen(from);
    int want = HMFS_OK;
    if (src < 0)
        want = HMFS_ERR_NOENT;
    else if (r->cur->nodes[src].dir &&
             (strcmp(to_parent, from) == 0 ||
              (strncmp(to_parent, from, fl) == 0 && to_parent[fl] == '/')))
        want = HMFS_ERR_INVAL;
    else if (dst == src)
        want = HMFS_OK;
    else if (dst >= 0 && r->cur->nodes[dst].dir)
        want = r->cur->nodes[src].dir ? HMFS_ERR_EXIST : HMFS_ERR_ISDIR;
    else if (dst >= 0 && r->cur->nodes[src].dir)
        want = HMFS_ERR_NOTDIR;
    EXPECT(r, hmfs_rename(r->fs, r->tree, fd, strrchr(from, '/') + 1, td, strrchr(to, '/') + 1),
           want);
    if (want != HMFS_OK || dst == src)
        return;
    if (dst >= 0)
        model_remove(r->cur, dst);
    /* The node and everything below it move. */
    for (int i = 0; i < MAX_NODES; i++) {
        struct node *n = &r->cur->nodes[i];
        if (n->used && strncmp(n->path, from, fl) == 0 && (n->path[fl] == '/' || !n->path[fl])) {
            char moved[PATH_MAX_ * 2];
            snprintf(moved, sizeof moved, "%s%s", to, n->path + fl);
            assert_true(strlen(moved) < PATH_MAX_);
            strcpy(n->path, moved);
        }
    }
}

static void verify_snapshot(struct run *r, struct snap *s)
{
    unsigned t;
    EXPECT(r, hmfs_tree_find(r->fs, s->name, &t), HMFS_OK);
    verify_tree(r, t, &s->model);
    EXPECT(r, hmfs_create(r->fs, t, HMFS_ROOT_INO, "nope", NULL), HMFS_ERR_ROFS);
}

static void op_snapshot(struct run *r)
{
    int free_slot = -1, used = 0;
    for (int i = 0; i < MAX_SNAPS; i++) {
        if (!r->snaps[i].used)
            free_slot = i;
        used += r->snaps[i].used;
    }
    if (free_slot < 0 || rng_below(&r->rng, 2)) {
        /* Check one and delete it. */
        int i = (int)rng_below(&r->rng, MAX_SNAPS);
        if (!r->snaps[i].used)
            return;
        verify_snapshot(r, &r->snaps[i]);
        EXPECT(r, hmfs_tree_delete(r->fs, r->snaps[i].name), HMFS_OK);
        model_free(&r->snaps[i].model);
        r->snaps[i].used = false;
        return;
    }
    struct snap *s = &r->snaps[free_slot];
    snprintf(s->name, sizeof s->name, "snap%u", r->snap_serial++);
    EXPECT(r, hmfs_snapshot_create(r->fs, r->tree, s->name), HMFS_OK);
    s->used = true;
    model_copy(&s->model, r->cur);
}

static uint64_t env_or(const char *name, uint64_t fallback);

/* Makes a writable clone of the main tree, or checks the one there is and deletes it. */
static void op_fork(struct run *r)
{
    if (!r->has_fork) {
        EXPECT(r, hmfs_clone(r->fs, 0, "fork"), HMFS_OK);
        EXPECT(r, hmfs_tree_find(r->fs, "fork", &r->fork), HMFS_OK);
        model_copy(&r->fork_model, &r->model);
        r->has_fork = true;
        return;
    }
    verify_tree(r, r->fork, &r->fork_model);
    EXPECT(r, hmfs_tree_delete(r->fs, "fork"), HMFS_OK);
    model_free(&r->fork_model);
    r->has_fork = false;
}

static void run_fsx(uint64_t seed, unsigned ops, unsigned cache)
{
    uint64_t check_every = env_or("HMFS_FSX_CHECK_EVERY", 250);
    struct run *r = calloc(1, sizeof *r);
    r->seed = seed;
    r->rng = seed * 2654435761u + 1;
    memdev_init(&r->m, 8192);
    assert_int_equal(hmfs_format(&r->m.dev), HMFS_OK);
    struct hmfs_options o = {cache, NULL};
    assert_int_equal(hmfs_mount(&r->m.dev, &o, &r->fs), HMFS_OK);
    for (r->op = 0; r->op < ops; r->op++) {
        bool on_fork = r->has_fork && rng_below(&r->rng, 3) == 0;
        r->tree = on_fork ? r->fork : 0;
        r->cur = on_fork ? &r->fork_model : &r->model;
        unsigned pick = (unsigned)rng_below(&r->rng, 100);
        if (pick < 12)
            op_create(r, false);
        else if (pick < 18)
            op_create(r, true);
        else if (pick < 40)
            op_write(r);
        else if (pick < 48)
            op_truncate(r);
        else if (pick < 62)
            op_read(r);
        else if (pick < 70)
            op_remove(r, false);
        else if (pick < 75)
            op_remove(r, true);
        else if (pick < 86)
            op_rename(r);
        else if (pick < 90)
            EXPECT(r, hmfs_sync(r->fs), HMFS_OK);
        else if (pick < 93) {
            EXPECT(r, hmfs_unmount(r->fs), HMFS_OK);
            EXPECT(r, hmfs_mount(&r->m.dev, &o, &r->fs), HMFS_OK);
        } else if (pick < 97) {
            op_snapshot(r);
        } else if (pick < 98) {
            op_fork(r);
        }
        if (getenv("HMFS_FSX_TRACE"))
            fprintf(stderr, "op %llu: pick %u\n", (unsigned long long)r->op, pick);
        if (r->op % check_every == check_every - 1) {
            verify_tree(r, 0, &r->model);
            if (r->has_fork)
                verify_tree(r, r->fork, &r->fork_model);
            EXPECT(r, hmfs_check_refs(r->fs), HMFS_OK);
        }
    }
    verify_tree(r, 0, &r->model);
    if (r->has_fork)
        verify_tree(r, r->fork, &r->fork_model);
    for (int i = 0; i < MAX_SNAPS; i++)
        if (r->snaps[i].used)
            verify_snapshot(r, &r->snaps[i]);
    EXPECT(r, hmfs_check_refs(r->fs), HMFS_OK);
    EXPECT(r, hmfs_unmount(r->fs), HMFS_OK);
    struct hmfs_check_options co = {false, NULL, NULL, 0};
    struct hmfs_check_result cr;
    assert_int_equal(hmfs_check(&r->m.dev, &co, &cr), HMFS_OK);
    if (cr.errors)
        fail_msg("seed %llu: fsck found %u errors", (unsigned long long)seed, cr.errors);
    model_free(&r->model);
    model_free(&r->fork_model);
    for (int i = 0; i < MAX_SNAPS; i++)
        model_free(&r->snaps[i].model);
    memdev_free(&r->m);
    free(r);
}

static uint64_t env_or(const char *name, uint64_t fallback)
{
    const char *v = getenv(name);
    return v ? strtoull(v, NULL, 0) : fallback;
}

static void test_fsx(void **state)
{
    (void)state;
    if (getenv("HMFS_FSX_SEED")) {
        run_fsx(env_or("HMFS_FSX_SEED", 1), (unsigned)env_or("HMFS_FSX_OPS", 3000),
                (unsigned)env_or("HMFS_FSX_CACHE", 32));
        return;
    }
    /* 4 x 2,500 operations: a small cache (evictions, commits on their own) and a large one. */
    run_fsx(1, 2500, 32);
    run_fsx(2, 2500, 32);
    run_fsx(3, 2500, 512);
    run_fsx(4, 2500, 48);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fsx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
