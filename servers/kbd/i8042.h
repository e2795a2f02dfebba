/*
 * The i8042 controller as kbd drives it: status and data ports, the bounded waits, and the
 * set-up of the keyboard port and (when asked) the mouse port. docs/userspace.md.
 */
#ifndef KBD_I8042_H
#define KBD_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA   0x60
#define I8042_STATUS 0x64 /* read: status; write: controller command */

#define I8042_STATUS_OUTPUT 0x01 /* a byte waits in the output buffer (port 0x60) */
#define I8042_STATUS_INPUT  0x02 /* the controller has not taken our last byte yet */
#define I8042_STATUS_AUX    0x20 /* the waiting byte comes from the mouse port */

/* Bytes read per interrupt at most (a stuck status bit must not keep us here for ever). */
#define I8042_DRAIN_MAX 256

struct i8042 {
    uint64_t data_port;   /* I/O port capability covering 0x60 */
    uint64_t status_port; /* ... covering 0x64 (may be the same) */
};

/* The controller's status byte, 0 if it cannot be read. */
int i8042_status(struct i8042 *c);

/* Reads the data port (after the status said a byte waits); -1 if the read failed. */
int i8042_read_data(struct i8042 *c);

/* Sets the keyboard port up: IRQ 1 on, translation to set 1 on, the keyboard clock on, the
   port enabled. The mouse port is left as the firmware set it. Returns false if the
   controller does not answer. */
bool i8042_init_keyboard(struct i8042 *c);

/* Enables the mouse port and the mouse: reset (0xFF), defaults (0xF6), data reporting on
   (0xF4), then IRQ 12 on in the configuration byte. Waits (bounded) for each answer with
   IRQ 12 still off, so no byte of the set-up reaches the packet decoder. Returns NULL on
   success, or what failed, for a message. */
const char *i8042_init_mouse(struct i8042 *c);

#endif
