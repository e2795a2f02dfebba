/*
 * The PS/2 keyboard server: takes scancodes from the i8042 controller on
 * IRQ 1, decodes them with lib/input/keymap (set 1, which the controller's
 * translation makes of the keyboard's set 2) and hands each key press to the
 * console server as the bytes a terminal would send (CONSOLE_INPUT), so the
 * shell reads keyboard and serial input alike. docs/userspace.md.
 *
 * Grants (boot manifest): I/O ports 0x60 and 0x64 (one range 0x60-0x64 or
 * two ranges both work), IRQ 1 and its notification.
 */
#include <stdio.h>
#include <stdlib.h>

#include "input/keymap.h"
#include "ioport/ioport.h"
#include "libsys/invoke.h"
#include "libsys/server.h"
#include "procgrant/procgrant.h"

#define I8042_DATA    0x60
#define I8042_STATUS  0x64 /* read: status; write: controller command */
#define I8042_IRQ     1
#define STATUS_OUTPUT 0x01 /* a byte waits in the output buffer (port 0x60) */
#define STATUS_INPUT  0x02 /* the controller has not taken our last byte yet */
#define STATUS_AUX    0x20 /* the waiting byte comes from the mouse port */

#define CMD_READ_CONFIG  0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_ENABLE_PORT1 0xae
#define CONFIG_IRQ1      0x01
#define CONFIG_NO_CLOCK1 0x10 /* set: the keyboard port's clock is off */
#define CONFIG_TRANSLATE 0x40

/* Status polls before the controller counts as not answering, and bytes read per interrupt
   at most (a stuck status bit must not keep us here for ever). */
#define I8042_POLLS 100000
#define DRAIN_MAX   256

struct kbd {
    uint64_t data_port;   /* I/O port capability covering 0x60 */
    uint64_t status_port; /* ... covering 0x64 (may be the same) */
    uint64_t irq, notification;
    struct keymap_state keys;
    size_t pending_bytes; /* bytes gathered for the next CONSOLE_INPUT */
    uint8_t bytes[CONSOLE_MAX_BYTES];
};

static struct kbd kbd;

/* The controller's status byte, 0 if it cannot be read. */
static int kbd_status(struct kbd *k)
{
    int s = ioport_in8(k->status_port, I8042_STATUS);
    return s < 0 ? 0 : s;
}

/* Waits until the controller can take a byte; returns false on a timeout. */
static bool wait_writable(struct kbd *k)
{
    for (unsigned i = 0; i < I8042_POLLS; i++)
        if (!(kbd_status(k) & STATUS_INPUT))
            return true;
    return false;
}

/* Waits for a byte from the controller and returns it; -1 on a timeout. */
static int read_byte(struct kbd *k)
{
    for (unsigned i = 0; i < I8042_POLLS; i++)
        if (kbd_status(k) & STATUS_OUTPUT)
            return ioport_in8(k->data_port, I8042_DATA);
    return -1;
}

/* Sends a controller command (to port 0x64); returns false on a timeout. */
static bool send_command(struct kbd *k, uint8_t command)
{
    if (!wait_writable(k))
        return false;
    ioport_out8(k->status_port, I8042_STATUS, command);
    return true;
}

/* Throws away whatever waits in the output buffer (at most DRAIN_MAX bytes). */
static void flush_output(struct kbd *k)
{
    for (unsigned i = 0; i < DRAIN_MAX && (kbd_status(k) & STATUS_OUTPUT); i++)
        ioport_in8(k->data_port, I8042_DATA);
}

/* Makes sure the controller interrupts on IRQ 1 and translates to set 1, with the keyboard
   port enabled; leaves everything else (the mouse port) as the firmware set it. Returns
   false if the controller does not answer. */
