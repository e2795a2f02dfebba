/*
 * The full check of an HMFS volume (hmfs_check in hmfs.h; docs/hmfs.md, "Invariants"): a
 * physical pass reads every block of every tree, data included, verifying it against its
 * pointer and its place in its hash map, and that no tree reaches a block twice; then a
 * logical pass per tree checks directories, inodes, link counts and block maps, and the
 * superblock's count of used blocks. With repair, what can be repaired is, then committed, and
 * the check runs again to count what remains.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmfs/internal.h"

struct checker {
    struct hmfs *fs;
    const struct hmfs_check_options *options;
    struct hmfs_check_result *result;
    uint8_t *seen;      /* bitmap: blocks any tree reached */
    uint8_t *seen_tree; /* bitmap: blocks the current tree reached */
    uint64_t used;      /* distinct blocks reached */
    bool damaged;       /* the current tree has unreadable blocks: no reconnecting */
    bool repaired_any;
};

static void finding(struct checker *c, const char *format, ...)
{
    char line[256];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    c->result->errors++;
    if (c->options->report)
        c->options->report(c->options->context, line);
}

static void repaired(struct checker *c, int rc, const char *what)
{
    if (rc == HMFS_OK) {
        c->result->repaired++;
        c->repaired_any = true;
    }
    if (c->options->report) {
        char line[256];
        snprintf(line, sizeof line, rc == HMFS_OK ? "  repaired: %s" : "  could not %s: %s", what,
                 hmfs_error_name(rc));
        c->options->report(c->options->context, line);
    }
}

static bool bit_test_set(uint8_t *bits, uint64_t b)
{
    bool was = bits[b / 8] & (1u << (b % 8));
    bits[b / 8] |= (uint8_t)(1u << (b % 8));
    return was;
}

static void report_problem(struct checker *c, const char *tree)
{
    struct hmfs_problem p = hmfs_problem(c->fs);
    finding(c, "tree '%s': block %llu (inode %llu): %s: %s", tree, (unsigned long long)p.block,
            (unsigned long long)p.inode, hmfs_error_name(p.error), p.what ? p.what : "");
}

/* Reads and verifies the subtree ptr leads to. prefix: the hash bits the levels above fixed;
   first and run: the slots of the table above that point here (a bucket must cover them). */
