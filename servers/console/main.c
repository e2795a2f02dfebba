/*
 * The console server: text in and out on COM1 for every process, through the
 * console protocol (lib/proto/console.h, docs/protocols.md). Clients reach
 * it with badged copies of the endpoint in PROC_SLOT_SERVICE (badge = their
 * pid). Input comes from the UART's receive interrupt (IRQ 4, delivered
 * through a notification bound to this thread, so one receive waits for both
 * requests and interrupts) and from the keyboard server (CONSOLE_INPUT); it
 * queues in a ring until one reader takes it. A read that finds no input is
 * answered later through a saved reply capability.
 *
 * Started with the argument `terminal` (the graphics manifest), it also shows
 * everything written in a terminal window on the compositor and takes the keys
 * typed into that window as input (terminal.c, docs/terminal.md).
 *
 * The server never uses stdio: printf would call itself through
 * PROC_SLOT_CONSOLE. Its own messages go straight to the UART.
 */
#include <stdlib.h>
#include <string.h>

#include "libsys/invoke.h"
#include "libsys/server.h"
#include "procgrant/procgrant.h"
#include "ring.h"
#include "terminal.h"
#include "uart.h"
#include "wordpack/wordpack.h"

#define COM1_BASE 0x3f8
#define COM1_IRQ  4
#define COM1_LAST 0x3ff

/* Bytes taken from the UART per interrupt at most, so a flood cannot starve requests. */
#define DRAIN_MAX RING_SIZE

struct console {
    struct uart uart;
    uint64_t irq;   /* the IRQ handler's slot */
    uint64_t saved; /* the slot a waiting reader's reply is saved in */
    struct ring input;
    bool reader_waiting;
    uint64_t reader_pid; /* the badge of the waiting reader */
    uint64_t reader_max; /* bytes it asked for at most */
};

static struct console console;

/* Says msg on the kernel's debug console if the manifest granted it, then exits with status 1.
   Used only before the UART works. */
static _Noreturn void console_fail(const char *msg)
{
    uint64_t bytes[WORDPACK_DEBUG_WORDS];
    size_t n = wordpack_debug(bytes, msg, strlen(msg));
    debug_write(PROC_SLOT_DEBUG, n, bytes);
    exit(1);
}

/* Writes a NUL-terminated string of the server's own to the UART. */
static void console_say(struct console *c, const char *s)
{
    uart_write(&c->uart, s, strlen(s));
}

/* Empties slot of this process's CSpace (a reply capability: its caller, if any still waits,
   wakes with ERR_NO_REPLY). */
static void delete_slot(uint64_t slot)
{
    cspace_delete(PROC_SLOT_CSPACE, slot);
}

/* Builds in *out a successful read answer with up to max queued bytes (at least one must be
   queued); the bytes stay queued until the caller drops them. Returns the count. */
static size_t build_read_reply(struct console *c, struct request *out, uint64_t max)
{
    uint8_t bytes[CONSOLE_MAX_BYTES];
    size_t n = ring_peek(&c->input, bytes, max < sizeof bytes ? max : sizeof bytes);
    *out = (struct request){.label = SERVICE_OK};
    request_set_word(out, 0, n);
    request_put_bytes(out, 1, bytes, n);
    return n;
}

/* Answers the waiting reader, if any and if input is queued, through its saved reply. The
   bytes leave the queue only if the reader got them: one that went away meanwhile
   (ERR_NO_REPLY) leaves them for the next. Either way the reply capability is gone. */
static void serve_waiting_reader(struct console *c)
{
    if (!c->reader_waiting || ring_count(&c->input) == 0)
        return;
    struct request out = {0};
    size_t n = build_read_reply(c, &out, c->reader_max);
    long e = missive_syscall(SYS_SEND, c->saved, MSG_TAG(out.label, out.length, 0), &out.msg);
    if (e == ERR_OK)
        ring_drop(&c->input, n);
    else if (e != ERR_NO_REPLY)
        delete_slot(c->saved);
    c->reader_waiting = false;
}

