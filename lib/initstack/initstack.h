/*
 * The initial stack of a program as crt0 expects it (docs/abi.md, "The initial stack"): at the
 * top of its stack, argc, argv[0..argc), NULL, envp[0..envc), NULL, then the strings. The one
 * builder, used by the kernel for the root task and by procsrv for every other process.
 *
 * One limit: INITSTACK_MAX_STRINGS strings (arguments and environment together), which with
 * their pointer table must fit the stack's top page (PAGE_SIZE bytes). Pure: host unit tests
 * compile it unchanged.
 */
#ifndef MISSIVE_INITSTACK_H
#define MISSIVE_INITSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "missive/abi.h"

#define INITSTACK_MAX_STRINGS 60

struct initstack {
    uint8_t *page;      /* the stack's top page as the builder writes it (PAGE_SIZE bytes) */
    uint64_t page_user; /* ... and its address in the program */
    uint64_t pos;       /* the strings so far lie in page[pos, PAGE_SIZE) */
    unsigned argc, envc;
    uint64_t pointers[INITSTACK_MAX_STRINGS]; /* their addresses in the program */
};

/* Starts an empty layout in page (PAGE_SIZE bytes, which the program sees at page_user). */
void initstack_init(struct initstack *s, uint8_t *page, uint64_t page_user);

/* Adds the length bytes at bytes (no NUL in them) as the next argument, or as the next
   environment string if environment; arguments must all come before the environment. Returns
   false, changing nothing, if it does not fit (too many strings, or the page is full) or an
   argument follows the environment. */
bool initstack_add(struct initstack *s, const char *bytes, size_t length, bool environment);

/* Writes argc and the pointer tables below the strings; returns the initial stack pointer in
   the program (16-byte aligned, pointing at argc). Always fits: initstack_add kept room. */
uint64_t initstack_finish(struct initstack *s);

#endif
