/*
 * The block cache. See bcache.h. Entries live in one array with a hash chain each and a
 * doubly linked LRU list (indices, -1 for none); their data in one allocation beside.
 */
#include "fsserve/bcache.h"

#include <stdlib.h>
#include <string.h>

#define NONE           (-1)
#define BCACHE_STREAMS 4 /* sequential readers the readahead follows at once */

/* The view's blocks (struct bcache's view_state): not yet asked for, peeked (and so left out
   of the cache when the view goes: a stream's blocks are used once), or not the view's to
   serve any more (copied into an entry, or written since the read). */
enum { VIEW_FRESH, VIEW_SERVED, VIEW_GONE };

/* A sequential reader: the block after its last run, and that run's window. */
struct bcache_stream {
    uint64_t next; /* UINT64_MAX: none */
    unsigned window;
    uint64_t used; /* the stream clock at its last run */
};

struct entry {
    uint64_t block;
    bool valid, dirty;
    int hash_next;
    int older, newer; /* the LRU list */
};

struct bcache {
    struct bcache_backend b;
    unsigned capacity, buckets; /* buckets: a power of two */
    struct entry *entries;
    uint8_t *data; /* capacity blocks */
    int *heads;    /* hash chains */
    int oldest, newest;
    uint8_t *run; /* max_run blocks: a readahead's staging */
    /* max_run blocks: a write-back's staging, apart from run because a readahead's take_entry
       may write back while run still holds the blocks it read */
    uint8_t *wb;
    int *order; /* capacity indices: the write-back's sort */
    struct bcache_stream streams[BCACHE_STREAMS];
    uint64_t stream_clock; /* bumped at each run of a stream: their ages */
    uint64_t lone_next;    /* the block after the last lone miss */
    unsigned readahead_max;
    /* The last long run a peek read (a big file's stream), left where read_run put it (the
       backend's memory or run): its blocks are peeked there, with no copy into the cache.
       Valid until the next read_run; view_settle copies the blocks never asked for into the
       cache before that. view_count 0: none. */
    const uint8_t *view;
    uint64_t view_block;
    unsigned view_count;
    uint8_t *view_state; /* max_run entries: VIEW_FRESH and so on */
    struct bcache_stats stats;
};

struct bcache *bcache_new(const struct bcache_backend *backend, unsigned capacity)
{
    if (capacity < 16 || !backend->max_run)
        return 0;
    struct bcache *c = calloc(1, sizeof *c);
    if (!c)
        return 0;
    c->b = *backend;
    c->capacity = capacity;
    c->buckets = 1;
    while (c->buckets < 2 * capacity)
        c->buckets *= 2;
    c->readahead_max = backend->max_run < capacity / 4 ? backend->max_run : capacity / 4;
    c->entries = calloc(capacity, sizeof *c->entries);
    c->data = malloc((size_t)capacity * BCACHE_BLOCK);
    c->heads = malloc(c->buckets * sizeof *c->heads);
    c->run = malloc((size_t)backend->max_run * BCACHE_BLOCK);
    c->wb = malloc((size_t)backend->max_run * BCACHE_BLOCK);
    c->order = malloc(capacity * sizeof *c->order);
    c->view_state = malloc(backend->max_run);
    if (!c->entries || !c->data || !c->heads || !c->run || !c->wb || !c->order || !c->view_state) {
        bcache_free(c);
        return 0;
    }
    for (unsigned i = 0; i < c->buckets; i++)
        c->heads[i] = NONE;
    /* Every entry starts invalid on the LRU list, oldest first, so free ones are found there. */
    c->oldest = 0;
    c->newest = (int)capacity - 1;
    for (unsigned i = 0; i < capacity; i++) {
        c->entries[i].hash_next = NONE;
        c->entries[i].older = i ? (int)i - 1 : NONE;
        c->entries[i].newer = i + 1 < capacity ? (int)i + 1 : NONE;
    }
    for (unsigned i = 0; i < BCACHE_STREAMS; i++)
        c->streams[i] = (struct bcache_stream){.next = UINT64_MAX, .window = 1};
    c->lone_next = UINT64_MAX;
    return c;
}

void bcache_free(struct bcache *c)
{
    if (!c)
        return;
    free(c->entries);
    free(c->data);
    free(c->heads);
    free(c->run);
    free(c->wb);
    free(c->order);
    free(c->view_state);
    free(c);
}

