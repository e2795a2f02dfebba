/*
 * COM1 at 115200 8N1, polled. The kernel's only console until a console server owns the port;
 * polling keeps it usable from any context, including a panic with interrupts off.
 */
#include "serial.h"

#include "arch/x86_64/cpu.h"

/* Programs the UART. Safe to call again (a panic does, in case the port was
   left in another state). */
void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no UART interrupts: we poll */
    outb(COM1 + 3, 0x80); /* DLAB: the next two writes set the divisor */
    outb(COM1 + 0, 0x01); /* 115200 / 1 */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8 data bits, no parity, one stop bit */
    outb(COM1 + 2, 0xc7); /* FIFOs on and cleared */
    outb(COM1 + 4, 0x03); /* DTR, RTS */
}

/* Writes one byte, turning "\n" into "\r\n" for terminals. Spins until the
   transmit holding register is free. */
void serial_putc(char c)
{
    if (c == '\n')
        serial_putc('\r');
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (uint8_t)c);
}
