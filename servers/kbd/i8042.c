/*
 * The i8042 controller: bounded waits, the keyboard port's and the mouse port's set-up. See
 * i8042.h. Every wait gives up after I8042_POLLS status reads, so a controller that does not
 * answer (or a mouse that is not there) costs a moment and never hangs kbd.
 */
#include "i8042.h"

#include "ioport/ioport.h"

#define CMD_READ_CONFIG  0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_ENABLE_PORT2 0xa8
#define CMD_ENABLE_PORT1 0xae
#define CMD_WRITE_PORT2  0xd4 /* the next data byte goes to the mouse */

#define CONFIG_IRQ1      0x01
#define CONFIG_IRQ12     0x02
#define CONFIG_NO_CLOCK1 0x10 /* set: the keyboard port's clock is off */
#define CONFIG_NO_CLOCK2 0x20 /* set: the mouse port's clock is off */
#define CONFIG_TRANSLATE 0x40

#define MOUSE_RESET          0xff
#define MOUSE_SET_DEFAULTS   0xf6
#define MOUSE_ENABLE_REPORTS 0xf4
#define MOUSE_ACK            0xfa
#define MOUSE_SELF_TEST_OK   0xaa

/* Status polls before the controller counts as not answering. A mouse's reset (its self
   test) is the slowest answer: real ones take up to half a second, hence the longer wait. */
#define I8042_POLLS       100000
#define I8042_RESET_POLLS 2000000

int i8042_status(struct i8042 *c)
{
    int s = ioport_in8(c->status_port, I8042_STATUS);
    return s < 0 ? 0 : s;
}

int i8042_read_data(struct i8042 *c)
{
    return ioport_in8(c->data_port, I8042_DATA);
}

/* Waits until the controller can take a byte; returns false on a timeout. */
static bool wait_writable(struct i8042 *c)
{
    for (unsigned i = 0; i < I8042_POLLS; i++)
        if (!(i8042_status(c) & I8042_STATUS_INPUT))
            return true;
    return false;
}

/* Waits up to polls status reads for a byte and returns it; -1 on a timeout. */
static int read_byte_within(struct i8042 *c, unsigned polls)
{
    for (unsigned i = 0; i < polls; i++)
        if (i8042_status(c) & I8042_STATUS_OUTPUT)
            return i8042_read_data(c);
    return -1;
}

/* Sends a controller command (to port 0x64); returns false on a timeout. */
static bool send_command(struct i8042 *c, uint8_t command)
{
    if (!wait_writable(c))
        return false;
    ioport_out8(c->status_port, I8042_STATUS, command);
    return true;
}

/* Sends a data byte (to port 0x60); returns false on a timeout. */
static bool send_data(struct i8042 *c, uint8_t byte)
{
    if (!wait_writable(c))
        return false;
    ioport_out8(c->data_port, I8042_DATA, byte);
    return true;
}

/* Throws away whatever waits in the output buffer (at most I8042_DRAIN_MAX bytes). */
static void flush_output(struct i8042 *c)
{
    for (unsigned i = 0; i < I8042_DRAIN_MAX && (i8042_status(c) & I8042_STATUS_OUTPUT); i++)
        i8042_read_data(c);
}

/* Reads the configuration byte, sets the bits of set and clears those of clear, writes it
   back. Returns false on a timeout. */
static bool update_config(struct i8042 *c, uint8_t set, uint8_t clear)
{
    if (!send_command(c, CMD_READ_CONFIG))
        return false;
    int config = read_byte_within(c, I8042_POLLS);
    if (config < 0)
        return false;
    config = (config | set) & ~clear;
    return send_command(c, CMD_WRITE_CONFIG) && send_data(c, (uint8_t)config);
}

bool i8042_init_keyboard(struct i8042 *c)
{
    flush_output(c);
    if (!update_config(c, CONFIG_IRQ1 | CONFIG_TRANSLATE, CONFIG_NO_CLOCK1))
        return false;
    if (!send_command(c, CMD_ENABLE_PORT1))
        return false;
    flush_output(c);
    return true;
}

/* Sends byte to the mouse and waits for its acknowledgement, skipping keyboard bytes that
   come meanwhile (a key pressed during the set-up is lost, as at any boot). */
static bool mouse_command(struct i8042 *c, uint8_t byte)
{
    if (!send_command(c, CMD_WRITE_PORT2) || !send_data(c, byte))
        return false;
    for (unsigned tries = 0; tries < 16; tries++) {
        int answer = read_byte_within(c, I8042_POLLS);
        if (answer < 0)
            return false;
        if (answer == MOUSE_ACK)
            return true;
    }
    return false;
}

const char *i8042_init_mouse(struct i8042 *c)
{
    if (!update_config(c, 0, CONFIG_IRQ12) || !send_command(c, CMD_ENABLE_PORT2) ||
        !update_config(c, 0, CONFIG_NO_CLOCK2))
        return "the controller does not answer";
    flush_output(c);
    if (!mouse_command(c, MOUSE_RESET))
        return "no mouse answers a reset";
    /* After its ACK the mouse runs its self test and says 0xAA, then its id (0x00). */
    int result = read_byte_within(c, I8042_RESET_POLLS);
    if (result != MOUSE_SELF_TEST_OK)
        return "the mouse failed its self test";
    read_byte_within(c, I8042_POLLS); /* the id */
    if (!mouse_command(c, MOUSE_SET_DEFAULTS) || !mouse_command(c, MOUSE_ENABLE_REPORTS))
        return "the mouse refused its settings";
    if (!update_config(c, CONFIG_IRQ12, 0))
        return "the controller does not answer";
    return 0;
}
