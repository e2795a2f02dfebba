/*
 * smptest wake: notifications and interrupts reaching threads on other
 * CPUs. A waiter on every CPU (this one included) is signalled ROUNDS times
 * through a badged notification and answers each time; then the CMOS clock's
 * periodic interrupt (IRQ 8, which the kernel takes on CPU 0) is bound to a
 * notification a thread on the last CPU waits on: it must be woken for each
 * interrupt it acknowledges. A waiter on an idle CPU is woken by an IPI.
 */
#include <stdio.h>

#include "smptest.h"

#define ROUNDS     50
#define INTERRUPTS 10

static uint64_t ntfns, answer_slot, rtc_ports, rtc_irq, rtc_ntfn;
static volatile uint64_t got[16], wrong[16], interrupts, irq_cpu;

static void waiter(uint64_t cpu)
{
    struct missive_msg m = {0};
    for (;;) {
        long r = missive_syscall(SYS_RECV, ntfns + cpu, 0, &m);
        if (r == ERR_OK && m.badge == 1ull << cpu)
            got[cpu]++;
        else
            wrong[cpu]++;
        missive_syscall(SYS_SEND, answer_slot, 0, &m);
    }
}

static void irq_waiter(uint64_t unused)
{
    (void)unused;
    struct missive_msg m = {0};
    irq_cpu = my_cpu();
    while (interrupts < INTERRUPTS) {
        if (missive_syscall(SYS_RECV, rtc_ntfn, 0, &m) == ERR_OK)
            interrupts++;
        setup_rtc_read(rtc_ports, 0x0c); /* reading register C lets the clock interrupt again */
        irq_handler_ack(rtc_irq);
    }
    missive_syscall(SYS_SEND, answer_slot, 0, &m);
    park();
}

int wake_suite(void)
{
    struct missive_msg m = {0};
    uint64_t raw = setup_objects(CAP_NOTIFICATION, 0, ncpus);
    ntfns = setup_slots(ncpus);
    answer_slot = setup_objects(CAP_NOTIFICATION, 0, 1);
    uint64_t threads = setup_objects(CAP_THREAD, 0, ncpus + 1);
    for (unsigned cpu = 0; cpu < ncpus; cpu++) {
        check("mint a badged notification",
              cspace_mint(ROOT_SLOT_CSPACE, ntfns + cpu, raw + cpu,
                          CAP_RIGHT_SEND | CAP_RIGHT_RECEIVE, 1ull << cpu, 0),
              ERR_OK);
        check("start a waiter",
              setup_thread_start(threads + cpu,
                                 (struct setup_thread){.priority = 255, .pinned = true, .cpu = cpu},
                                 waiter, cpu),
              ERR_OK);
    }
    for (int round = 0; round < ROUNDS; round++) {
        for (unsigned cpu = 0; cpu < ncpus; cpu++) {
            check("signal", missive_syscall(SYS_SEND, ntfns + cpu, 0, &m), ERR_OK);
            check("its answer", missive_syscall(SYS_RECV, answer_slot, 0, &m), ERR_OK);
        }
    }
    int all = 1;
    for (unsigned cpu = 0; cpu < ncpus; cpu++)
        all = all && got[cpu] == ROUNDS && wrong[cpu] == 0;
    check("every waiter woke for every signal, with its badge", all, 1);

    rtc_ports = setup_slots(1), rtc_irq = setup_slots(1);
    rtc_ntfn = setup_objects(CAP_NOTIFICATION, 0, 1);
    check("the clock's ports",
          io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, 0x70, 0x71, rtc_ports), ERR_OK);
    check("its IRQ", irq_control_get(ROOT_SLOT_IRQ_CONTROL, 8, rtc_irq, 0), ERR_OK);
    check("to the notification", irq_handler_set_notification(rtc_irq, rtc_ntfn), ERR_OK);
    check(
        "start the IRQ waiter on the last CPU",
        setup_thread_start(threads + ncpus,
                           (struct setup_thread){.priority = 255, .pinned = true, .cpu = ncpus - 1},
                           irq_waiter, 0),
        ERR_OK);
    setup_rtc_write(rtc_ports, 0x8a, (setup_rtc_read(rtc_ports, 0x8a) & 0xf0) | 0x06); /* 1024 Hz */
    setup_rtc_write(rtc_ports, 0x8b,
                    setup_rtc_read(rtc_ports, 0x8b) | 0x40); /* periodic interrupt on */
    check("the waiter's answer", missive_syscall(SYS_RECV, answer_slot, 0, &m), ERR_OK);
    setup_rtc_write(rtc_ports, 0x8b, setup_rtc_read(rtc_ports, 0x8b) & ~0x40ul);
    check("interrupts delivered", (long)interrupts, INTERRUPTS);
    check("to the last CPU", (long)irq_cpu, (long)ncpus - 1);
    check("delete the handler", cspace_delete(ROOT_SLOT_CSPACE, rtc_irq), ERR_OK);
    printf("smptest: wake: %d signals to each of %u CPUs answered, %lu clock interrupts to a "
           "thread on CPU %lu\n",
           ROUNDS, ncpus, (unsigned long)interrupts, (unsigned long)irq_cpu);
    return check_report("wake") != 0;
}
