/*
 * memsrv: the physical-memory policy. procsrv hands it every free page as
 * Untyped capabilities; a buddy allocator (lib/buddy) per Untyped region
 * decides which block serves each request, and every block handed out is
 * an Untyped capability of exactly its size, so revoking that one
 * capability takes back everything made from it, wherever it went.
 * docs/userspace.md describes the design, lib/proto/mem.h the protocol.
 *
 * Single-threaded; memsrv allocates nothing for itself after start-up (its
 * bookkeeping is sized once, for all memory, at start).
 */
#ifndef MEMSRV_H
#define MEMSRV_H

#include <stdbool.h>
#include <stdint.h>

#include "buddy/buddy.h"
#include "libsys/invoke.h"
#include "libsys/libsys.h"
#include "libsys/server.h"

#define PAGE PAGE_SIZE

/* pool.c: memory, blocks and memsrv's own slots. */
struct block {
    uint64_t phys;
    unsigned order;
    uint64_t slot; /* the block's Untyped capability */
};

/* Sets up the pool from the Untyped capabilities at MEM_UNTYPED_SLOT_FIRST
   on; first_free is memsrv's first free slot below them. False if memsrv
   cannot even hold its bookkeeping. */
bool pool_init(uint64_t first_free, unsigned cspace_bits);
/* A free block of 2^order pages, as an Untyped capability with nothing made
   from it; false if none is free. */
bool pool_alloc(unsigned order, struct block *out);
/* Takes back everything made from the block and frees it. */
void pool_free(const struct block *b);
uint64_t pool_total_bytes(void);
uint64_t pool_free_bytes(void);
uint64_t pool_free_blocks(unsigned order);

/* count consecutive free slots of memsrv's CSpace (0 if there are none). */
uint64_t slots_alloc(uint64_t count);
void slots_free(uint64_t first, uint64_t count);

/* Maps frame at address in vspace, making page tables with make_table. */
long pool_map(uint64_t vspace, uint64_t frame, uint64_t address, uint64_t rights,
              uint64_t (*make_table)(void *context), void *context);

/* clients.c: the requests. */
void clients_init(void);
/* The requests, for libsys's server library (server.h), and the badge-to-client lookup. */
extern const struct server_op clients_table[];
extern const unsigned clients_count;
void *clients_find(struct server *s, uint64_t badge);

#endif