/* Whether process pid is still running, asked of procsrv. If procsrv cannot say, the answer is
   yes: that only makes a second reader wait its turn. */
static bool process_alive(uint64_t pid)
{
    for (uint64_t i = 0; i < 4096; i++) {
        struct proc_entry entry;
        struct result e = proc_list(i, &entry);
        if (result_is_service(e, SERVICE_NOT_FOUND))
            return false;
        if (!result_is_ok(e))
            return true;
        if (entry.pid == pid)
            return entry.state == PROC_STATE_RUNNING;
    }
    return true;
}

/* The bytes of a write or input request (MR0 n, the bytes from MR1) into bytes; returns
   SERVICE_OK, or SERVICE_BAD_ARGUMENT (MR0, 0 to the bytes the message carries) if n is
   more than that. */
static long take_bytes(struct server_call *call, uint8_t bytes[CONSOLE_MAX_BYTES], uint64_t *n)
{
    uint64_t room = (call->in.length - 1) * 8;
    *n = request_word(&call->in, 0);
    if (*n > room)
        return server_bad_argument(call, 0, 0, room);
    request_get_bytes(&call->in, 1, bytes, *n);
    return SERVICE_OK;
}

/* CONSOLE_WRITE: MR0 n, the bytes from MR1 -> MR0 n. */
static long handle_write(struct server_call *call)
{
    struct console *c = call->server->context;
    uint8_t bytes[CONSOLE_MAX_BYTES];
    uint64_t n;
    long status = take_bytes(call, bytes, &n);
    if (status != SERVICE_OK)
        return status;
    uart_write(&c->uart, bytes, n);
    terminal_output(bytes, n);
    request_set_word(&call->out, 0, n);
    return SERVICE_OK;
}

/* CONSOLE_INPUT: MR0 n, the bytes from MR1 -> MR0 how many were queued (the rest were
   dropped: the queue is full). */
static long handle_input(struct server_call *call)
{
    struct console *c = call->server->context;
    uint8_t bytes[CONSOLE_MAX_BYTES];
    uint64_t n;
    long status = take_bytes(call, bytes, &n);
    if (status != SERVICE_OK)
        return status;
    size_t queued = ring_put(&c->input, bytes, n);
    serve_waiting_reader(c);
    request_set_word(&call->out, 0, queued);
    return SERVICE_OK;
}

/* CONSOLE_READ: MR0 at most n bytes -> MR0 count, the bytes from MR1. No reply now (it was
   saved) if no input is queued: it goes when input comes. */
static long handle_read(struct server_call *call)
{
    struct console *c = call->server->context;
    uint64_t max = request_word(&call->in, 0);
    if (max == 0)
        return server_bad_argument(call, 0, 1, UINT64_MAX);
    if (max > CONSOLE_MAX_BYTES)
        max = CONSOLE_MAX_BYTES;
    if (ring_count(&c->input) > 0) {
        ring_drop(&c->input, build_read_reply(c, &call->out, max));
        return SERVICE_OK;
    }
    if (c->reader_waiting) {
        /* A reader that was killed while it waited leaves its saved reply behind; it must
           not lock the console for its successor. */
        if (c->reader_pid == call->badge || process_alive(c->reader_pid))
            return SERVICE_BUSY;
        delete_slot(c->saved);
        c->reader_waiting = false;
    }
    if (cspace_save_reply(PROC_SLOT_CSPACE, c->saved) != ERR_OK)
        return SERVICE_INTERNAL;
    c->reader_waiting = true;
    c->reader_pid = call->badge;
    c->reader_max = max;
    return SERVER_NO_REPLY;
}

/* The UART interrupted: acknowledges the line, then moves every received byte into the input
   queue (acknowledging first means a byte that arrives while we drain raises the line again
   rather than being left behind with the line masked), and answers a waiting reader. */
