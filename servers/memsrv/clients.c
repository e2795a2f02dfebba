/*
 * memsrv's clients and requests (lib/proto/mem.h). Every block handed out
 * is a grant: whose it is, what it became (mapped frames, a page table, a
 * lent Untyped, DMA memory) and where. Removing a client frees all its
 * grants: one revoke per block takes back every capability made from it.
 */
#include <stdio.h>
#include <string.h>

#include "memsrv.h"
#include "proto/mem.h"
#include "proto/proc.h"

#define MAX_CLIENTS   64
#define MAX_GRANTS    8192
#define MAP_MAX_ORDER 8 /* a MEM_MAP is made of blocks of up to 2^8 pages (one retype each) */

enum grant_kind { GRANT_FREE = 0, GRANT_MAP, GRANT_DMA, GRANT_TABLE, GRANT_UNTYPED };

struct grant {
    uint8_t kind;
    uint64_t client;
    struct block block;
    uint64_t frames;  /* first slot of its frames (MAP, DMA), 0 if none */
    uint64_t address; /* MAP and DMA: where the request began (the group's key) */
};

struct client {
    uint64_t id; /* 0: free */
    uint64_t quota, used;
    uint64_t vspace; /* memsrv's slot of its VSpace, 0 until procsrv gives it */
};

static struct client clients[MAX_CLIENTS];
static struct grant grants[MAX_GRANTS];
static int grants_end; /* every grant in use is below it: scans stop there */

static struct client *find_client(uint64_t id)
{
    for (int i = 0; id && i < MAX_CLIENTS; i++)
        if (clients[i].id == id)
            return &clients[i];
    return 0;
}

/* A block of 2^order pages for client, within its quota: the grant, or NULL
   with *status set. */
static struct grant *grant_new(struct client *c, unsigned order, uint8_t kind, long *status)
{
    uint64_t bytes = PAGE << order;
    if (c->used + bytes > c->quota) {
        *status = SERVICE_QUOTA;
        return 0;
    }
    for (int i = 0; i < MAX_GRANTS; i++) {
        struct grant *g = &grants[i];
        if (g->kind != GRANT_FREE)
            continue;
        if (i >= grants_end)
            grants_end = i + 1;
        if (!pool_alloc(order, &g->block)) {
            *status = SERVICE_NO_MEMORY;
            return 0;
        }
        g->kind = kind;
        g->client = c->id;
        g->frames = 0;
        g->address = 0;
        c->used += bytes;
        return g;
    }
    *status = SERVICE_TOO_MANY;
    return 0;
}

static void grant_free(struct grant *g)
{
    struct client *c = find_client(g->client);
    pool_free(&g->block); /* unmaps and deletes its frames, tables, lent Untyped */
    if (g->frames)
        slots_free(g->frames, 1ull << g->block.order);
    if (c)
        c->used -= PAGE << g->block.order;
    memset(g, 0, sizeof *g);
    while (grants_end > 0 && grants[grants_end - 1].kind == GRANT_FREE)
        grants_end--;
}

/* A page table for the client's address space, charged to it. */
static uint64_t client_table(void *context)
{
    struct client *c = context;
    long status;
    struct grant *g = grant_new(c, 0, GRANT_TABLE, &status);
    if (!g)
        return 0;
    uint64_t slot = slots_alloc(1);
    if (!slot || untyped_retype(g->block.slot, CAP_PAGE_TABLE, 0, slot, 1)) {
        if (slot)
            slots_free(slot, 1);
        grant_free(g);
        return 0;
    }
    g->frames = slot; /* one slot: freed with the grant */
    return slot;
}

/* Frames for g's block, mapped from address on in the client's space. */
static long map_block(struct client *c, struct grant *g, uint64_t address, uint64_t rights)
{
    uint64_t count = 1ull << g->block.order;
    g->frames = slots_alloc(count);
    if (!g->frames)
        return SERVICE_TOO_MANY;
    if (untyped_retype(g->block.slot, CAP_FRAME, FRAME_SMALL_BITS, g->frames, count) != ERR_OK)
        return SERVICE_NO_MEMORY;
    for (uint64_t i = 0; i < count; i++) {
        long r = pool_map(c->vspace, g->frames + i, address + i * PAGE, rights, client_table, c);
        if (r == ERR_ALREADY_MAPPED)
            return SERVICE_EXISTS;
        if (r != ERR_OK)
            return r == ERR_NOT_ENOUGH_MEMORY ? SERVICE_NO_MEMORY : SERVICE_INTERNAL;
    }
    return SERVICE_OK;
}

