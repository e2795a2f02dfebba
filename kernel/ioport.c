/*
 * I/O port capabilities: the I/O port control capability issues a capability for a range of ports,
 * through which a driver reads and writes them (ring 3 has no direct port access: the TSS has no
 * I/O bitmap). Ports the kernel drives itself are never issued.
 */
#include "arch/x86_64/cpu.h"
#include "invoke.h"
#include "missive/abi.h"

/* Ports the kernel owns: PICs, PIT and the QEMU exit port. COM1 is shared: the console server owns
   its input and user output, and the kernel still writes its own log lines there (a byte at a time,
   polling, so the two interleave only between characters). */
static const struct {
    uint16_t first, last;
} kernel_ports[] = {{0x20, 0x21}, {0x40, 0x43}, {0xa0, 0xa1}, {0xf4, 0xf7}};

/* IO_PORT_CONTROL_ISSUE: MR0 the first port, MR1 the last, MR2 an empty slot for the
   capability. Never a port the kernel drives. */
long io_port_control_decode(struct invocation *inv, struct io_port_op *out)
{
    if (inv->label != IO_PORT_CONTROL_ISSUE)
        return ERR_INVALID_LABEL;
    uint64_t first = inv->mr[IO_PORT_CONTROL_ISSUE_ARG_FIRST];
    uint64_t last = inv->mr[IO_PORT_CONTROL_ISSUE_ARG_LAST];
    if (first > 0xffff)
        return invoke_bad_argument(inv, IO_PORT_CONTROL_ISSUE_ARG_FIRST, 0, 0xffff);
    if (last < first || last > 0xffff)
        return invoke_bad_argument(inv, IO_PORT_CONTROL_ISSUE_ARG_LAST, first, 0xffff);
    for (unsigned i = 0; i < sizeof kernel_ports / sizeof kernel_ports[0]; i++)
        if (first <= kernel_ports[i].last && last >= kernel_ports[i].first)
            return ERR_NOT_PERMITTED;
    *out = (struct io_port_op){.first = (uint16_t)first, .last = (uint16_t)last};
    return invoke_empty_argument(inv, IO_PORT_CONTROL_ISSUE_ARG_DEST, &out->dest);
}

long io_port_control_invoke(struct invocation *inv)
{
    struct io_port_op a;
    long error = io_port_control_decode(inv, &a);
    if (error)
        return error;
    /* The union starts as a zero badge, so IDENTIFY's MR2 reads first | last << 16. */
    struct cap cap = {.type = CAP_IO_PORT, .rights = CAP_RIGHTS_ALL};
    cap.io_port.first = a.first;
    cap.io_port.last = a.last;
    cte_insert(a.dest, &cap, inv->slot);
    return ERR_OK;
}

/* IO_PORT_IN, IO_PORT_OUT: MR0 the port, MR1 the width in bytes (1, 2 or 4),
   all inside the capability's range; OUT: MR2 the value. */
long io_port_decode(struct invocation *inv, struct io_port_op *out)
{
    uint64_t first = inv->slot->cap.io_port.first, last = inv->slot->cap.io_port.last;
    /* IN's arguments are OUT's first two. */
    uint64_t port = inv->mr[IO_PORT_OUT_ARG_PORT], width = inv->mr[IO_PORT_OUT_ARG_WIDTH];
    if (inv->label != IO_PORT_IN && inv->label != IO_PORT_OUT)
        return ERR_INVALID_LABEL;
    if (width != 1 && width != 2 && width != 4)
        return invoke_bad_argument(inv, IO_PORT_OUT_ARG_WIDTH, 1, 4);
    if (port < first || port > last || last - port < width - 1)
        return invoke_bad_argument(inv, IO_PORT_OUT_ARG_PORT, first, last + 1 - width);
    *out = (struct io_port_op){.port = (uint16_t)port,
                               .width = (unsigned)width,
                               .value = (uint32_t)inv->mr[IO_PORT_OUT_ARG_VALUE]};
    return ERR_OK;
}

long io_port_invoke(struct invocation *inv)
{
    struct io_port_op a;
    long error = io_port_decode(inv, &a);
    if (error)
        return error;
    if (inv->label == IO_PORT_IN)
        invoke_reply(inv, IO_PORT_IN_ANSWER_VALUE, port_in(a.port, a.width));
    else
        port_out(a.port, a.width, a.value);
    return ERR_OK;
}