static void walk_block(struct checker *c, const char *tree, const struct hmfs_bptr *ptr,
                       uint64_t owner, uint8_t level, uint64_t prefix, unsigned first, unsigned run)
{
    uint64_t b = ptr->blockno;
    if (b < HMFS_RING_SIZE || b >= c->fs->blocks) {
        finding(c, "tree '%s': inode %llu: pointer to block %llu outside the volume", tree,
                (unsigned long long)owner, (unsigned long long)b);
        c->damaged = true;
        return;
    }
    if (bit_test_set(c->seen_tree, b)) {
        finding(c, "tree '%s': block %llu reached twice", tree, (unsigned long long)b);
        return;
    }
    if (bit_test_set(c->seen, b))
        return; /* shared with a tree checked before */
    c->used++;
    c->result->blocks++;
    uint8_t *block = malloc(HMFS_BLOCK_SIZE);
    if (!block) {
        finding(c, "out of memory");
        return;
    }
    if (hmfs_block_copy(c->fs, ptr, owner, level, block) != HMFS_OK) {
        report_problem(c, tree);
        c->damaged = true;
        free(block);
        return;
    }
    if (ptr->type == HMFS_TYPE_BUCKET) {
        struct hmfs_bucket_body body;
        memcpy(&body, block + HMFS_HEADER_SIZE, sizeof body);
        unsigned covers = 1u << (HMFS_TABLE_BITS - body.depth);
        if (body.prefix != first || covers != run)
            finding(c, "tree '%s': bucket %llu covers slots %u+%u, its table gives %u+%u", tree,
                    (unsigned long long)b, body.prefix, covers, first, run);
        size_t offset = 0;
        uint64_t mask = level == 0 ? 0 : ~((UINT64_C(1) << (64 - HMFS_TABLE_BITS * level)) - 1);
        for (unsigned i = 0; i < body.count; i++) {
            struct hmfs_record r;
            r = hmfs_record_get(block + HMFS_BUCKET_OFFSET + offset);
            if ((r.hash & mask) != prefix) {
                finding(c, "tree '%s': bucket %llu holds a record of another table's hash", tree,
                        (unsigned long long)b);
                break;
            }
            offset += ((HMFS_RECORD_SIZE + r.key_len + 7u) & ~7u) + ((r.value_len + 7u) & ~7u);
        }
    }
    struct hmfs_child children[HMFS_TABLE_SLOTS];
    size_t n = hmfs_children(block, children);
    for (size_t i = 0; i < n;) {
        size_t end = i + 1;
        while (end < n && children[end].ptr->blockno == children[i].ptr->blockno)
            end++;
        uint64_t child_prefix = 0;
        unsigned child_first = 0, child_run = HMFS_TABLE_SLOTS;
        if (ptr->type == HMFS_TYPE_TABLE) {
            child_prefix = prefix | ((uint64_t)i << (57u - HMFS_TABLE_BITS * level));
            child_first = (unsigned)i;
            child_run = (unsigned)(end - i);
            if (children[i].ptr->type == HMFS_TYPE_TABLE) {
                child_first = 0;
                child_run = HMFS_TABLE_SLOTS;
            } else {
                child_prefix = prefix;
            }
        }
        walk_block(c, tree, children[i].ptr, children[i].owner, children[i].level, child_prefix,
                   child_first, child_run);
        i = end;
    }
    free(block);
}

/* The inodes of a tree, listed in memory for the logical pass. */
struct inode_list {
    struct hmfs_inode *items;
    size_t count, capacity;
    unsigned *links;   /* names found for each */
    unsigned *subdirs; /* subdirectories found for each directory */
};

