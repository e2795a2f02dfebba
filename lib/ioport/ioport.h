/*
 * Byte-wide port I/O through an I/O port capability (IO_PORT_IN / IO_PORT_OUT), the one copy
 * every driver uses (console's UART, kbd's i8042, procsrv's RTC). Host tests run it against a
 * fake invoke_call.
 */
#ifndef MISSIVE_IOPORT_H
#define MISSIVE_IOPORT_H

#include <stdint.h>

/* The byte at port, through the capability in slot; -1 if the invocation fails (the port is
   outside the capability's range, or slot holds none). */
int ioport_in8(uint64_t slot, uint16_t port);

/* Writes value to port through the capability in slot; returns the kernel's answer (0 or an
   ERR_*). */
long ioport_out8(uint64_t slot, uint16_t port, uint8_t value);

#endif
