/*
 * usertest caps: I/O ports and interrupts. Which port ranges are issued,
 * port access inside and outside a range; IRQ handlers, and real RTC
 * interrupts delivered through a notification.
 */
#include <stdint.h>

#include "caps.h"

void test_irq(uint64_t ut)
{
    struct missive_msg m = {0};
    check("the PICs' ports are not issued",
          io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, 0x20, 0x21, S_BAD_PORTS),
          ERR_NOT_PERMITTED);
    check("nor the QEMU exit port",
          io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, 0xf4, 0xf4, S_BAD_PORTS),
          ERR_NOT_PERMITTED);
    check("COM1 is, for the console server",
          io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, 0x3f8, 0x3ff, S_BAD_PORTS), ERR_OK);
    cspace_delete(ROOT_SLOT_CSPACE, S_BAD_PORTS);
    check("nor the PIT's",
          io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, 0x30, 0x50, S_BAD_PORTS),
          ERR_NOT_PERMITTED);
    long r = io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, 0x80, 0x70, S_BAD_PORTS);
    check_bad_argument("a backwards range", r, IO_PORT_CONTROL_ISSUE_ARG_LAST, 0x80, 0xffff);
    check("issue the RTC's ports",
          io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, 0x70, 0x71, S_RTC_PORTS), ERR_OK);
    r = io_port_in(S_RTC_PORTS, 0x72, 1, NULL);
    check_bad_argument("a port outside the range", r, IO_PORT_IN_ARG_PORT, 0x70, 0x71);
    r = io_port_in(S_RTC_PORTS, 0x71, 2, NULL);
    check_bad_argument("a word running past it", r, IO_PORT_IN_ARG_PORT, 0x70, 0x70);
    r = io_port_in(S_RTC_PORTS, 0x70, 3, NULL);
    check_bad_argument("width 3", r, IO_PORT_IN_ARG_WIDTH, 1, 4);

    r = irq_control_get(ROOT_SLOT_IRQ_CONTROL, 2, S_RTC_IRQ, 0);
    check_bad_argument("the timer's line is the kernel's", r, IRQ_CONTROL_GET_ARG_GSI, 0, 23);
    r = irq_control_get(ROOT_SLOT_IRQ_CONTROL, 24, S_RTC_IRQ, 0);
    check_bad_argument("GSI 24", r, IRQ_CONTROL_GET_ARG_GSI, 0, 23);
    check("a handler for IRQ 8", irq_control_get(ROOT_SLOT_IRQ_CONTROL, 8, S_RTC_IRQ, 0), ERR_OK);
    check("only one per line", irq_control_get(ROOT_SLOT_IRQ_CONTROL, 8, S_BAD_PORTS, 0),
          ERR_NOT_PERMITTED);
    check("handlers cannot be copied",
          cspace_copy(ROOT_SLOT_CSPACE, S_IRQ_COPY, S_RTC_IRQ, CAP_RIGHTS_ALL, 0),
          ERR_NOT_PERMITTED);
    check("a notification for it", untyped_retype(ut, CAP_NOTIFICATION, 0, S_RTC_NTFN, 1), ERR_OK);
    check("bind it", irq_handler_set_notification(S_RTC_IRQ, S_RTC_NTFN), ERR_OK);
    setup_rtc_write(S_RTC_PORTS, 0x8a,
                    (setup_rtc_read(S_RTC_PORTS, 0x8a) & 0xf0) |
                        0x0f); /* rate 15: 2 Hz would be slow; */
    setup_rtc_write(S_RTC_PORTS, 0x8a,
                    (setup_rtc_read(S_RTC_PORTS, 0x8a) & 0xf0) | 0x06); /* rate 6: 1024 Hz */
    setup_rtc_write(S_RTC_PORTS, 0x8b,
                    setup_rtc_read(S_RTC_PORTS, 0x8b) | 0x40); /* periodic interrupt on */
    int delivered = 0;
    for (int i = 0; i < 3; i++) {
        if (missive_syscall(SYS_RECV, S_RTC_NTFN, 0, &m) == ERR_OK && m.badge == 0)
            delivered++;
        setup_rtc_read(S_RTC_PORTS, 0x0c); /* reading register C lets the RTC interrupt again */
        irq_handler_ack(S_RTC_IRQ);
    }
    check("three RTC interrupts arrived through the notification", delivered, 3);
    setup_rtc_write(S_RTC_PORTS, 0x8b, setup_rtc_read(S_RTC_PORTS, 0x8b) & ~0x40ul);
    setup_rtc_read(S_RTC_PORTS, 0x0c);
    check("delete the handler", cspace_delete(ROOT_SLOT_CSPACE, S_RTC_IRQ), ERR_OK);
    check("the line can be issued again", irq_control_get(ROOT_SLOT_IRQ_CONTROL, 8, S_RTC_IRQ, 0),
          ERR_OK);
    check("and deleted", cspace_delete(ROOT_SLOT_CSPACE, S_RTC_IRQ), ERR_OK);

    /* MSI handlers: a vector each, above the I/O APIC's; the address names the CPU's local
       APIC; deleting one frees its vector. (The edu test driver sees them delivered.) */
    struct irq_msi msi = {0, 0}, other = {0, 0};
    r = irq_control_get_msi(ROOT_SLOT_IRQ_CONTROL, 64, S_RTC_IRQ, &msi);
    check_bad_argument("an MSI for CPU 64", r, IRQ_CONTROL_GET_MSI_ARG_CPU, 0,
                       setup_boot->cpu_count - 1);
    check("an MSI handler on the boot CPU",
          irq_control_get_msi(ROOT_SLOT_IRQ_CONTROL, 0, S_RTC_IRQ, &msi), ERR_OK);
    check("its address is the local APIC's", msi.address & ~0xff000ul, IRQ_MSI_ADDRESS);
    check("its vector is above the I/O APIC's", msi.data >= 32 + 24 && msi.data < 0xef, 1);
    check("another", irq_control_get_msi(ROOT_SLOT_IRQ_CONTROL, 0, S_IRQ_COPY, &other), ERR_OK);
    check("gets another vector", other.data != msi.data, 1);
    check("acknowledging an MSI handler does nothing wrong", irq_handler_ack(S_RTC_IRQ), ERR_OK);
    check("delete it", cspace_delete(ROOT_SLOT_CSPACE, S_RTC_IRQ), ERR_OK);
    struct irq_msi again = {0, 0};
    check("a third", irq_control_get_msi(ROOT_SLOT_IRQ_CONTROL, 0, S_RTC_IRQ, &again), ERR_OK);
    check("reuses the freed vector", again.data, msi.data);
    cspace_delete(ROOT_SLOT_CSPACE, S_RTC_IRQ);
    cspace_delete(ROOT_SLOT_CSPACE, S_IRQ_COPY);
}
