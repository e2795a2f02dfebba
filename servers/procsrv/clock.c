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
    uint64_t pid; /* who sleeps */
} sleepers[MAX_SLEEPERS];

static uint8_t rtc_read(uint8_t reg)
{
    ioport_out8(ports, RTC_INDEX, reg);
    int value = ioport_in8(ports, RTC_DATA);
    return value < 0 ? 0 : (uint8_t)value;
}

static void rtc_write(uint8_t reg, uint8_t value)
{
    ioport_out8(ports, RTC_INDEX, reg);
    ioport_out8(ports, RTC_DATA, value);
}

bool clock_init(uint64_t notification)
{
    ports = slot_alloc();
    handler = slot_alloc();
    uint64_t badged = slot_alloc(); /* the tick's badge tells it from the power button's */
    if (io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, RTC_INDEX, RTC_DATA, ports) != ERR_OK ||
        irq_control_get(ROOT_SLOT_IRQ_CONTROL, 8, handler, 0) != ERR_OK ||
        cspace_mint(ROOT_SLOT_CSPACE, badged, notification, CAP_RIGHT_SEND, PROCSRV_BADGE_CLOCK,
                    0) != ERR_OK ||
        irq_handler_set_notification(handler, badged) != ERR_OK) {
        printf("procsrv: no RTC for the clock; sleeps and restarts will not time out\n");
        return false;
    }
    /* Register A, with NMIs left as they are (bit 7 of the index). */
    rtc_write(0x8a, (uint8_t)((rtc_read(0x8a) & 0xf0) | RTC_RATE_128_HZ));
    rtc_write(0x8b, (uint8_t)(rtc_read(0x8b) | 0x40)); /* periodic interrupt on */
    rtc_read(0x0c);
    return true;
}

void clock_tick(void)
{
    ticks++;
    rtc_read(0x0c); /* reading register C lets the RTC interrupt again */
    irq_handler_ack(handler);
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

long clock_sleep(uint64_t pid, uint64_t ms)
{
    for (int i = 0; i < MAX_SLEEPERS; i++) {
        if (sleepers[i].reply)
            continue;
        uint64_t slot;
        long status = slot_save_reply(&slot);
        if (status != SERVICE_OK)
            return status;
        sleepers[i].reply = slot;
        sleepers[i].pid = pid;
        sleepers[i].wake_tick = ticks + (ms * PROC_CLOCK_HZ + 999) / 1000;
        return SERVER_NO_REPLY;
    }
    return SERVICE_TOO_MANY;
}

void clock_forget(uint64_t pid)
{
    for (int i = 0; i < MAX_SLEEPERS; i++) {
        if (sleepers[i].reply && sleepers[i].pid == pid) {
            slot_release(sleepers[i].reply);
            sleepers[i].reply = 0;
        }
    }
}
