/*
 * The console's 16550 driver over an I/O port capability. See uart.h.
 */
#include "uart.h"

#include "ioport/ioport.h"
#include "libsys/libsys.h"

/* Register offsets from the base port (DLAB clear, as the kernel leaves it). */
#define UART_DATA 0 /* RBR when read, THR when written */
#define UART_IER  1
#define UART_MCR  4
#define UART_LSR  5

#define IER_RX_AVAILABLE 0x01
#define MCR_DTR          0x01
#define MCR_RTS          0x02
#define MCR_OUT2         0x08 /* routes the UART's interrupt to the PIC/IOAPIC pin */
#define LSR_DATA_READY   0x01
#define LSR_THR_EMPTY    0x20

/* Polls of LSR before a byte is given up: far more than the ~87 us one byte takes at
   115200 baud, even under TCG. */
#define UART_TX_POLLS 100000

/* Reads the register at offset; returns -1 if the invocation fails. */
static long uart_in(const struct uart *u, unsigned offset)
{
    return ioport_in8(u->ports, (uint16_t)(u->base + offset));
}

/* Writes value to the register at offset; returns the kernel's result. */
static long uart_out(const struct uart *u, unsigned offset, uint8_t value)
{
    return ioport_out8(u->ports, (uint16_t)(u->base + offset), value);
}

bool uart_init(struct uart *u, uint64_t slot, uint16_t base)
{
    u->ports = slot;
    u->base = base;
    u->last_cr = false;
    if (uart_in(u, UART_LSR) < 0)
        return false;
    if (uart_out(u, UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2) != ERR_OK)
        return false;
    return uart_out(u, UART_IER, IER_RX_AVAILABLE) == ERR_OK;
}

/* Writes one byte once the transmit holding register is free (or after UART_TX_POLLS). */
static void uart_putc(const struct uart *u, uint8_t c)
{
    for (unsigned i = 0; i < UART_TX_POLLS; i++) {
        long lsr = uart_in(u, UART_LSR);
        if (lsr < 0)
            return;
        if (lsr & LSR_THR_EMPTY)
            break;
    }
    uart_out(u, UART_DATA, c);
}

void uart_write(struct uart *u, const void *bytes, size_t n)
{
    const uint8_t *p = bytes;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n' && !u->last_cr)
            uart_putc(u, '\r');
        uart_putc(u, p[i]);
        u->last_cr = p[i] == '\r';
    }
}

int uart_getc(struct uart *u)
{
    long lsr = uart_in(u, UART_LSR);
    if (lsr < 0 || !(lsr & LSR_DATA_READY))
        return -1;
    long c = uart_in(u, UART_DATA);
    return c < 0 ? -1 : (int)c;
}