/* Frees the client's MAP or DMA grants of the request at address. */
static bool unmap_group(struct client *c, uint64_t address)
{
    bool found = false;
    for (int i = 0; i < grants_end; i++) {
        struct grant *g = &grants[i];
        if ((g->kind == GRANT_MAP || g->kind == GRANT_DMA) && g->client == c->id &&
            g->address == address) {
            grant_free(g);
            found = true;
        }
    }
    return found;
}

/* Checks the address range of a request (MR0 address, MR1 bytes, at most max_bytes):
   page aligned and in user space. Returns SERVICE_OK or the bad argument, with its range. */
static long check_range(struct server_call *call, uint64_t max_bytes)
{
    uint64_t address = request_word(&call->in, 0), bytes = request_word(&call->in, 1);
    if (address % PAGE || address < USER_BASE || address >= USER_END)
        return server_bad_argument(call, 0, USER_BASE, USER_END - PAGE);
    uint64_t room = USER_END - address < max_bytes ? USER_END - address : max_bytes;
    if (!bytes || bytes % PAGE || bytes > room)
        return server_bad_argument(call, 1, PAGE, room);
    return SERVICE_OK;
}

static long map(struct server_call *call)
{
    struct client *c = call->client;
    uint64_t address = request_word(&call->in, 0), bytes = request_word(&call->in, 1);
    uint64_t rights = request_word(&call->in, 2);
    const uint64_t all = CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_EXEC;
    long status = check_range(call, UINT64_MAX);
    if (status != SERVICE_OK)
        return status;
    if (!(rights & CAP_RIGHT_READ) || (rights & ~all))
        return server_bad_argument(call, 2, CAP_RIGHT_READ, all);
    if (!c->vspace)
        return SERVICE_DENIED;
    if (c->used + bytes > c->quota)
        return SERVICE_QUOTA;
    for (int i = 0; i < grants_end; i++) {
        struct grant *g = &grants[i];
        if ((g->kind == GRANT_MAP || g->kind == GRANT_DMA) && g->client == c->id &&
            g->address == address)
            return SERVICE_EXISTS;
    }
    uint64_t done = 0;
    while (done < bytes) {
        unsigned order = MAP_MAX_ORDER;
        while ((PAGE << order) > bytes - done)
            order--;
        struct grant *g = grant_new(c, order, GRANT_MAP, &status);
        if (g) {
            g->address = address;
            status = map_block(c, g, address + done, rights);
        }
        if (status != SERVICE_OK) {
            unmap_group(c, address);
            return status;
        }
        done += PAGE << order;
    }
    return SERVICE_OK;
}

static long unmap(struct server_call *call)
{
    return unmap_group(call->client, request_word(&call->in, 0)) ? SERVICE_OK : SERVICE_NOT_FOUND;
}

static long dma(struct server_call *call)
{
    struct client *c = call->client;
    uint64_t address = request_word(&call->in, 0), bytes = request_word(&call->in, 1);
    long status = check_range(call, PAGE << MEM_MAX_ORDER);
    if (status != SERVICE_OK)
        return status;
    if (!c->vspace)
        return SERVICE_DENIED;
    unsigned order = buddy_order_for(bytes);
    struct grant *g = grant_new(c, order, GRANT_DMA, &status);
    if (!g)
        return status;
    g->address = address;
    uint64_t count = 1ull << order;
    g->frames = slots_alloc(count);
    status = g->frames ? SERVICE_OK : SERVICE_TOO_MANY;
    for (uint64_t done = 0; status == SERVICE_OK && done < count; done += RETYPE_MAX_COUNT) {
        uint64_t n = count - done < RETYPE_MAX_COUNT ? count - done : RETYPE_MAX_COUNT;
        if (untyped_retype(g->block.slot, CAP_FRAME, FRAME_SMALL_BITS, g->frames + done, n))
            status = SERVICE_NO_MEMORY;
    }
    for (uint64_t i = 0; status == SERVICE_OK && i < count; i++) {
        long e = pool_map(c->vspace, g->frames + i, address + i * PAGE,
                          CAP_RIGHT_READ | CAP_RIGHT_WRITE, client_table, c);
        status = e == ERR_OK               ? SERVICE_OK
                 : e == ERR_ALREADY_MAPPED ? SERVICE_EXISTS
                                           : SERVICE_NO_MEMORY;
    }
    if (status != SERVICE_OK) {
        grant_free(g);
        return status;
    }
    request_set_word(&call->out, 0, g->block.phys);
    return SERVICE_OK;
}

