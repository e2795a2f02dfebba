#ifndef MISSIVE_SERIAL_H
#define MISSIVE_SERIAL_H

void serial_init(void);
void serial_putc(char c);

#endif