static void handle_interrupt(struct console *c)
{
    irq_handler_ack(c->irq);
    for (size_t i = 0; i < DRAIN_MAX; i++) {
        int byte = uart_getc(&c->uart);
        if (byte < 0)
            break;
        uint8_t b = (uint8_t)byte;
        ring_put(&c->input, &b, 1); /* a full queue drops it: the newest goes */
    }
    serve_waiting_reader(c);
}

/* Finds the grants, binds the notification to this thread and turns the UART's receive
   interrupt on; with `terminal` among args, starts the terminal window. Exits if something
   the server needs is missing. */
static void console_setup(struct console *c, int argc, char **argv)
{
    const struct proc_info *info = libsys_proc_info();
    if (!info)
        console_fail("console: no proc_info: not started by procsrv\n");
    uint64_t ports = procgrant_ports(info, COM1_BASE, COM1_LAST);
    uint64_t notification;
    if (!ports)
        console_fail("console: no I/O port grant for 0x3f8-0x3ff\n");
    if (!procgrant_irq(info, COM1_IRQ, &c->irq, &notification))
        console_fail("console: no grant of IRQ 4 with its notification\n");
    struct cspace_identity id;
    if (cspace_identify(PROC_SLOT_CSPACE, PROC_SLOT_SERVICE, &id) != ERR_OK ||
        id.type != CAP_ENDPOINT || !(id.rights & CAP_RIGHT_RECEIVE))
        console_fail("console: no endpoint to serve on in PROC_SLOT_SERVICE\n");
    c->saved = libsys_alloc_slot();
    if (!c->saved)
        console_fail("console: no free slot for saved replies\n");
    ring_init(&c->input);
    if (thread_bind_notification(PROC_SLOT_THREAD, notification) != ERR_OK)
        console_fail("console: cannot bind the IRQ notification\n");
    if (!uart_init(&c->uart, ports, COM1_BASE))
        console_fail("console: the COM1 ports do not answer\n");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "terminal") != 0)
            continue;
        const char *failure = terminal_start(notification);
        console_say(c, failure ? "console: no terminal window: " : "console: terminal window on");
        console_say(c, failure ? failure : " (waiting for the compositor)");
        console_say(c, "\n");
    }
    handle_interrupt(c); /* bytes typed before now, and an interrupt already pending */
}

/* The notification hook: the UART interrupted, or keys were typed into the terminal window
   (TERMINAL_INPUT_BIT). Both are looked at whatever the word: a look that finds nothing
   costs little. */
static void console_notified(struct server *s, uint64_t word)
{
    (void)word;
    struct console *c = s->context;
    handle_interrupt(c);
    if (terminal_take_input(&c->input))
        serve_waiting_reader(c);
}

/* A receive on the service endpoint failed: the endpoint is gone or unusable, so the server
   says so and exits (procsrv restarts it if the manifest asks). */
static bool console_receive_failed(struct server *s, long error)
{
    (void)error;
    console_say(s->context, "console: cannot receive on the service endpoint; exiting\n");
    return false;
}

static const struct server_op console_ops[] = {
    {CONSOLE_WRITE, 1, 0, 0, handle_write},
    {CONSOLE_READ, 1, 0, 0, handle_read},
    {CONSOLE_INPUT, 1, 0, 0, handle_input},
};

int main(int argc, char **argv)
{
    struct console *c = &console;
    console_setup(c, argc, argv);
    console_say(c, "console: serving COM1\n");
    static struct server server = {
        .name = "console",
        .endpoint = PROC_SLOT_SERVICE,
        .cspace = PROC_SLOT_CSPACE,
        .ops = console_ops,
        .op_count = sizeof console_ops / sizeof console_ops[0],
        .context = &console,
        .notification = console_notified,
        .receive_failed = console_receive_failed,
    };
    server_run(&server);
}
