/*
 * Address spaces (VSpace objects). For now the root task's, made at boot;
 * retyping them and mapping frames and page tables into them are the next
 * step of the capability kernel (docs/kernel.md).
 */
#ifndef MISSIVE_VSPACE_H
#define MISSIVE_VSPACE_H

#include <stdint.h>

#include "cap.h"

struct vspace {
    struct object_header header;
    uint32_t padding;
    uint64_t root; /* physical address of the top-level page table */
};

#endif