static int by_ino(const void *a, const void *b)
{
    const struct hmfs_inode *x = a, *y = b;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static long find_inode(const struct inode_list *l, uint64_t ino)
{
    size_t lo = 0, hi = l->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->items[mid].ino == ino)
            return (long)mid;
        if (l->items[mid].ino < ino)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Lists the inodes of tree t (false if the inode table is unreadable). */
static bool list_inodes(struct checker *c, unsigned t, const char *name, struct inode_list *l)
{
    struct hmfs *fs = c->fs;
    uint64_t hash = 0, key = 0;
    bool started = false;
    for (;;) {
        struct hmfs_inode inode;
        size_t key_len, value_len;
        int rc = hmfs_map_next(fs, &fs->super.trees[t].inodes, HMFS_OWNER_INODES, &hash,
                               started ? &key : NULL, 8, &key, sizeof key, &key_len, &inode,
                               sizeof inode, &value_len);
        if (rc == HMFS_ERR_NOENT)
            break;
        if (rc) {
            report_problem(c, name);
            return false;
        }
        started = true;
        if (l->count == l->capacity) {
            size_t cap = l->capacity ? 2 * l->capacity : 64;
            struct hmfs_inode *grown = realloc(l->items, cap * sizeof *grown);
            if (!grown) {
                finding(c, "out of memory");
                return false;
            }
            l->items = grown;
            l->capacity = cap;
        }
        l->items[l->count++] = inode;
    }
    if (l->count > 1)
        qsort(l->items, l->count, sizeof *l->items, by_ino);
    l->links = calloc(l->count + 1, sizeof *l->links);
    l->subdirs = calloc(l->count + 1, sizeof *l->subdirs);
    return l->links && l->subdirs;
}

/* Sets the counted fields of an inode to *fixed's. */
static int repair_inode(struct hmfs *fs, unsigned t, const struct hmfs_inode *fixed)
{
    int rc = hmfs_step(fs);
    if (rc == HMFS_OK)
        rc = hmfs_reserve(fs, HMFS_STEP_BLOCKS, true);
    struct hmfs_inode *ip;
    if (rc == HMFS_OK)
        rc = hmfs_inode_mut(fs, t, fixed->ino, &ip);
    if (rc == HMFS_OK) {
        ip->nlink = fixed->nlink;
        ip->size = fixed->size;
        ip->parent = fixed->parent;
        ip->map.count = fixed->map.count;
    }
    return rc;
}

static int remove_entry(struct hmfs *fs, unsigned t, uint64_t dir, const char *name, size_t len)
{
    int rc = hmfs_step(fs);
    if (rc == HMFS_OK)
        rc = hmfs_reserve(fs, HMFS_STEP_BLOCKS, true);
    struct hmfs_inode *dp;
    if (rc == HMFS_OK)
        rc = hmfs_inode_mut(fs, t, dir, &dp);
    if (rc == HMFS_OK)
        rc = hmfs_map_delete(fs, &dp->map, dir, hmfs_hash_name(name, len), name, len);
    return rc;
}

/* Checks the entries of directory l->items[i]; counts links and subdirectories. */
static void check_dir(struct checker *c, unsigned t, const char *tree, struct inode_list *l,
                      size_t i, bool repair)
{
    struct hmfs *fs = c->fs;
    struct hmfs_inode dir = l->items[i];
    uint64_t hash = 0, entries = 0;
    for (;;) {
        char name[HMFS_NAME_MAX + 1];
        struct hmfs_dirent_value v;
        size_t len, vlen;
        int rc = hmfs_map_next(fs, &dir.map, dir.ino, &hash, NULL, 0, name, HMFS_NAME_MAX, &len, &v,
                               sizeof v, &vlen);
        if (rc == HMFS_ERR_NOENT)
            break;
        if (rc) {
            report_problem(c, tree);
            c->damaged = true;
            return;
        }
        name[len] = '\0';
        hash++;
        long child = find_inode(l, v.ino);
        if (child < 0) {
            finding(c, "tree '%s': directory %llu: entry '%s' names missing inode %llu", tree,
                    (unsigned long long)dir.ino, name, (unsigned long long)v.ino);
            if (repair) {
                repaired(c, remove_entry(fs, t, dir.ino, name, len), "remove the entry");
                continue;
            }
        } else {
            l->links[child]++;
            if (l->items[child].type != v.type)
                finding(c, "tree '%s': entry '%s' says type %u, inode %llu is type %u", tree, name,
                        v.type, (unsigned long long)v.ino, l->items[child].type);
            if (l->items[child].type == HMFS_INODE_DIR) {
                l->subdirs[i]++;
                if (l->items[child].parent != dir.ino) {
                    finding(c, "tree '%s': directory %llu: parent %llu, but it is in %llu", tree,
                            (unsigned long long)v.ino, (unsigned long long)l->items[child].parent,
                            (unsigned long long)dir.ino);
                    l->items[child].parent = dir.ino;
                    if (repair)
                        repaired(c, repair_inode(fs, t, &l->items[child]), "set the parent");
                }
            }
        }
        entries++;
    }
    if (entries != dir.size || entries != dir.map.count) {
        finding(c, "tree '%s': directory %llu: %llu entries, size says %llu, map %llu", tree,
                (unsigned long long)dir.ino, (unsigned long long)entries,
                (unsigned long long)dir.size, (unsigned long long)dir.map.count);
        l->items[i].size = entries;
        l->items[i].map.count = entries;
        if (repair)
            repaired(c, repair_inode(fs, t, &l->items[i]), "set the directory's size");
    }
}

/* Checks the block map of file l->items[i]: records counted, none past the end. */
static void check_file(struct checker *c, unsigned t, const char *tree, struct inode_list *l,
                       size_t i, bool repair)
{
    struct hmfs *fs = c->fs;
    struct hmfs_inode file = l->items[i];
    uint64_t hash = 0, key = 0, records = 0, past = 0;
    uint64_t keep = (file.size + HMFS_DATA_BYTES - 1) / HMFS_DATA_BYTES;
    bool started = false;
    for (;;) {
        struct hmfs_bptr p;
        size_t klen, vlen;
        int rc = hmfs_map_next(fs, &file.map, file.ino, &hash, started ? &key : NULL, 8, &key,
                               sizeof key, &klen, &p, sizeof p, &vlen);
        if (rc == HMFS_ERR_NOENT)
            break;
        if (rc) {
            report_problem(c, tree);
            c->damaged = true;
            return;
        }
        started = true;
        records++;
        past += key >= keep;
    }
    if (records != file.map.count) {
        finding(c, "tree '%s': file %llu: %llu blocks, its map says %llu", tree,
                (unsigned long long)file.ino, (unsigned long long)records,
                (unsigned long long)file.map.count);
        l->items[i].map.count = records;
        if (repair)
            repaired(c, repair_inode(fs, t, &l->items[i]), "set the block count");
    }
    if (past) {
        finding(c, "tree '%s': file %llu: %llu blocks past its end (size %llu)", tree,
                (unsigned long long)file.ino, (unsigned long long)past,
                (unsigned long long)file.size);
        if (repair)
            repaired(c, hmfs_truncate(fs, t, file.ino, file.size), "drop them");
    }
}

/* Gives an orphan a name in /lost+found. */
static int reconnect(struct hmfs *fs, unsigned t, struct hmfs_inode *orphan)
{
    uint64_t lf;
    int rc = hmfs_lookup(fs, t, HMFS_ROOT_INO, "lost+found", &lf);
    if (rc == HMFS_ERR_NOENT)
        rc = hmfs_mkdir(fs, t, HMFS_ROOT_INO, "lost+found", &lf);
    if (rc)
        return rc;
    char name[32];
    snprintf(name, sizeof name, "#%llu", (unsigned long long)orphan->ino);
    rc = hmfs_step(fs);
    if (rc == HMFS_OK)
        rc = hmfs_reserve(fs, HMFS_STEP_BLOCKS, true);
    struct hmfs_inode *dp;
    if (rc == HMFS_OK)
        rc = hmfs_inode_mut(fs, t, lf, &dp);
    if (rc == HMFS_OK) {
        struct hmfs_dirent_value v = {orphan->ino, orphan->type, 0};
        size_t len = strlen(name);
        rc = hmfs_map_put(fs, &dp->map, HMFS_KIND_DIR, lf, hmfs_hash_name(name, len), name, len, &v,
                          sizeof v, false);
        if (rc == HMFS_OK) {
            dp->size++;
            dp->nlink += orphan->type == HMFS_INODE_DIR;
        }
    }
    if (rc == HMFS_OK && orphan->type == HMFS_INODE_DIR) {
        orphan->parent = lf;
        rc = repair_inode(fs, t, orphan);
    }
    return rc;
}

static void check_tree(struct checker *c, unsigned t, bool repair)
{
    struct hmfs *fs = c->fs;
    struct hmfs_tree_entry *entry = &fs->super.trees[t];
    const char *tree = entry->name;
    c->damaged = false;
    memset(c->seen_tree, 0, (fs->blocks + 7) / 8);
    if (entry->inodes.root.blockno != 0)
        walk_block(c, tree, &entry->inodes.root, HMFS_OWNER_INODES, 0, 0, 0, HMFS_TABLE_SLOTS);
    bool writable = repair && !(entry->flags & HMFS_TREE_READONLY);
    struct inode_list l = {0};
    if (!list_inodes(c, t, tree, &l)) {
        c->damaged = true;
        goto out;
    }
    c->result->inodes += l.count;
    if (l.count != entry->inodes.count) {
        finding(c, "tree '%s': %llu inodes, the tree says %llu", tree, (unsigned long long)l.count,
                (unsigned long long)entry->inodes.count);
        if (writable && !c->damaged) {
            entry->inodes.count = l.count;
            fs->super_dirty = true;
            repaired(c, HMFS_OK, "set the inode count");
        }
    }
    long root = find_inode(&l, HMFS_ROOT_INO);
    if (root < 0 || l.items[root].type != HMFS_INODE_DIR || l.items[root].parent != HMFS_ROOT_INO) {
        finding(c, "tree '%s': no root directory", tree);
        goto out;
    }
    for (size_t i = 0; i < l.count; i++) {
        if (l.items[i].ino >= entry->next_ino)
            finding(c, "tree '%s': inode %llu not below the next inode number %llu", tree,
                    (unsigned long long)l.items[i].ino, (unsigned long long)entry->next_ino);
        if (l.items[i].type == HMFS_INODE_DIR)
            check_dir(c, t, tree, &l, i, writable);
        else
            check_file(c, t, tree, &l, i, writable);
    }
    for (size_t i = 0; i < l.count; i++) {
        struct hmfs_inode *in = &l.items[i];
        bool is_root = in->ino == HMFS_ROOT_INO;
        unsigned links = l.links[i];
        if (!is_root && links == 0) {
            finding(c, "tree '%s': inode %llu has no name", tree, (unsigned long long)in->ino);
            if (writable && !c->damaged) {
                repaired(c, reconnect(fs, t, in), "link it into /lost+found");
                links = 1;
            }
        } else if ((is_root && links != 0) ||
                   (in->type == HMFS_INODE_DIR && !is_root && links > 1)) {
            finding(c, "tree '%s': directory %llu has %u names", tree, (unsigned long long)in->ino,
                    links);
            continue;
        }
        uint32_t want = in->type == HMFS_INODE_DIR ? 2 + l.subdirs[i] : links;
        if (in->nlink != want && (links > 0 || is_root)) {
            finding(c, "tree '%s': inode %llu: link count %u, should be %u", tree,
                    (unsigned long long)in->ino, in->nlink, want);
            in->nlink = want;
            if (writable)
                repaired(c, repair_inode(fs, t, in), "set the link count");
        }
    }
out:
    free(l.items);
    free(l.links);
    free(l.subdirs);
}

static int check_pass(const struct hmfs_device *dev, const struct hmfs_check_options *options,
                      bool repair, struct hmfs_check_result *out)
{
    memset(out, 0, sizeof *out);
    struct checker c = {.options = options, .result = out};
    struct hmfs_options mount = {options->cache_blocks, NULL};
    /* The newest well-formed superblock: if mounting passes it over, that is a finding. */
    uint64_t newest = 0;
    int newest_slot = -1;
    uint8_t block[HMFS_BLOCK_SIZE];
    for (unsigned i = 0; i < HMFS_RING_SIZE; i++) {
        struct hmfs_header h;
        if (dev->read(dev->context, i, block) != 0) {
            finding(&c, "superblock slot %u: read failed", i);
            continue;
        }
        memcpy(&h, block, sizeof h);
        if (h.crc == hmfs_block_crc(block) && h.magic == HMFS_MAGIC && h.type == HMFS_TYPE_SUPER &&
            h.blockno == i && h.gen > newest) {
            newest = h.gen;
            newest_slot = (int)i;
        }
    }
    int rc = hmfs_mount(dev, &mount, &c.fs);
    if (rc == HMFS_ERR_NOMEM)
        return rc;
    if (newest_slot >= 0 && (rc != HMFS_OK || c.fs->super.header.gen != newest)) {
        struct hmfs *newest_fs;
        struct hmfs_problem p = {0, 0, 0, NULL};
        if (hmfs_mount_slot(dev, &mount, newest_slot, &newest_fs, &p) == HMFS_OK)
            hmfs_unmount_discard(newest_fs);
        else
            finding(&c, "superblock of generation %llu: block %llu (inode %llu): %s",
                    (unsigned long long)newest, (unsigned long long)p.block,
                    (unsigned long long)p.inode, p.what ? p.what : "unreadable");
    }
    if (rc) {
        finding(&c, "no superblock with complete trees: %s", hmfs_error_name(rc));
        return HMFS_OK;
    }
    out->mounted = true;
    struct hmfs *fs = c.fs;
    if (fs->degraded && repair) {
        /* Blocks below a damaged one cannot be counted: changing anything could overwrite
           them. The findings below name the damage. */
        if (options->report)
            options->report(options->context, "damaged blocks: nothing will be repaired");
        repair = false;
    }
    if (fs->super.header.gen != newest) {
        finding(&c,
                "the newest superblock (generation %llu) has incomplete trees; mounted "
                "generation %llu",
                (unsigned long long)newest, (unsigned long long)fs->super.header.gen);
        if (repair) {
            fs->txn = newest + 1; /* the next commit must be the newest */
            fs->super_dirty = true;
            repaired(&c, HMFS_OK, "commit a newer superblock");
        }
    }
    c.seen = calloc((fs->blocks + 7) / 8, 1);
    c.seen_tree = calloc((fs->blocks + 7) / 8, 1);
    if (!c.seen || !c.seen_tree) {
        free(c.seen);
        free(c.seen_tree);
        hmfs_unmount(fs);
        return HMFS_ERR_NOMEM;
    }
    uint64_t recorded_used = fs->super.used_blocks;
    for (unsigned t = 0; t < HMFS_MAX_TREES; t++)
        if (fs->super.trees[t].flags & HMFS_TREE_USED)
            check_tree(&c, t, repair);
    if (c.used + HMFS_RING_SIZE != recorded_used) {
        finding(&c, "superblock counts %llu used blocks, the trees use %llu",
                (unsigned long long)recorded_used, (unsigned long long)(c.used + HMFS_RING_SIZE));
        if (repair) {
            fs->super_dirty = true;
            repaired(&c, HMFS_OK, "count them again");
        }
    }
    free(c.seen);
    free(c.seen_tree);
    rc = repair ? hmfs_unmount(fs) : (hmfs_unmount_discard(fs), HMFS_OK);
    if (rc && out->repaired) {
        finding(&c, "committing the repairs failed: %s", hmfs_error_name(rc));
        out->repaired = 0;
    }
    return HMFS_OK;
}

int hmfs_check(const struct hmfs_device *dev, const struct hmfs_check_options *options,
               struct hmfs_check_result *out)
{
    int rc = check_pass(dev, options, options->repair, out);
    if (rc || !options->repair || out->errors == 0) {
        out->remaining = out->errors;
        return rc;
    }
    struct hmfs_check_options again = *options;
    again.repair = false;
    struct hmfs_check_result second;
    rc = check_pass(dev, &again, false, &second);
    out->remaining = second.errors;
    return rc;
}

int hmfs_check_refs(struct hmfs *fs)
{
    size_t bytes = (size_t)fs->blocks, bits = (size_t)(fs->blocks + 7) / 8;
    uint8_t *refs = malloc(bytes), *pending = malloc(bits);
    if (!refs || !pending) {
        free(refs);
        free(pending);
        return HMFS_ERR_NOMEM;
    }
    memcpy(refs, fs->refs, bytes);
    memcpy(pending, fs->pending, bits);
    uint64_t used = fs->used, pending_count = fs->pending_count;
    int rc = hmfs_walk_trees(fs, false);
    for (uint64_t b = 0; rc == HMFS_OK && b < fs->blocks; b++)
        if (refs[b] != fs->refs[b])
            rc = hmfs_fail(fs, HMFS_ERR_CORRUPT, b, 0, "reference count differs from the trees");
    if (rc == HMFS_OK && used != fs->used)
        rc = hmfs_fail(fs, HMFS_ERR_CORRUPT, 0, 0, "used count differs from the trees");
    memcpy(fs->refs, refs, bytes);
    memcpy(fs->pending, pending, bits);
    fs->used = used;
    fs->pending_count = pending_count;
    free(refs);
    free(pending);
    return rc;
}
