/*
 * I/O port capabilities: the I/O port control capability issues a
 * capability for a range of ports, through which a driver reads and writes
 * them (ring 3 has no direct port access: the TSS has no I/O bitmap). Ports
 * the kernel drives itself are never issued.
 */
#include "arch/x86_64/cpu.h"
#include "invoke.h"
#include "missive/abi.h"
#include "thread.h"

/* Ports the kernel owns: PICs, PIT and the QEMU exit port. COM1 is shared:
   the console server owns its input and user output, and the kernel still
   writes its own log lines there (a byte at a time, polling, so the two
   interleave only between characters). */
static const struct {
    uint16_t first, last;
} kernel_ports[] = {{0x20, 0x21}, {0x40, 0x43}, {0xa0, 0xa1}, {0xf4, 0xf7}};

static uint32_t in(uint16_t port, unsigned width)
{
    if (width == 1)
        return inb(port);
    if (width == 2)
        return inw(port);
    return inl(port);
}

static void out(uint16_t port, unsigned width, uint32_t value)
{
    if (width == 1)
        outb(port, (uint8_t)value);
    else if (width == 2)
        outw(port, (uint16_t)value);
    else
        outl(port, value);
}

long io_port_control_invoke(struct invocation *inv)
{
    if (inv->label != IO_PORT_CONTROL_ISSUE)
        return ERR_INVALID_LABEL;
    uint64_t first = inv->mr[0], last = inv->mr[1], dest_index = inv->mr[2];
    if (first > 0xffff)
        return invoke_bad_argument(inv, 0, 0, 0xffff);
    if (last < first || last > 0xffff)
        return invoke_bad_argument(inv, 1, first, 0xffff);
    struct cspace *cs = thread_cspace(inv->caller);
    if (dest_index == 0 || dest_index >= (1ull << cs->slot_bits))
        return invoke_bad_argument(inv, 2, 1, (1ull << cs->slot_bits) - 1);
    for (unsigned i = 0; i < sizeof kernel_ports / sizeof kernel_ports[0]; i++)
        if (first <= kernel_ports[i].last && last >= kernel_ports[i].first)
            return ERR_NOT_PERMITTED;
    struct cte *dest = cspace_slot(cs, dest_index);
    if (dest->cap.type != CAP_NULL)
        return ERR_SLOT_OCCUPIED;
    struct cap cap = {.type = CAP_IO_PORT, .rights = CAP_RIGHTS_ALL};
    cap.io_port.first = (uint16_t)first;
    cap.io_port.last = (uint16_t)last;
    cte_insert(dest, &cap, inv->slot);
    return ERR_OK;
}

long io_port_invoke(struct invocation *inv)
{
    uint64_t first = inv->slot->cap.io_port.first, last = inv->slot->cap.io_port.last;
    uint64_t port = inv->mr[0], width = inv->mr[1];
    if (inv->label != IO_PORT_IN && inv->label != IO_PORT_OUT)
        return ERR_INVALID_LABEL;
    if (width != 1 && width != 2 && width != 4)
        return invoke_bad_argument(inv, 1, 1, 4);
    if (port < first || port > last || last - port < width - 1)
        return invoke_bad_argument(inv, 0, first, last + 1 - width);
    if (inv->label == IO_PORT_IN) {
        invoke_reply_mr(inv, 0, in((uint16_t)port, (unsigned)width));
        return ERR_OK;
    }
    out((uint16_t)port, (unsigned)width, (uint32_t)inv->mr[2]);
    return ERR_OK;
}
