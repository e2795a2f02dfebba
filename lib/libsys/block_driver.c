/*
 * The DMA block drivers' shared set-up (block_driver.h): one copy of what servers/ahci and
 * servers/nvme each did in main.c.
 */
#include <stdio.h>

#include "libsys/block_driver.h"
#include "libsys/invoke.h"
#include "libsys/watchdog.h"

struct block_server *block_driver_setup(const struct block_server_driver *driver,
                                        uint64_t irq_handler, unsigned irq_bit, unsigned tick_bit,
                                        uint32_t tick_ms, const char *watchdog_name)
{
    struct block_server *bs = block_server_create(driver);
    if (!bs)
        return 0;
    uint64_t irq = block_server_driver_notification(bs, irq_bit);
    if (!irq_handler || !irq || irq_handler_set_notification(irq_handler, irq) != ERR_OK) {
        printf("%s: no interrupt; stopping\n", driver->name);
        return 0;
    }
    const char *why = libsys_watchdog_start(block_server_driver_notification(bs, tick_bit), tick_ms,
                                            watchdog_name);
    if (why) {
        printf("%s: %s; stopping\n", driver->name, why);
        return 0;
    }
    return bs;
}