static long untyped(struct server_call *call)
{
    uint64_t bits = request_word(&call->in, 0), for_client = request_word(&call->in, 1);
    if (bits < 12 || bits > 12 + MEM_MAX_ORDER)
        return server_bad_argument(call, 0, 12, 12 + MEM_MAX_ORDER);
    if (for_client && call->badge != PROC_PID_PROCSRV)
        return SERVICE_DENIED;
    struct client *c = find_client(for_client ? for_client : call->badge);
    if (!c)
        return SERVICE_DENIED;
    long status;
    struct grant *g = grant_new(c, (unsigned)bits - 12, GRANT_UNTYPED, &status);
    if (!g)
        return status;
    uint64_t slot = slots_alloc(1);
    if (!slot || untyped_retype(g->block.slot, CAP_UNTYPED, bits, slot, 1) != ERR_OK) {
        if (slot)
            slots_free(slot, 1);
        grant_free(g);
        return SERVICE_NO_MEMORY;
    }
    return server_reply_cap(call, slot); /* moves to the caller with the reply */
}

static long client_add(struct server_call *call)
{
    uint64_t id = request_word(&call->in, 0), quota = request_word(&call->in, 1);
    if (!id || find_client(id))
        return SERVICE_EXISTS;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (!clients[i].id) {
            clients[i] = (struct client){id, quota, 0, 0};
            return SERVICE_OK;
        }
    }
    return SERVICE_TOO_MANY;
}

/* Keeps the VSpace capability that came with the request. */
static long client_vspace(struct server_call *call)
{
    struct client *c = find_client(request_word(&call->in, 0));
    struct cspace_identity id;
    if (!c)
        return SERVICE_NOT_FOUND;
    if (!call->received || cspace_identify(ROOT_SLOT_CSPACE, call->received, &id) != ERR_OK ||
        id.type != CAP_VSPACE || c->vspace)
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP, 0, 0);
    c->vspace = call->received;
    call->received = 0;
    return SERVICE_OK;
}

static long client_remove(struct server_call *call)
{
    struct client *c = find_client(request_word(&call->in, 0));
    if (!c)
        return SERVICE_NOT_FOUND;
    for (int i = 0; i < grants_end; i++)
        if (grants[i].kind != GRANT_FREE && grants[i].client == c->id)
            grant_free(&grants[i]);
    if (c->vspace) {
        cspace_delete(ROOT_SLOT_CSPACE, c->vspace);
        slots_free(c->vspace, 1);
    }
    memset(c, 0, sizeof *c);
    return SERVICE_OK;
}

static long stats(struct server_call *call)
{
    uint64_t count = 0;
    for (int i = 0; i < MAX_CLIENTS; i++)
        count += clients[i].id != 0;
    request_set_word(&call->out, 0, pool_total_bytes());
    request_set_word(&call->out, 1, pool_free_bytes());
    request_set_word(&call->out, 2, count);
    for (unsigned order = 0; order < 7; order++)
        request_set_word(&call->out, 3 + order, pool_free_blocks(order));
    return SERVICE_OK;
}

static long stats_order(struct server_call *call)
{
    request_set_word(&call->out, 0, pool_free_blocks((unsigned)request_word(&call->in, 0)));
    return SERVICE_OK;
}

static long client_info(struct server_call *call)
{
    uint64_t index = request_word(&call->in, 0);
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].id && index-- == 0) {
            request_set_word(&call->out, 0, clients[i].id);
            request_set_word(&call->out, 1, clients[i].quota);
            request_set_word(&call->out, 2, clients[i].used);
            return SERVICE_OK;
        }
    }
    return SERVICE_NOT_FOUND;
}

void clients_init(void)
{
    /* memsrv's own bookkeeping is not a client's; procsrv is one, for its requests. */
    clients[0] = (struct client){PROC_PID_PROCSRV, 0, 0, 0};
}

void *clients_find(struct server *s, uint64_t badge)
{
    (void)s;
    return find_client(badge);
}

/* Mapping needs a known client; the client table is procsrv's to change. */
const struct server_op clients_table[] = {
    {MEM_MAP, 3, 0, SERVER_CLIENT_ONLY, map},
    {MEM_UNMAP, 1, 0, SERVER_CLIENT_ONLY, unmap},
    {MEM_DMA, 2, 0, SERVER_CLIENT_ONLY, dma},
    {MEM_UNTYPED, 1, 0, 0, untyped},
    {MEM_STATS, 0, 0, 0, stats},
    {MEM_STATS_ORDER, 1, 0, 0, stats_order},
    {MEM_CLIENT_INFO, 1, 0, 0, client_info},
    {MEM_CLIENT_ADD, 2, PROC_PID_PROCSRV, 0, client_add},
    {MEM_CLIENT_REMOVE, 1, PROC_PID_PROCSRV, 0, client_remove},
    {MEM_CLIENT_VSPACE, 1, PROC_PID_PROCSRV, 0, client_vspace},
};
const unsigned clients_count = sizeof clients_table / sizeof clients_table[0];
