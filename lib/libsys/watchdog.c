/*
 * The watchdog thread (watchdog.h): wait to be armed, sleep, signal; for ever.
 */
#include "libsys/watchdog.h"

#include <stdbool.h>

#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "libsys/service.h"

#define WATCHDOG_PRIORITY 160
#define WATCHDOG_STACK    4096

static _Alignas(16) uint8_t watchdog_stack[WATCHDOG_STACK];
static uint64_t own_notification; /* armed through it */
static uint64_t driver_tick;      /* the driver's notification, badged with its tick bit */
static uint32_t period;
static bool armed; /* the service thread's own record: a tick is coming */

static _Noreturn void watchdog_main(void)
{
    for (;;) {
        struct missive_msg m = {0};
        missive_syscall(SYS_RECV, own_notification, 0, &m);
        m = (struct missive_msg){.mr = {period}};
        missive_syscall(SYS_CALL, PROC_SLOT_PROCSRV, MSG_TAG(PROC_SLEEP, 1, 0), &m);
        m = (struct missive_msg){0};
        missive_syscall(SYS_SEND, driver_tick, 0, &m);
    }
}

/* A kernel object of type, or 0 when memsrv lends no memory. */
static uint64_t make_object(unsigned type, unsigned bits)
{
    uint64_t slot;
    return result_is_ok(libsys_make_object(type, bits, &slot)) ? slot : 0;
}

static uint64_t prepared_thread; /* libsys_watchdog_prepare's, until started */

bool libsys_watchdog_prepare(void)
{
    if (!own_notification)
        own_notification = make_object(CAP_NOTIFICATION, PAGE_BITS);
    if (!prepared_thread)
        prepared_thread = make_object(CAP_THREAD, PAGE_BITS);
    return own_notification && prepared_thread;
}

const char *libsys_watchdog_start(uint64_t tick, uint32_t period_ms, const char *name)
{
    libsys_watchdog_prepare();
    uint64_t thread = prepared_thread;
    driver_tick = tick;
    period = period_ms;
    if (!own_notification || !thread || !driver_tick)
        return "no memory for the watchdog thread";
    /* rsp 8 below the top: as after a call, so the entry's frame is aligned */
    if (thread_configure(thread, PROC_SLOT_CSPACE, PROC_SLOT_VSPACE, WATCHDOG_PRIORITY, 0) !=
            ERR_OK ||
        thread_set_ipc_buffer(thread, PROC_SLOT_IPC_BUFFER) != ERR_OK ||
        thread_write_registers(thread, (uint64_t)watchdog_main,
                               (uint64_t)(watchdog_stack + WATCHDOG_STACK - 8), 0, 0, 0) != ERR_OK)
        return "the watchdog thread cannot be set up";
    sys_thread_set_name(thread, name);
    if (thread_resume(thread) != ERR_OK)
        return "the watchdog thread does not start";
    return NULL;
}

void libsys_watchdog_arm(void)
{
    if (armed)
        return;
    armed = true;
    struct missive_msg m = {0};
    missive_syscall(SYS_SEND, own_notification, 0, &m);
}

void libsys_watchdog_fired(void)
{
    armed = false;
}
