/*
 * Configuration-space access: mechanism #1 (address to 0xCF8, data at 0xCFC-0xCFF) on pc,
 * or memory-mapped ECAM (the MCFG table's window) on q35. Both give lib/pci's accessor.
 */
#include "pci.h"

#include <stdio.h>

#include "libsys/invoke.h"
#include "proto/proc.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA    0xcfc

static uint64_t port_slot;
static uint64_t ecam_base; /* the MCFG's base: bus n's window is at ecam_base + (n << 20) */
static unsigned ecam_first_bus, ecam_last_bus;
static bool (*ecam_map_bus)(uint64_t phys);
static bool bus_mapped[256], bus_failed[256];

static uint32_t ones(unsigned width)
{
    return width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
}

static uint32_t port_read(void *context, unsigned bus, unsigned device, unsigned function,
                          unsigned offset, unsigned width)
{
    (void)context;
    uint32_t address = 0x80000000u | bus << 16 | device << 11 | function << 8 | (offset & 0xfc);
    uint64_t value = 0;
    if (offset >= 256 || io_port_out(port_slot, CONFIG_ADDRESS, 4, address) != ERR_OK ||
        io_port_in(port_slot, CONFIG_DATA + (offset & 3), width, &value) != ERR_OK)
        return ones(width);
    return (uint32_t)value;
}

static void port_write(void *context, unsigned bus, unsigned device, unsigned function,
                       unsigned offset, unsigned width, uint32_t value)
{
    (void)context;
    uint32_t address = 0x80000000u | bus << 16 | device << 11 | function << 8 | (offset & 0xfc);
    if (offset < 256 && io_port_out(port_slot, CONFIG_ADDRESS, 4, address) == ERR_OK)
        io_port_out(port_slot, CONFIG_DATA + (offset & 3), width, value);
}

/* The byte address of a register in the ECAM window, or NULL outside the buses it covers or
   if its bus could not be mapped. A bus is mapped the first time it is touched. */
static volatile uint8_t *ecam_at(unsigned bus, unsigned device, unsigned function, unsigned offset)
{
    if (bus < ecam_first_bus || bus > ecam_last_bus || bus > 255 || offset >= 4096)
        return 0;
    uint64_t phys = ecam_base + ((uint64_t)bus << 20);
    if (!bus_mapped[bus] && !bus_failed[bus]) {
        bus_mapped[bus] = ecam_map_bus(phys);
        bus_failed[bus] = !bus_mapped[bus];
        if (bus_failed[bus])
            printf("pci: warning: bus %u's ECAM window (0x%lx) could not be mapped; its "
                   "functions are not seen\n",
                   bus, (unsigned long)phys);
    }
    if (!bus_mapped[bus])
        return 0;
    return (volatile uint8_t *)(PROC_ECAM_BASE + phys) + (device << 15 | function << 12 | offset);
}

static uint32_t ecam_read(void *context, unsigned bus, unsigned device, unsigned function,
                          unsigned offset, unsigned width)
{
    (void)context;
    volatile uint8_t *at = ecam_at(bus, device, function, offset);
    if (!at)
        return ones(width);
    /* One access of the register's width: devices may act on reads. */
    if (width == 4)
        return *(volatile uint32_t *)at;
    if (width == 2)
        return *(volatile uint16_t *)at;
    return *at;
}

static void ecam_write(void *context, unsigned bus, unsigned device, unsigned function,
                       unsigned offset, unsigned width, uint32_t value)
{
    (void)context;
    volatile uint8_t *at = ecam_at(bus, device, function, offset);
    if (!at)
        return;
    if (width == 4)
        *(volatile uint32_t *)at = value;
    else if (width == 2)
        *(volatile uint16_t *)at = (uint16_t)value;
    else
        *at = (uint8_t)value;
}

struct pci_access pci_config;

bool config_use_ports(uint64_t slot)
{
    if (!slot)
        return false;
    port_slot = slot;
    ecam_map_bus = 0; /* ECAM did not work out: 256 bytes a function */
    pci_config = (struct pci_access){port_read, port_write, 0};
    return true;
}

void config_use_ecam(uint64_t base, unsigned first_bus, unsigned last_bus,
                     bool (*map_bus)(uint64_t phys))
{
    ecam_base = base;
    ecam_map_bus = map_bus;
    ecam_first_bus = first_bus;
    ecam_last_bus = last_bus;
    pci_config = (struct pci_access){ecam_read, ecam_write, 0};
}

unsigned config_size(void)
{
    return ecam_map_bus ? 4096 : 256;
}
