/*
 * COM1, a 16550 UART, driven through an I/O port capability (IO_PORT_IN and
 * IO_PORT_OUT invocations). The kernel programmed the line (115200 8N1,
 * FIFOs on) and keeps writing its log to the same port; we only turn on the
 * receive interrupt and never touch the divisor or line control.
 */
#ifndef MISSIVE_CONSOLE_UART_H
#define MISSIVE_CONSOLE_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uart {
    uint64_t ports; /* slot of the I/O port capability covering base..base+7 */
    uint16_t base;  /* 0x3f8 for COM1 */
    bool last_cr;   /* the last byte written was '\r' (so a '\n' after it needs no other) */
};

/* Sets up *u for the UART at base reached through the capability in slot, and enables its
   receive-data interrupt (IER bit 0; MCR DTR, RTS and OUT2, which gates the interrupt line
   on PC hardware). Returns false if the capability does not answer for these ports. */
bool uart_init(struct uart *u, uint64_t slot, uint16_t base);

/* Writes n bytes, "\n" as "\r\n" (unless the byte before it was '\r'). Waits for the
   transmitter before each byte, but gives a byte up after a bounded number of polls so a
   missing or wedged UART cannot hang the server. */
void uart_write(struct uart *u, const void *bytes, size_t n);

/* Reads one received byte; returns it (0-255), or -1 if none is waiting. */
int uart_getc(struct uart *u);

#endif
