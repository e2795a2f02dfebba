/*
 * What the DMA block drivers (servers/ahci, servers/nvme) set up the same way around the block
 * server library (block_server.h): the block server with its interrupt and watchdog bits wired
 * (docs/disks.md, "Interrupts and time"). Their time-out arguments: lib/block/block_args.h.
 */
#ifndef MISSIVE_LIBSYS_BLOCK_DRIVER_H
#define MISSIVE_LIBSYS_BLOCK_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "libsys/block_server.h"

/* Makes driver's block server (block_server_create), binds the IRQ handler (a slot; 0: none) to
   driver bit irq_bit and starts the libsys watchdog (period tick_ms, thread watchdog_name) on
   bit tick_bit. Returns the server, or NULL after a line saying why. */
struct block_server *block_driver_setup(const struct block_server_driver *driver,
                                        uint64_t irq_handler, unsigned irq_bit, unsigned tick_bit,
                                        uint32_t tick_ms, const char *watchdog_name);

#endif