static unsigned bucket(const struct bcache *c, uint64_t block)
{
    return (unsigned)((block * 0x9e3779b97f4a7c15ull) >> 32) & (c->buckets - 1);
}

static uint8_t *entry_data(struct bcache *c, int i)
{
    return c->data + (size_t)i * BCACHE_BLOCK;
}

static int find(const struct bcache *c, uint64_t block)
{
    for (int i = c->heads[bucket(c, block)]; i != NONE; i = c->entries[i].hash_next)
        if (c->entries[i].block == block)
            return i;
    return NONE;
}

static void lru_unlink(struct bcache *c, int i)
{
    struct entry *e = &c->entries[i];
    if (e->older != NONE)
        c->entries[e->older].newer = e->newer;
    else
        c->oldest = e->newer;
    if (e->newer != NONE)
        c->entries[e->newer].older = e->older;
    else
        c->newest = e->older;
}

/* Makes entry i the most recently used. */
static void touch(struct bcache *c, int i)
{
    if (c->newest == i)
        return;
    lru_unlink(c, i);
    c->entries[i].older = c->newest;
    c->entries[i].newer = NONE;
    c->entries[c->newest].newer = i;
    c->newest = i;
}

static void hash_remove(struct bcache *c, int i)
{
    int *at = &c->heads[bucket(c, c->entries[i].block)];
    while (*at != i)
        at = &c->entries[*at].hash_next;
    *at = c->entries[i].hash_next;
}

/* Writes every dirty block, sorted by block and merged into runs of up to max_run. */
static int write_back(struct bcache *c)
{
    unsigned n = 0;
    for (unsigned i = 0; i < c->capacity; i++)
        if (c->entries[i].valid && c->entries[i].dirty)
            c->order[n++] = (int)i;
    /* Insertion sort keeps this free of qsort's lack of a context argument; n is bounded by
       a quarter of the cache most of the time, and runs come in order mostly. */
    for (unsigned i = 1; i < n; i++) {
        int v = c->order[i];
        unsigned j = i;
        while (j > 0 && c->entries[c->order[j - 1]].block > c->entries[v].block) {
            c->order[j] = c->order[j - 1];
            j--;
        }
        c->order[j] = v;
    }
    for (unsigned i = 0; i < n;) {
        uint64_t first = c->entries[c->order[i]].block;
        unsigned count = 1;
        while (i + count < n && count < c->b.max_run &&
               c->entries[c->order[i + count]].block == first + count)
            count++;
        /* Straight into the backend's memory where it offers it: one copy on the way out. */
        uint8_t *run = c->b.stage ? c->b.stage(c->b.context, count) : c->wb;
        if (!run)
            return -1;
        for (unsigned k = 0; k < count; k++)
            memcpy(run + (size_t)k * BCACHE_BLOCK, entry_data(c, c->order[i + k]), BCACHE_BLOCK);
        if (c->b.write(c->b.context, first, count, run, false))
            return -1;
        for (unsigned k = 0; k < count; k++)
            c->entries[c->order[i + k]].dirty = false;
        c->stats.writes += count;
        c->stats.write_runs++;
        c->stats.dirty -= count;
        i += count;
    }
    return 0;
}

/* A free entry for block (the least recently used one, written back first if dirty), on the
   hash chain and newest in the LRU list, its data for the caller to fill; NONE if a
   write-back failed. */
static int take_entry(struct bcache *c, uint64_t block)
{
    int i = c->oldest;
    if (c->entries[i].valid && c->entries[i].dirty && write_back(c))
        return NONE;
    if (c->entries[i].valid)
        hash_remove(c, i);
    struct entry *e = &c->entries[i];
    e->block = block;
    e->valid = true; /* on its hash chain: the caller fills its data before anything else */
    e->dirty = false;
    unsigned h = bucket(c, block);
    e->hash_next = c->heads[h];
    c->heads[h] = i;
    touch(c, i);
    return i;
}

/* Forgets entry i (oldest in the LRU list from now on). */
static void drop(struct bcache *c, int i)
{
    hash_remove(c, i);
    c->entries[i].valid = false;
    lru_unlink(c, i);
    c->entries[i].newer = c->oldest;
    c->entries[i].older = NONE;
    if (c->oldest != NONE)
        c->entries[c->oldest].older = i;
    else
        c->newest = i;
    c->oldest = i;
}

/* Reads count blocks from block: *run points at them (the backend's view, or the cache's
   staging), 0 or non-zero on failure. */