static bool i8042_init(struct kbd *k)
{
    flush_output(k);
    if (!send_command(k, CMD_READ_CONFIG))
        return false;
    int config = read_byte(k);
    if (config < 0)
        return false;
    config = (config | CONFIG_IRQ1 | CONFIG_TRANSLATE) & ~CONFIG_NO_CLOCK1;
    if (!send_command(k, CMD_WRITE_CONFIG) || !wait_writable(k))
        return false;
    ioport_out8(k->data_port, I8042_DATA, (uint8_t)config);
    if (!send_command(k, CMD_ENABLE_PORT1))
        return false;
    flush_output(k);
    return true;
}

/* Sends the bytes gathered so far to the console. A console that is not there (yet) or
   fails loses them: keys typed with no console to take them have nowhere to go. */
static void flush_input(struct kbd *k)
{
    if (k->pending_bytes == 0)
        return;
    struct request r = {.label = CONSOLE_INPUT};
    request_set_word(&r, 0, k->pending_bytes);
    request_put_bytes(&r, 1, k->bytes, k->pending_bytes);
    request_call(PROC_SLOT_CONSOLE, &r, 0, 0, 0);
    k->pending_bytes = 0;
}

/* Decodes one scancode byte; a completed key press adds its terminal bytes to the batch. */
static void feed_scancode(struct kbd *k, uint8_t code)
{
    struct key_event ev;
    if (!keymap_feed(&k->keys, code, &ev))
        return;
    char out[8];
    size_t n = keymap_to_terminal(&ev, out);
    if (k->pending_bytes + n > sizeof k->bytes)
        flush_input(k);
    for (size_t i = 0; i < n; i++)
        k->bytes[k->pending_bytes++] = (uint8_t)out[i];
}

/* Reads every byte the controller holds (mouse bytes are dropped: they are not keys). */
static void drain(struct kbd *k)
{
    for (unsigned i = 0; i < DRAIN_MAX; i++) {
        int status = kbd_status(k);
        if (!(status & STATUS_OUTPUT))
            break;
        int code = ioport_in8(k->data_port, I8042_DATA);
        if (code >= 0 && !(status & STATUS_AUX))
            feed_scancode(k, (uint8_t)code);
    }
}

/* Finds the grants; exits with a message if one is missing. */
static void kbd_setup(struct kbd *k)
{
    const struct proc_info *info = libsys_proc_info();
    if (!info) {
        printf("kbd: no proc_info: not started by procsrv\n");
        exit(1);
    }
    k->data_port = procgrant_ports(info, I8042_DATA, I8042_DATA);
    k->status_port = procgrant_ports(info, I8042_STATUS, I8042_STATUS);
    if (!k->data_port || !k->status_port) {
        printf("kbd: no I/O port grants for 0x60 and 0x64\n");
        exit(1);
    }
    if (!procgrant_irq(info, I8042_IRQ, &k->irq, &k->notification)) {
        printf("kbd: no grant of IRQ 1 with its notification\n");
        exit(1);
    }
    keymap_init(&k->keys);
}

/* IRQ 1: acknowledge before reading, so a byte that comes while we read raises the line again
   instead of waiting behind a masked one; then take every byte and pass the keys on. */
static void kbd_interrupt(struct server *s, uint64_t word)
{
    (void)word;
    struct kbd *k = s->context;
    irq_handler_ack(k->irq);
    drain(k);
    flush_input(k);
}

/* A wait on the IRQ's notification failed for another reason than a suspend: the grant is
   unusable, so kbd says so and exits (procsrv restarts it if the manifest asks). */
static bool kbd_wait_failed(struct server *s, long error)
{
    (void)s;
    char why[80];
    printf("kbd: cannot wait for IRQ 1 (%s)\n",
           result_format(why, sizeof why, 0, result_from_kernel(error, 0)));
    return false;
}

int main(void)
{
    struct kbd *k = &kbd;
    kbd_setup(k);
    if (!i8042_init(k))
        printf("kbd: the i8042 controller does not answer; waiting for interrupts anyway\n");
    static struct server server = {
        .name = "kbd",
        .endpoint_is_notification = true,
        .cspace = PROC_SLOT_CSPACE,
        .context = &kbd,
        .notification = kbd_interrupt,
        .receive_failed = kbd_wait_failed,
    };
    server.endpoint = k->notification;
    server_run(&server);
}
