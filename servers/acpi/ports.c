/*
 * Port I/O for the acpi server: each access goes through the I/O port capability the manifest
 * granted for that port (procgrant), so the server reaches only the ports its manifest line
 * names (the PM blocks, SMI_CMD, the reset ports, the ports QEMU's AML uses).
 */
#include <stdio.h>

#include "acpi.h"
#include "libsys/invoke.h"
#include "procgrant/procgrant.h"

/* The capability for width bits at port, or 0 (said once per port). */
static uint64_t port_cap(uint16_t port, unsigned width)
{
    static uint16_t refused[16];
    static unsigned refused_count;
    if (width != 8 && width != 16 && width != 32)
        return 0;
    uint64_t slot = procgrant_ports(acpi.info, port, (uint64_t)port + width / 8 - 1);
    if (slot)
        return slot;
    for (unsigned i = 0; i < refused_count; i++)
        if (refused[i] == port)
            return 0;
    if (refused_count < 16)
        refused[refused_count++] = port;
    printf("acpi: I/O port 0x%x is not granted to the acpi server (its manifest's ioports=)\n",
           port);
    return 0;
}

int ports_read(uint16_t port, unsigned width, uint64_t *value)
{
    uint64_t slot = port_cap(port, width);
    *value = 0;
    return slot && io_port_in(slot, port, width / 8, value) == ERR_OK ? 0 : -1;
}

int ports_write(uint16_t port, unsigned width, uint64_t value)
{
    uint64_t slot = port_cap(port, width);
    return slot && io_port_out(slot, port, width / 8, value) == ERR_OK ? 0 : -1;
}

/* The access width of a register block: the GAS's, else 8 bits. */
static unsigned gas_width(const struct acpi_gas *gas)
{
    unsigned width = gas->bit_width;
    if (gas->access_size >= 1 && gas->access_size <= 3)
        width = 8u << (gas->access_size - 1);
    return width == 16 || width == 32 ? width : 8;
}

int ports_gas_read(const struct acpi_gas *gas, uint64_t *value)
{
    if (gas->space != ACPI_GAS_IO || gas->address == 0 || gas->address > 0xffff)
        return -1; /* memory-mapped PM registers: not on the machines we run on */
    return ports_read((uint16_t)gas->address, gas_width(gas), value);
}

int ports_gas_write(const struct acpi_gas *gas, uint64_t value)
{
    if (gas->space != ACPI_GAS_IO || gas->address == 0 || gas->address > 0xffff)
        return -1;
    return ports_write((uint16_t)gas->address, gas_width(gas), value);
}

void ports_delay_us(uint64_t us)
{
    const struct acpi_fadt *f = &acpi.tables.fadt;
    uint64_t mask = f->flags & ACPI_FADT_TMR_VAL_EXT ? 0xffffffffu : 0xffffffu;
    uint64_t start, now, ticks = us * 3579545u / 1000000u;
    if (ports_gas_read(&f->pm_tmr, &start) != 0) {
        /* No PM timer: yield a number of times instead (a rough delay, never a hang). */
        for (uint64_t i = 0; i < us / 10 + 1; i++) {
            struct missive_msg msg = {0};
            missive_syscall(SYS_YIELD, 0, 0, &msg);
        }
        return;
    }
    /* Each read takes at least a system call: the bound on reads keeps a stuck timer from
       holding the server for ever. */
    for (uint64_t reads = 0; reads < us + 1000; reads++)
        if (ports_gas_read(&f->pm_tmr, &now) != 0 || ((now - start) & mask) >= ticks)
            return;
}

uint64_t ports_time_100ns(void)
{
    static uint64_t last, ticks, calls;
    const struct acpi_fadt *f = &acpi.tables.fadt;
    uint64_t mask = f->flags & ACPI_FADT_TMR_VAL_EXT ? 0xffffffffu : 0xffffffu, now;
    if (ports_gas_read(&f->pm_tmr, &now) != 0)
        return ++calls;           /* no PM timer: at least it goes forward */
    ticks += (now - last) & mask; /* a wrap between calls (4.7 s at 24 bits) is lost: the
                                     Timer only has to go forward */
    last = now;
    return ticks / 3579545u * 10000000u + ticks % 3579545u * 10000000u / 3579545u + calls;
}
