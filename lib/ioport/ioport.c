/*
 * Byte-wide port I/O over the typed invocation stubs. See ioport.h.
 */
#include "ioport/ioport.h"

#include "libsys/invoke.h"

int ioport_in8(uint64_t slot, uint16_t port)
{
    uint64_t value = 0;
    if (io_port_in(slot, port, 1, &value) != ERR_OK)
        return -1;
    return (int)(value & 0xff);
}

long ioport_out8(uint64_t slot, uint16_t port, uint8_t value)
{
    return io_port_out(slot, port, 1, value);
}
