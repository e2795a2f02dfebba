/*
 * memsrv's protocol: memory for processes, out of the buddy allocator that
 * holds all free RAM. docs/protocols.md.
 *
 * Every block memsrv hands out is charged to a client (the badge: a process
 * id) against its quota; when procsrv removes a client, memsrv revokes
 * everything it gave it, wherever the capabilities went, and the memory is
 * free again.
 */
#ifndef MISSIVE_PROTO_MEM_H
#define MISSIVE_PROTO_MEM_H

#include "proto/service.h"

#define MEM_MAX_ORDER 10 /* the largest request: 2^(12+10) bytes = 4 MiB */

enum mem_label {
    /* MR0 address, MR1 bytes, MR2 rights (CAP_RIGHT_READ|WRITE|EXEC; READ needed): maps zeroed
       memory there in the caller's address space. The address and size must be page aligned,
       in user space, below the canonical hole and not mapped already. Made of one block per
       power of two of the size, so the pieces can be freed together by MEM_UNMAP. */
    MEM_MAP = 1,
    MEM_UNMAP = 2, /* MR0 address given to MEM_MAP or MEM_DMA: unmaps and frees all of it */
    /* MR0 address, MR1 bytes (up to 4 MiB): maps physically contiguous memory for a device
       -> MR0 its physical address */
    MEM_DMA = 3,
    /* MR0 size in bits (12-22), MR1 client (procsrv only; 0: the caller) -> capability 0: an
       Untyped of that size, to retype into kernel objects (threads, endpoints) */
    MEM_UNTYPED = 4,
    /* -> MR0 total bytes, MR1 free bytes, MR2 clients, MR3 blocks free of order 0, MR4 of
       order 1 ... MR9 of order 6 (MEM_STATS_ORDER for the rest) */
    MEM_STATS = 5,
    MEM_STATS_ORDER = 6,    /* MR0 order -> MR0 free blocks of that order */
    MEM_CLIENT_INFO = 7,    /* MR0 index -> MR0 client, MR1 quota bytes, MR2 bytes used */
    MEM_CLIENT_ADD = 8,     /* procsrv only: MR0 client, MR1 quota bytes */
    MEM_CLIENT_REMOVE = 9,  /* procsrv only: MR0 client: everything it had returns */
    MEM_CLIENT_VSPACE = 10, /* procsrv only: MR0 client; capability 0: its VSpace, for MEM_MAP */
};

/* procsrv moves the Untyped memory memsrv manages into memsrv's CSpace from
   this slot on, one after the other, before memsrv first runs. */
#define MEM_UNTYPED_SLOT_FIRST 4096

#endif