static int read_run(struct bcache *c, uint64_t block, unsigned count, const uint8_t **run)
{
    if (c->b.read_view) {
        const void *view;
        int rc = c->b.read_view(c->b.context, block, count, &view);
        *run = view;
        return rc;
    }
    *run = c->run;
    return c->b.read(c->b.context, block, count, c->run);
}

/* The blocks a miss at block reads, and the readahead's state after it. A miss at or just
   past the end of a stream's last run (within its window: the blocks between were cached)
   reads twice as far ahead as that run did, up to readahead_max; a miss right after a lone
   miss starts a stream in the place of the least recently extended one; any other miss reads
   its one block. Several streams, so the metadata reads between a big file's runs (a lone
   block, or two neighbours) do not cut its readahead back to one block. */
static unsigned run_length(struct bcache *c, uint64_t block)
{
    struct bcache_stream *s = NULL;
    unsigned window = 1;
    for (unsigned i = 0; i < BCACHE_STREAMS && !s; i++)
        if (c->streams[i].next != UINT64_MAX && block >= c->streams[i].next &&
            block - c->streams[i].next < c->streams[i].window) {
            s = &c->streams[i];
            window = s->window * 2;
        }
    if (!s && block == c->lone_next) {
        s = &c->streams[0];
        for (unsigned i = 1; i < BCACHE_STREAMS; i++)
            if (c->streams[i].used < s->used)
                s = &c->streams[i];
        window = 2;
    }
    if (window > c->readahead_max)
        window = c->readahead_max;
    if (window > c->b.block_count - block)
        window = (unsigned)(c->b.block_count - block);
    /* Cached blocks inside the run are read over (their copies are kept); at its end they
       are left out. */
    unsigned count = window;
    while (count > 1 && find(c, block + count - 1) != NONE)
        count--;
    if (s && window > 1) {
        s->window = window;
        s->next = block + count;
        s->used = ++c->stream_clock;
    } else {
        c->lone_next = block + 1;
    }
    return count;
}

/* Forgets the stream whose run from block failed (its next miss reads one block). */
static void stream_failed(struct bcache *c, uint64_t block, unsigned count)
{
    for (unsigned i = 0; i < BCACHE_STREAMS; i++)
        if (c->streams[i].next == block + count)
            c->streams[i].next = UINT64_MAX;
    c->lone_next = block + 1;
}

/* The place of block in the view, or -1 if the view does not serve it. */
static int view_index(const struct bcache *c, uint64_t block)
{
    if (block < c->view_block || block - c->view_block >= c->view_count)
        return -1;
    unsigned k = (unsigned)(block - c->view_block);
    return c->view_state[k] == VIEW_GONE ? -1 : (int)k;
}

/* Forgets the view's copy of block (a write made it old). */
static void view_forget(struct bcache *c, uint64_t block)
{
    int k = view_index(c, block);
    if (k >= 0)
        c->view_state[k] = VIEW_GONE;
}

/* Copies the view's blocks never asked for into the cache (as a readahead without the view
   would have) and ends the view: 0, or -1 if a write-back failed. */
static int view_settle(struct bcache *c)
{
    unsigned count = c->view_count;
    c->view_count = 0;
    for (unsigned k = 0; k < count; k++) {
        if (c->view_state[k] != VIEW_FRESH || find(c, c->view_block + k) != NONE)
            continue;
        int e = take_entry(c, c->view_block + k);
        if (e == NONE)
            return -1;
        memcpy(entry_data(c, e), c->view + (size_t)k * BCACHE_BLOCK, BCACHE_BLOCK);
    }
    return 0;
}

/* The bytes of block: its entry's, read (with readahead) if it is not cached; for a peek
   (peek) a block of the view may be returned instead, and a long run read becomes the view.
   NULL on failure. */
