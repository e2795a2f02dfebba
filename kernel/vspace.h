/*
 * Address spaces: VSpace objects (a top-level page table plus a page of bookkeeping), the page
 * tables mapped into them, and frames mapped at user addresses (docs/kernel.md). Mapping state
 * lives in the capability used to map (a frame capability maps at most once; copy it to map it
 * twice), and names the VSpace by id, so a mapping outliving its VSpace is harmless.
 */
#ifndef MISSIVE_VSPACE_H
#define MISSIVE_VSPACE_H

#include <stdint.h>

#include "cap.h"

struct vspace {
    struct object_header header;
    uint32_t id;   /* never 0; reused only after 2^32 VSpaces */
    uint64_t root; /* physical address of the top-level page table */
};

struct invocation;

/* Lays out a new VSpace in the zeroed 2^VSPACE_BITS bytes at mem and returns
   its bookkeeping. Needs a free id: callers check vspace_ids_free first. */
struct vspace *vspace_create(void *mem);

/* Registers a VSpace made at boot around an existing top-level table. */
void vspace_register(struct vspace *vs, uint64_t root);

/* How many more VSpaces can exist now. */
uint64_t vspace_ids_free(void);

/* Teardown when the VSpace's last capability goes. */
void vspace_destroy(struct vspace *vs);

/* Undoes the mapping a deleted Frame or PageTable capability held. */
void vspace_cap_deleted(const struct cap *cap);

long vspace_invoke(struct invocation *inv);
long frame_invoke(struct invocation *inv);
long page_table_invoke(struct invocation *inv);

#endif
