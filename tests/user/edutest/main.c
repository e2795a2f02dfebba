/*
 * edutest: a test driver for QEMU's edu device (-device edu, 1234:11e8), started by procsrv
 * because the test manifest names it with pci=1234:11e8. It checks what a driver gets: its
 * BAR 0 mapped (the identification register, the liveness register, the factorial unit), its
 * own configuration space and no other function's, and its interrupt, raised by writing 0x60
 * and acknowledged at 0x64, counted as it arrives through MSI or, with msi=off in the
 * manifest, through INTx routed by the acpi server's _PRT. docs/platform.md, "PCI".
 */
#include <stdio.h>
#include <string.h>

#include "libsys/pci_driver.h"
#include "libsys/service.h"
#include "proto/pci.h"
#include "testlib.h"

#define EDU_ID         0x00 /* 0xRRrr00ed: major, minor version, 0xed */
#define EDU_LIVENESS   0x04 /* reads back the complement of what was written */
#define EDU_FACTORIAL  0x08
#define EDU_STATUS     0x20 /* bit 0: computing */
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE  0x60
#define EDU_IRQ_ACK    0x64
#define ROUNDS         8

static volatile uint32_t *bar0;

static uint32_t reg(unsigned offset)
{
    return bar0[offset / 4];
}

static void set_reg(unsigned offset, uint32_t value)
{
    bar0[offset / 4] = value;
}

/* Waits (up to two seconds) for the notification; true if it was signalled. */
static bool wait_signal(uint64_t notification)
{
    for (int i = 0; i < 2000; i++) {
        struct missive_msg m = {0};
        if (missive_syscall(SYS_NB_RECV, notification, 0, &m) == ERR_OK)
            return true;
        proc_sleep_ms(1);
    }
    return false;
}

/* What a driver must be refused: another function's configuration space and information,
   the BARs of its own, an MSI address outside the local APICs', the pci server reached by
   name (badged with the pid, no function), and procsrv's device offers. */
static void refusals(uint64_t pci, uint64_t own)
{
    uint64_t value = 0, other = PCI_ADDRESS(0, 0, 0);
    check_status("another function's configuration space",
                 pci_driver_call(pci, PCI_CONFIG_READ, (uint64_t[]){other, 0, 4}, 3, &value),
                 SERVICE_DENIED);
    check_status("another function's information", pci_driver_call(pci, PCI_INFO, &other, 1, 0),
                 SERVICE_DENIED);
    check_status("writing another function's command register",
                 pci_driver_call(pci, PCI_CONFIG_WRITE, (uint64_t[]){other, 4, 2, 0}, 4, 0),
                 SERVICE_DENIED);
    check_status("moving its own BAR 0",
                 pci_driver_call(pci, PCI_CONFIG_WRITE, (uint64_t[]){own, 0x10, 4, 0}, 4, 0),
                 SERVICE_DENIED);
    check_result_bad_range(
        "a width of 3", pci_driver_call(pci, PCI_CONFIG_READ, (uint64_t[]){own, 0, 3}, 3, &value),
        2, 1, 4);
    /* 256 bytes through the ports, 4096 with ECAM: past both. */
    check_result_bad_argument(
        "an offset past the space",
        pci_driver_call(pci, PCI_CONFIG_READ, (uint64_t[]){own, 4096, 4}, 3, &value), 1);
    check_result_bad_argument(
        "an MSI address outside the local APICs'",
        pci_driver_call(pci, PCI_MSI_ENABLE, (uint64_t[]){own, 0x1000, IRQ_MSI_VECTOR_FIRST}, 3, 0),
        1);
    uint64_t by_name = libsys_alloc_slot();
    check_status("the pci server by name", proc_lookup("pci", by_name), SERVICE_OK);
    check_status("reaches no configuration space",
                 pci_driver_call(by_name, PCI_CONFIG_READ, (uint64_t[]){own, 0, 4}, 3, &value),
                 SERVICE_DENIED);
    check_status("nor another device", pci_driver_call(by_name, PCI_INFO, &other, 1, 0),
                 SERVICE_DENIED);
    check_status("an unknown request", pci_driver_call(pci, 99, &own, 1, 0), SERVICE_BAD_LABEL);
    check_status("a read without its width", pci_driver_call(pci, PCI_CONFIG_READ, &own, 1, &value),
                 SERVICE_BAD_LENGTH);
    check_result_bad_range("an address that cannot be",
                           pci_driver_call(pci, PCI_INFO, (uint64_t[]){0x10000}, 1, 0), 0, 0,
                           0xffff);
    struct request r = {.label = PROC_PCI_DEVICE};
    for (unsigned i = 0; i < PROC_PCI_DEVICE_LENGTH; i++)
        request_set_word(&r, i, 0);
    request_set_word(&r, 1, 0x11e81234); /* a device matching this very driver */
    check_status("procsrv starts drivers only for the pci server",
                 request_result(request_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0), &r), SERVICE_DENIED);
}