static const uint8_t *lookup(struct bcache *c, uint64_t block, bool peek)
{
    int i = find(c, block);
    if (i != NONE) {
        c->stats.hits++;
        touch(c, i);
        return entry_data(c, i);
    }
    int k = view_index(c, block);
    if (k >= 0) {
        c->stats.hits++;
        const uint8_t *bytes = c->view + (size_t)k * BCACHE_BLOCK;
        if (peek) {
            c->view_state[k] = VIEW_SERVED;
            return bytes;
        }
        c->view_state[k] = VIEW_GONE; /* from now on the entry's */
        i = take_entry(c, block);
        if (i == NONE)
            return NULL;
        memcpy(entry_data(c, i), bytes, BCACHE_BLOCK);
        return entry_data(c, i);
    }
    c->stats.misses++;
    if (view_settle(c)) /* the read below reuses the view's memory */
        return NULL;
    unsigned count = run_length(c, block);
    const uint8_t *run;
    if (read_run(c, block, count, &run)) {
        /* A block read ahead may be the bad one: the one asked for alone decides. */
        stream_failed(c, block, count);
        if (count == 1 || read_run(c, block, 1, &run))
            return NULL;
        count = 1;
    }
    c->stats.readahead += count - 1;
    /* A stream's long run, peeked (file data, which lib/hmfs verifies and copies out at
       once): left where it was read, one copy fewer per block, and not kept in the cache,
       which a big file would only sweep. */
    if (peek && count >= 2 && count * 2 >= c->readahead_max) {
        c->view = run;
        c->view_block = block;
        c->view_count = count;
        memset(c->view_state, VIEW_FRESH, count);
        c->view_state[0] = VIEW_SERVED;
        /* A block cached already was read over: its entry (dirty, maybe newer than the disk)
           is the answer, and must stay so after it is written back and evicted while the view
           lives, so the view never serves it (review, 2026-12-07). */
        for (unsigned k = 1; k < count; k++)
            if (find(c, block + k) != NONE)
                c->view_state[k] = VIEW_GONE;
        return run;
    }
    int e = NONE;
    for (unsigned k = count; k-- > 0;) {
        /* A block cached already keeps its copy (a dirty one is newer than the disk's). The
           asked-for block last, so it is the newest. */
        if (k > 0 && find(c, block + k) != NONE)
            continue;
        e = take_entry(c, block + k);
        if (e == NONE)
            return NULL;
        memcpy(entry_data(c, e), run + (size_t)k * BCACHE_BLOCK, BCACHE_BLOCK);
    }
    return entry_data(c, e);
}

int bcache_read(struct bcache *c, uint64_t block, void *data)
{
    const uint8_t *bytes = lookup(c, block, false);
    if (!bytes)
        return -1;
    memcpy(data, bytes, BCACHE_BLOCK);
    return 0;
}

const void *bcache_peek(struct bcache *c, uint64_t block)
{
    return lookup(c, block, true);
}

int bcache_settle(struct bcache *c)
{
    return view_settle(c);
}

int bcache_write(struct bcache *c, uint64_t block, const void *data)
{
    view_forget(c, block);
    int i = find(c, block);
    if (i == NONE) {
        i = take_entry(c, block);
        if (i == NONE)
            return -1;
    } else {
        touch(c, i);
    }
    memcpy(entry_data(c, i), data, BCACHE_BLOCK);
    if (!c->entries[i].dirty) {
        c->entries[i].dirty = true;
        c->stats.dirty++;
    }
    if (c->stats.dirty >= c->capacity / 4)
        return write_back(c);
    return 0;
}

void *bcache_write_buffer(struct bcache *c, uint64_t block)
{
    /* The write-back bcache_write does after its copy comes first here: the caller fills the
       block after this returns. */
    if (c->stats.dirty + 1 >= c->capacity / 4 && write_back(c))
        return NULL;
    view_forget(c, block);
    int i = find(c, block);
    if (i == NONE) {
        i = take_entry(c, block);
        if (i == NONE)
            return NULL;
    } else {
        touch(c, i);
    }
    if (!c->entries[i].dirty) {
        c->entries[i].dirty = true;
        c->stats.dirty++;
    }
    return entry_data(c, i);
}

int bcache_write_fua(struct bcache *c, uint64_t block, const void *data)
{
    if (write_back(c))
        return -1;
    view_forget(c, block);
    int i = find(c, block);
    if (i != NONE)
        drop(c, i); /* the disk's copy is the one from now on */
    c->stats.writes++;
    c->stats.write_runs++;
    return c->b.write(c->b.context, block, 1, data, true);
}

int bcache_flush(struct bcache *c)
{
    if (write_back(c))
        return -1;
    c->stats.flushes++;
    return c->b.flush(c->b.context);
}

void bcache_drop_clean(struct bcache *c)
{
    c->view_count = 0;
    for (unsigned i = 0; i < c->capacity; i++)
        if (c->entries[i].valid && !c->entries[i].dirty)
            drop(c, (int)i);
}

struct bcache_stats bcache_stats(const struct bcache *c)
{
    return c->stats;
}
