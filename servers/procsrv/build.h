/*
 * procsrv's process builder, inside: what loader.c (the image, stack and info page) and
 * grants.c (the capabilities the manifest grants) share while one process is built.
 * Every helper returns false (or 0) on failure after recording the first error in the build,
 * which loader_start reports.
 */
#ifndef PROCSRV_BUILD_H
#define PROCSRV_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procsrv.h"

struct build {
    struct process *p;
    uint64_t next_slot; /* the child's next own-memory slot */
    uint64_t slots;     /* its CSpace size */
    long error;
    const char *why;
};

/* Records error and why in b (the first error wins); returns false. */
bool build_failed(struct build *b, long error, const char *why);
/* One object of type from the process's Untyped in a new procsrv slot; 0 on failure. */
uint64_t build_make(struct build *b, uint64_t type, uint64_t bits);
/* Moves procsrv's slot into the child's CSpace at dest (0: its next own-memory slot). */
bool build_give(struct build *b, uint64_t slot, uint64_t dest);
/* Maps frame at address in vspace, adding the page tables that are missing (b 0: procsrv's
   own window). */
bool build_map(struct build *b, uint64_t vspace, uint64_t frame, uint64_t address, uint64_t rights);
/* A new frame at address in the child, holding n bytes at offset; given to it unless keep. */
uint64_t build_add_page(struct build *b, uint64_t address, uint64_t rights, uint64_t offset,
                        const void *bytes, size_t n, bool keep);
/* Mints procsrv's slot src into the child's dest with the process's badge. */
bool build_mint(struct build *b, uint64_t src, uint64_t dest);

/* grants.c: the manifest's grants into the child's grant slots and info->grants. */
bool build_grants(struct build *b, struct proc_info *info);
/* The boot framebuffer's 4 KiB frames (0: none procsrv can give: not 32 bpp). */
uint64_t build_framebuffer_pages(void);

#endif