/* lspci's view: the pci server lists this function with this process as its driver. */
static void listed_as_driver(uint64_t own, uint64_t pid)
{
    uint64_t endpoint = libsys_alloc_slot();
    check_status("the pci server by name", proc_lookup("pci", endpoint), SERVICE_OK);
    for (uint64_t i = 0; i < 256; i++) {
        struct request r = {.label = PCI_LIST};
        request_set_word(&r, 0, i);
        struct result e = request_result(request_call(endpoint, &r, 0, 0, 0), &r);
        if (!result_is_ok(e)) {
            check_fail("its function is not listed (%lu functions)", (unsigned long)i);
            return;
        }
        if (request_word(&r, 0) != own)
            continue;
        char name[PROTO_NAME_MAX + 1] = {0};
        request_get_bytes(&r, 4, name, PROTO_NAME_MAX);
        check("listed with this process as its driver", (long)request_word(&r, 3), (long)pid);
        check_string("and its name", name, libsys_proc_info()->name);
        return;
    }
}

/* With the argument restart-pci: the pci server is killed and comes back (restart=1 in the
   manifest); it walks the buses again and offers every function again, and procsrv keeps this
   driver rather than start another. The badged endpoint outlives the server. */
static void restart_pci(uint64_t pci, uint64_t own, uint64_t pid)
{
    struct proc_entry entry;
    uint64_t pci_pid = 0;
    for (uint64_t i = 0; result_is_ok(proc_list(i, &entry)); i++)
        if (strcmp(entry.name, "pci") == 0)
            pci_pid = entry.pid;
    check_status("the pci server killed", proc_kill(pci_pid), SERVICE_OK);
    proc_sleep_ms(300); /* its restart back-off is 100 ms */
    uint64_t value = 0;
    check_status("its configuration space through the new server",
                 pci_driver_call(pci, PCI_CONFIG_READ, (uint64_t[]){own, 0, 4}, 3, &value),
                 SERVICE_OK);
    check("its vendor and device id again", (long)value, 0x11e81234);
    listed_as_driver(own, pid);
}

