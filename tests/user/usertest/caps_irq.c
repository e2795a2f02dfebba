/*
 * usertest caps: I/O ports and interrupts. Which port ranges are issued,
 * port access inside and outside a range; IRQ handlers, and real RTC
 * interrupts delivered through a notification.
 */
#include <stdint.h>

#include "caps.h"

/* The CMOS real-time clock raises IRQ 8 periodically once told to: a
   device interrupt QEMU delivers, through ports the root task is issued. */
static uint64_t rtc_read(uint64_t reg)
{
    struct missive_msg m;
    invoke(S_RTC_PORTS, IO_PORT_OUT, 0x70, 1, reg, 0, 0);
    invoke(S_RTC_PORTS, IO_PORT_IN, 0x71, 1, 0, 0, &m);
    return m.mr[0] & 0xff;
}

static void rtc_write(uint64_t reg, uint64_t value)
{
    invoke(S_RTC_PORTS, IO_PORT_OUT, 0x70, 1, reg, 0, 0);
    invoke(S_RTC_PORTS, IO_PORT_OUT, 0x71, 1, value, 0, 0);
}

void test_irq(uint64_t ut)
{
    struct missive_msg m = {0};
    check("the PICs' ports are not issued",
          invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0x20, 0x21, S_BAD_PORTS, 0, 0),
          ERR_NOT_PERMITTED);
    check("nor the QEMU exit port",
          invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0xf4, 0xf4, S_BAD_PORTS, 0, 0),
          ERR_NOT_PERMITTED);
    check("COM1 is, for the console server",
          invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0x3f8, 0x3ff, S_BAD_PORTS, 0, 0),
          ERR_OK);
    cs(CSPACE_DELETE, S_BAD_PORTS, 0, 0, 0);
    check("nor the PIT's",
          invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0x30, 0x50, S_BAD_PORTS, 0, 0),
          ERR_NOT_PERMITTED);
    long r =
        invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0x80, 0x70, S_BAD_PORTS, 0, &m);
    check_bad_argument("a backwards range", r, &m, 1, 0x80, 0xffff);
    check("issue the RTC's ports",
          invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0x70, 0x71, S_RTC_PORTS, 0, 0),
          ERR_OK);
    r = invoke(S_RTC_PORTS, IO_PORT_IN, 0x72, 1, 0, 0, &m);
    check_bad_argument("a port outside the range", r, &m, 0, 0x70, 0x71);
    r = invoke(S_RTC_PORTS, IO_PORT_IN, 0x71, 2, 0, 0, &m);
    check_bad_argument("a word running past it", r, &m, 0, 0x70, 0x70);
    r = invoke(S_RTC_PORTS, IO_PORT_IN, 0x70, 3, 0, 0, &m);
    check_bad_argument("width 3", r, &m, 1, 1, 4);

    r = invoke(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 2, S_RTC_IRQ, 0, 0, &m);
    check_bad_argument("the timer's line is the kernel's", r, &m, 0, 0, 23);
    r = invoke(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 24, S_RTC_IRQ, 0, 0, &m);
    check_bad_argument("GSI 24", r, &m, 0, 0, 23);
    check("a handler for IRQ 8",
          invoke(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 8, S_RTC_IRQ, 0, 0, 0), ERR_OK);
    check("only one per line",
          invoke(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 8, S_BAD_PORTS, 0, 0, 0),
          ERR_NOT_PERMITTED);
    check("handlers cannot be copied", cs(CSPACE_COPY, S_IRQ_COPY, S_RTC_IRQ, CAP_RIGHTS_ALL, 0),
          ERR_NOT_PERMITTED);
    check("a notification for it", retype(ut, CAP_NOTIFICATION, 0, S_RTC_NTFN, 1), ERR_OK);
    check("bind it", invoke(S_RTC_IRQ, IRQ_HANDLER_SET_NOTIFICATION, S_RTC_NTFN, 0, 0, 0, 0),
          ERR_OK);
    rtc_write(0x8a, (rtc_read(0x8a) & 0xf0) | 0x0f); /* rate 15: 2 Hz would be slow; */
    rtc_write(0x8a, (rtc_read(0x8a) & 0xf0) | 0x06); /* rate 6: 1024 Hz */
    rtc_write(0x8b, rtc_read(0x8b) | 0x40);          /* periodic interrupt on */
    int delivered = 0;
    for (int i = 0; i < 3; i++) {
        if (missive_syscall(SYS_RECV, S_RTC_NTFN, 0, &m) == ERR_OK && m.badge == 0)
            delivered++;
        rtc_read(0x0c); /* reading register C lets the RTC interrupt again */
        invoke(S_RTC_IRQ, IRQ_HANDLER_ACK, 0, 0, 0, 0, 0);
    }
    check("three RTC interrupts arrived through the notification", delivered, 3);
    rtc_write(0x8b, rtc_read(0x8b) & ~0x40ul);
    rtc_read(0x0c);
    check("delete the handler", cs(CSPACE_DELETE, S_RTC_IRQ, 0, 0, 0), ERR_OK);
    check("the line can be issued again",
          invoke(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 8, S_RTC_IRQ, 0, 0, 0), ERR_OK);
    check("and deleted", cs(CSPACE_DELETE, S_RTC_IRQ, 0, 0, 0), ERR_OK);
}
