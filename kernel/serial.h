#ifndef MISSIVE_SERIAL_H
#define MISSIVE_SERIAL_H

#define COM1 0x3f8 /* the kernel console's UART (boot.asm's early messages too) */

void serial_init(void);
void serial_putc(char c);

#endif