int main(int argc, char **argv)
{
    const struct proc_info *info = libsys_proc_info();
    /* Its lines start with its process's name: a second edu device's driver is edutest-2. */
    static char name[PROTO_NAME_MAX + 1] = "edutest";
    if (info)
        memcpy(name, info->name, sizeof name - 1);
    check_init(name);
    struct pci_driver_grants g = pci_driver_find_grants(info, 0);
    uint64_t pci = g.pci, own = g.address, handler = g.handler, notification = g.notification;
    uint64_t msi_address = g.msi_address, msi_data = g.msi_data, gsi = g.gsi,
             bar_size = g.bar_bytes;
    bar0 = g.bar;
    if (!pci || !bar0 || !handler || !notification) {
        check_fail("missing grants: pci %lu, BAR 0 %p, interrupt %lu, notification %lu",
                   (unsigned long)pci, (void *)bar0, (unsigned long)handler,
                   (unsigned long)notification);
        return check_report(0) ? 1 : 0;
    }
    printf("%s: function %02lx:%02lx.%lu, BAR 0 at %p (%lu KiB)\n", name,
           (unsigned long)PCI_ADDRESS_BUS(own), (unsigned long)PCI_ADDRESS_DEVICE(own),
           (unsigned long)PCI_ADDRESS_FUNCTION(own), (void *)bar0, (unsigned long)bar_size >> 10);
    check("BAR 0 is 1 MiB", (long)bar_size, 1 << 20);
    check("the identification register", reg(EDU_ID) & 0xff, 0xed);
    set_reg(EDU_LIVENESS, 0x12345678);
    check("the liveness register", reg(EDU_LIVENESS), (long)(uint32_t)~0x12345678u);
    set_reg(EDU_FACTORIAL, 5);
    for (int i = 0; i < 1000 && (reg(EDU_STATUS) & 1); i++)
        proc_sleep_ms(1);
    check("5! from the factorial unit", reg(EDU_FACTORIAL), 120);

    uint64_t value = 0;
    check_status("its own configuration space",
                 pci_driver_call(pci, PCI_CONFIG_READ, (uint64_t[]){own, 0, 4}, 3, &value),
                 SERVICE_OK);
    check("its vendor and device id", (long)value, 0x11e81234);
    uint64_t command = 0;
    pci_driver_call(pci, PCI_CONFIG_READ, (uint64_t[]){own, 4, 2}, 3, &command);
    /* Bus mastering on (an MSI is a memory write by the device); the decode bits it tries to
       clear stay as firmware set them. */
    check_status(
        "bus mastering on",
        pci_driver_call(pci, PCI_CONFIG_WRITE, (uint64_t[]){own, 4, 2, (command & ~3ul) | 4}, 4, 0),
        SERVICE_OK);
    pci_driver_call(pci, PCI_CONFIG_READ, (uint64_t[]){own, 4, 2}, 3, &value);
    check("bus mastering is on, the decode bits unchanged", (long)value,
          (long)((command & 3) | (command & ~3ul) | 4));
    /* PCI_INFO: what the pci server knows of it; the interrupt word says how INTx arrives. */
    struct request info_reply = {.label = PCI_INFO};
    request_set_word(&info_reply, 0, own);
    check_status("its own information",
                 request_result(request_call(pci, &info_reply, 0, 0, 0), &info_reply), SERVICE_OK);
    uint64_t irq_word = request_word(&info_reply, 2);
    check("the same ids", (long)request_word(&info_reply, 0), 0x11e81234);
    check("BAR 0's size", (long)request_word(&info_reply, PCI_INFO_BAR_WORD + 1), 1 << 20);
    check("it has MSI", (irq_word & PCI_IRQ_MSI) != 0, 1);
    check("and pin INTA", PCI_IRQ_PIN(irq_word), 1);
    if (!msi_address)
        check("its INTx route is the GSI it was granted", (long)PCI_IRQ_GSI(irq_word), (long)gsi);
    refusals(pci, own);
    listed_as_driver(own, info->pid);

    const char *how = "INTx";
    if (msi_address) {
        how = "MSI";
        check_status(
            "MSI enabled",
            pci_driver_call(pci, PCI_MSI_ENABLE, (uint64_t[]){own, msi_address, msi_data}, 3, 0),
            SERVICE_OK);
    }
    unsigned arrived = 0;
    for (unsigned i = 0; i < ROUNDS; i++) {
        set_reg(EDU_IRQ_RAISE, 1u << i);
        if (!wait_signal(notification))
            break;
        if (reg(EDU_IRQ_STATUS) & (1u << i))
            arrived++;
        set_reg(EDU_IRQ_ACK, reg(EDU_IRQ_STATUS));
        irq_handler_ack(handler);
    }
    check("interrupts arrived", arrived, ROUNDS);
    if (argc > 1 && strcmp(argv[1], "restart-pci") == 0)
        restart_pci(pci, own, info->pid);
    if (msi_address)
        printf("%s: %u of %u interrupts through MSI (vector %lu)\n", name, arrived, ROUNDS,
               (unsigned long)msi_data);
    else
        printf("%s: %u of %u interrupts through INTx (GSI %lu, %s-triggered, active-%s)\n", name,
               arrived, ROUNDS, (unsigned long)gsi,
               PCI_IRQ_MODE(irq_word) & IRQ_MODE_LEVEL ? "level" : "edge",
               PCI_IRQ_MODE(irq_word) & IRQ_MODE_ACTIVE_LOW ? "low" : "high");
    (void)how;
    return check_report(0) ? 1 : 0;
}
