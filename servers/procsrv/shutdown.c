/*
 * The shutdown sequence (docs/platform.md): PROC_SHUTDOWN and PROC_REBOOT from a program (the
 * shell), or the power button (the acpi server signals procsrv's notification), tell every
 * server that asked (PROC_SHUTDOWN_NOTIFY: its notification is signalled), wait until each has
 * answered PROC_SHUTDOWN_READY or PROC_SHUTDOWN_WAIT_MS have passed, then ask the acpi server
 * to power off (ACPI_POWER_OFF) or reset (ACPI_RESET).
 *
 * procsrv never waits inside a request: the request is answered at once and the rest runs on
 * clock ticks, so servers that are told can still call procsrv while they get ready. procsrv's
 * one call to the acpi server cannot deadlock: the acpi server reports the button through a
 * notification, never by calling procsrv.
 */
#include <stdio.h>

#include "procsrv.h"
#include "proto/acpi.h"

#define MAX_LISTENERS 16

static struct {
    uint64_t pid;          /* 0: a free entry */
    uint64_t notification; /* procsrv's slot of the listener's notification */
    bool ready;
} listeners[MAX_LISTENERS];

static bool under_way, rebooting;
static uint64_t deadline; /* the clock tick after which procsrv waits no longer */
static uint64_t acpi;     /* procsrv's capability to the acpi server, badged PROC_PID_PROCSRV */

/* The acpi server's endpoint, badged as procsrv (minted on first use); 0 if it is not there. */
static uint64_t acpi_endpoint(void)
{
    uint64_t service = names_lookup(ACPI_SERVER_NAME);
    if (!service)
        return 0;
    if (!acpi) {
        uint64_t slot = slot_alloc();
        if (!slot || cspace_mint(ROOT_SLOT_CSPACE, slot, service, CAP_RIGHT_SEND | CAP_RIGHT_GRANT,
                                 PROC_PID_PROCSRV, 0) != ERR_OK) {
            slot_free(slot);
            return 0;
        }
        acpi = slot;
    }
    return acpi;
}

/* ACPI_INFO's flags, or 0 if the acpi server is not there or does not answer. */
static uint64_t acpi_flags(void)
{
    uint64_t endpoint = acpi_endpoint();
    if (!endpoint)
        return 0;
    struct request r = {.label = ACPI_INFO, .length = 0};
    long error = request_call(endpoint, &r, 0, 0, 0);
    return error == ERR_OK && r.label == SERVICE_OK ? request_word(&r, 0) : 0;
}

/* Signals the notification in slot (SYS_SEND on a notification never blocks). */
static long signal(uint64_t slot)
{
    struct missive_msg msg = {0};
    return missive_syscall(SYS_SEND, slot, MSG_TAG(0, 0, 0), &msg);
}

/* Tells every listener and starts the wait; why names the cause for the console. */
static void start(bool reboot, const char *why)
{
    under_way = true;
    rebooting = reboot;
    deadline = clock_ticks() + (PROC_SHUTDOWN_WAIT_MS * PROC_CLOCK_HZ + 999) / 1000;
    unsigned told = 0;
    for (int i = 0; i < MAX_LISTENERS; i++) {
        if (!listeners[i].pid)
            continue;
        listeners[i].ready = false;
        if (signal(listeners[i].notification) == ERR_OK)
            told++;
        else
            listeners[i].ready = true; /* it cannot be told: do not wait for it */
    }
    printf("procsrv: %s (%s): telling %u server%s, waiting up to %u ms\n",
           reboot ? "rebooting" : "shutting down", why, told, told == 1 ? "" : "s",
           PROC_SHUTDOWN_WAIT_MS);
}

long shutdown_request(struct server_call *call)
{
    bool reboot = call->in.label == PROC_REBOOT;
    if (under_way)
        return SERVICE_BUSY;
    uint64_t flags = acpi_flags();
    if (!acpi_endpoint()) {
        printf("procsrv: cannot %s: no acpi server\n", reboot ? "reboot" : "power off");
        return SERVICE_NOT_FOUND;
    }
    if (!reboot && !(flags & ACPI_INFO_S5)) {
        printf("procsrv: cannot power off: the acpi server found no ACPI sleep state S5 "
               "(booted without ACPI?)\n");
        return SERVICE_NOT_FOUND;
    }
    start(reboot, "asked by process");
    return SERVICE_OK;
}

void shutdown_power_button(void)
{
    if (under_way)
        return;
    start(false, "the power button");
}

long shutdown_notify(struct server_call *call)
{
    if (!call->received)
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP, 0, 0);
    int free_entry = -1;
    for (int i = 0; i < MAX_LISTENERS; i++) {
        if (listeners[i].pid == call->badge) {
            slot_release(listeners[i].notification); /* registered again: the new one */
            free_entry = i;
            break;
        }
        if (!listeners[i].pid && free_entry < 0)
            free_entry = i;
    }
    if (free_entry < 0)
        return SERVICE_TOO_MANY;
    listeners[free_entry].pid = call->badge;
    listeners[free_entry].notification = call->received;
    listeners[free_entry].ready = false;
    call->received = 0; /* kept */
    return SERVICE_OK;
}

long shutdown_ready(struct server_call *call)
{
    for (int i = 0; i < MAX_LISTENERS; i++)
        if (listeners[i].pid == call->badge)
            listeners[i].ready = true;
    return SERVICE_OK;
}

void shutdown_forget(uint64_t pid)
{
    for (int i = 0; i < MAX_LISTENERS; i++) {
        if (listeners[i].pid == pid) {
            slot_release(listeners[i].notification);
            listeners[i].pid = 0;
        }
    }
}

void shutdown_poll(void)
{
    if (!under_way)
        return;
    unsigned waiting = 0;
    for (int i = 0; i < MAX_LISTENERS; i++)
        if (listeners[i].pid && !listeners[i].ready)
            waiting++;
    if (waiting && clock_ticks() < deadline)
        return;
    if (waiting)
        printf("procsrv: %u server%s not ready after %u ms; going on\n", waiting,
               waiting == 1 ? "" : "s", PROC_SHUTDOWN_WAIT_MS);
    printf("procsrv: asking the acpi server to %s\n", rebooting ? "reset" : "power off");
    uint64_t endpoint = acpi_endpoint();
    struct request r = {.label = rebooting ? ACPI_RESET : ACPI_POWER_OFF, .length = 0};
    long error = endpoint ? request_call(endpoint, &r, 0, 0, 0) : ERR_EMPTY_SLOT;
    /* Only a failure comes back: the machine is off or reset otherwise. */
    char text[96];
    result_format(text, sizeof text, "acpi", request_result(error, &r));
    printf("procsrv: could not %s: %s\n", rebooting ? "reset" : "power off", text);
    under_way = false;
}
