/*
 * Finding what the boot manifest granted a process in its struct proc_info
 * (lib/proto/proc.h): the I/O port capability covering a port, the IRQ
 * handler of a line and the notification it signals. Pure C: it only reads
 * the structure, so the host tests run it on made-up ones.
 */
#ifndef MISSIVE_PROCGRANT_H
#define MISSIVE_PROCGRANT_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/proc.h"

/* Returns the slot of the first PROC_GRANT_IO_PORTS grant whose range holds every port of
   first..last, or 0 if there is none (or first > last). Entries past grant_count, and past
   PROC_MAX_GRANTS whatever grant_count says, are not looked at. */
uint64_t procgrant_ports(const struct proc_info *info, uint64_t first, uint64_t last);

/* Finds the PROC_GRANT_IRQ grant for line and the PROC_GRANT_NOTIFICATION grant that follows
   it; on success stores their slots in *handler and *notification and returns true. Returns
   false if the line was not granted or its notification is missing. */
bool procgrant_irq(const struct proc_info *info, uint64_t line, uint64_t *handler,
                   uint64_t *notification);

/* Returns the slot of the PROC_GRANT_ENDPOINT grant (the manifest's endpoints=NAME) for the
   server registered as name, or 0 if there is none. The grant holds the name's first 16 bytes
   only, so longer names compare by those. */
uint64_t procgrant_endpoint(const struct proc_info *info, const char *name);

#endif
