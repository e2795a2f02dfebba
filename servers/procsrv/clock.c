/*
 * procsrv's clock: the CMOS RTC's periodic interrupt at PROC_CLOCK_HZ,
 * delivered through a notification bound to procsrv's thread, so a tick
 * ends procsrv's receive like a message does. It times sleeps and restart
 * back-offs, and is the monotonic clock of every process (PROC_UPTIME).
 */
#include <stdio.h>

#include "procsrv.h"

#define RTC_INDEX       0x70
#define RTC_DATA        0x71
#define RTC_RATE_128_HZ 9 /* 32768 >> (rate - 1) */
#define MAX_SLEEPERS    32

static uint64_t ports, handler;
static uint64_t ticks;

static struct {
    uint64_t reply; /* saved reply slot; 0: free */
    uint64_t wake_tick;
} sleepers[MAX_SLEEPERS];

static uint64_t rtc_read(uint64_t reg)
{
    struct missive_msg m = {0};
    sys_invoke5(ports, IO_PORT_OUT, RTC_INDEX, 1, reg, 0, 0, 0);
    sys_invoke5(ports, IO_PORT_IN, RTC_DATA, 1, 0, 0, 0, &m);
    return m.mr[0];
}

static void rtc_write(uint64_t reg, uint64_t value)
{
    sys_invoke5(ports, IO_PORT_OUT, RTC_INDEX, 1, reg, 0, 0, 0);
    sys_invoke5(ports, IO_PORT_OUT, RTC_DATA, 1, value, 0, 0, 0);
}

bool clock_init(uint64_t notification)
{
    ports = slot_alloc();
    handler = slot_alloc();
    if (sys_invoke5(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, RTC_INDEX, RTC_DATA, ports, 0,
                    0, 0) != ERR_OK ||
        sys_invoke5(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 8, handler, 0, 0, 0, 0) != ERR_OK ||
        sys_invoke5(handler, IRQ_HANDLER_SET_NOTIFICATION, notification, 0, 0, 0, 0, 0) != ERR_OK) {
        printf("procsrv: no RTC for the clock; sleeps and restarts will not time out\n");
        return false;
    }
    /* Register A, with NMIs left as they are (bit 7 of the index). */
    rtc_write(0x8a, (rtc_read(0x8a) & 0xf0) | RTC_RATE_128_HZ);
    rtc_write(0x8b, rtc_read(0x8b) | 0x40); /* periodic interrupt on */
    rtc_read(0x0c);
    return true;
}

void clock_tick(void)
{
    ticks++;
    rtc_read(0x0c); /* reading register C lets the RTC interrupt again */
    sys_invoke5(handler, IRQ_HANDLER_ACK, 0, 0, 0, 0, 0, 0);
    for (int i = 0; i < MAX_SLEEPERS; i++) {
        if (sleepers[i].reply && sleepers[i].wake_tick <= ticks) {
            struct missive_msg m = {0};
            missive_syscall(SYS_SEND, sleepers[i].reply, MSG_TAG(SERVICE_OK, 0, 0), &m);
            slot_free(sleepers[i].reply); /* the send deleted the reply capability */
            sleepers[i].reply = 0;
        }
    }
    process_restart_due();
}

uint64_t clock_ticks(void)
{
    return ticks;
}

uint64_t clock_ms(void)
{
    return ticks * 1000 / PROC_CLOCK_HZ;
}

long clock_sleep(uint64_t ms)
{
    for (int i = 0; i < MAX_SLEEPERS; i++) {
        if (sleepers[i].reply)
            continue;
        uint64_t slot = slot_alloc();
        if (!slot)
            return SERVICE_TOO_MANY;
        if (sys_invoke5(ROOT_SLOT_CSPACE, CSPACE_SAVE_REPLY, slot, 0, 0, 0, 0, 0) != ERR_OK) {
            slot_free(slot);
            return SERVICE_INTERNAL;
        }
        sleepers[i].reply = slot;
        sleepers[i].wake_tick = ticks + (ms * PROC_CLOCK_HZ + 999) / 1000;
        return SERVER_NO_REPLY;
    }
    return SERVICE_TOO_MANY;
}
