/*
 * inputtest: a stand-in for the compositor in the input driver's system test
 * (initrd/tests/input.manifest, case `input-events`). Registered under the name
 * "compositor", it takes kbd's INPUT_EVENTS (lib/proto/input.h) and prints each event on
 * the console, with the pointer position the motions add up to, so the harness can check
 * what QMP's input-send-event and send-key produced:
 *
 *   inputtest: key K pressed|released ascii A mods M
 *   inputtest: mouse dx DX dy DY buttons B [overflow] -> X,Y
 */
#include <stdio.h>

#include "libsys/server.h"
#include "proto/input.h"

struct pointer {
    long x, y;
    unsigned events, skipped;
};

static struct pointer pointer;

/* Prints one event; moves the pointer. */
static void report(struct pointer *p, const struct input_event *ev)
{
    if (ev->type == INPUT_EVENT_KEY) {
        printf("inputtest: key %u %s ascii %u mods %u\n", (unsigned)ev->key.key,
               ev->key.pressed ? "pressed" : "released", (unsigned)(unsigned char)ev->key.ascii,
               (unsigned)ev->key.modifiers);
        return;
    }
    p->x += ev->dx;
    p->y += ev->dy;
    printf("inputtest: mouse dx %d dy %d buttons %u%s -> %ld,%ld\n", ev->dx, ev->dy,
           (unsigned)ev->buttons, ev->overflow ? " overflow" : "", p->x, p->y);
}

/* INPUT_EVENTS: MR0 n (1..INPUT_MAX_EVENTS), the events from MR1 -> MR0 n. */
static long handle_events(struct server_call *call)
{
    struct pointer *p = call->server->context;
    uint64_t n = request_word(&call->in, 0);
    if (n < 1 || n > INPUT_MAX_EVENTS || n > call->in.length - 1)
        return server_bad_argument(call, 0, 1,
                                   call->in.length - 1 < INPUT_MAX_EVENTS ? call->in.length - 1
                                                                          : INPUT_MAX_EVENTS);
    for (uint64_t i = 0; i < n; i++) {
        struct input_event ev;
        if (input_event_unpack(request_word(&call->in, 1 + (unsigned)i), &ev))
            report(p, &ev);
        else
            p->skipped++;
        p->events++;
    }
    request_set_word(&call->out, 0, n);
    return SERVICE_OK;
}

static const struct server_op inputtest_ops[] = {
    {INPUT_EVENTS, 1, 0, 0, handle_events},
};

int main(void)
{
    printf("inputtest: ready\n");
    static struct server server = {
        .name = "inputtest",
        .endpoint = PROC_SLOT_SERVICE,
        .cspace = PROC_SLOT_CSPACE,
        .ops = inputtest_ops,
        .op_count = 1,
        .context = &pointer,
    };
    server_run(&server);
}
