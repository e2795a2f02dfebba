/*
 * Mapping a frame this process holds into its own address space (libsys/vmap.c).
 */
#ifndef MISSIVE_LIBSYS_VMAP_H
#define MISSIVE_LIBSYS_VMAP_H
#include <stdint.h>

/* Maps the frame in slot frame at address (aligned to the frame's size) with rights, making
   any page table missing on the way from a 4 KiB Untyped borrowed from memsrv (the tables
   stay for later mappings nearby). Returns ERR_OK or the kernel's error (ERR_NOT_ENOUGH_MEMORY when
   memsrv would lend no table). */
long vmap_frame(uint64_t frame, uint64_t address, uint64_t rights);
/* Makes now the page tables a later vmap_frame at address would make (PDPT, PD, PT), so that it
   borrows nothing from memsrv then: for a server that prepares before it serves (a swap's new
   block driver, docs/processes.md). Only where nothing is mapped yet in that 2 MiB: a table
   already there ends it (the table made for it stays lent). Returns ERR_OK or the kernel's
   error. */
long vmap_tables(uint64_t address);

#endif
