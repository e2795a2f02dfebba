/*
 * Power: ACPI mode (SMI_CMD <- ACPI_ENABLE when SCI_EN is clear), the fixed power button (its
 * SCI; procsrv is told through its notification), S5 (SLP_TYP from \_S5, then SLP_EN: QEMU
 * powers off only on SLP_EN with the sleep type its \_S5 gives, 0) and reset (the FADT's reset
 * register, then port 0xCF9, then the keyboard controller). docs/platform.md.
 */
#include <stdio.h>

#include "acpi.h"
#include "libsys/invoke.h"
#include "procgrant/procgrant.h"

#define ACPI_ENABLE_POLLS 100 /* 10 ms apart: SCI_EN must come within a second */
#define RESET_WAIT_LOOPS  100 /* 10 ms apart, after each reset method */

/* PM1 status and enable registers: the two halves of PM1x_EVT_BLK (16 bits each here). */
static int pm1_read(const struct acpi_gas *block, unsigned half, uint64_t *value)
{
    struct acpi_gas gas = *block;
    gas.address += half * (acpi.tables.fadt.pm1_evt_len / 2);
    gas.bit_width = 16;
    gas.access_size = 0;
    return ports_gas_read(&gas, value);
}

static int pm1_write(const struct acpi_gas *block, unsigned half, uint64_t value)
{
    struct acpi_gas gas = *block;
    gas.address += half * (acpi.tables.fadt.pm1_evt_len / 2);
    gas.bit_width = 16;
    gas.access_size = 0;
    return ports_gas_write(&gas, value);
}

static int cnt_read(const struct acpi_gas *block, uint64_t *value)
{
    struct acpi_gas gas = *block;
    gas.bit_width = 16;
    gas.access_size = 0;
    return ports_gas_read(&gas, value);
}

static int cnt_write(const struct acpi_gas *block, uint64_t value)
{
    struct acpi_gas gas = *block;
    gas.bit_width = 16;
    gas.access_size = 0;
    return ports_gas_write(&gas, value);
}

/* SCI_EN set, by asking the firmware through SMI_CMD if it is clear. */
static bool enable_acpi_mode(const struct acpi_fadt *f)
{
    uint64_t cnt;
    if (cnt_read(&f->pm1a_cnt, &cnt) != 0) {
        printf("acpi: cannot read PM1a_CNT at 0x%lx\n", (unsigned long)f->pm1a_cnt.address);
        return false;
    }
    if (cnt & ACPI_PM1_SCI_EN)
        return true;
    if (!f->smi_cmd || !f->acpi_enable) {
        printf("acpi: SCI_EN is clear and the FADT gives no way to enable ACPI mode\n");
        return false;
    }
    if (ports_write((uint16_t)f->smi_cmd, 8, f->acpi_enable) != 0)
        return false;
    for (int i = 0; i < ACPI_ENABLE_POLLS; i++) {
        if (cnt_read(&f->pm1a_cnt, &cnt) == 0 && (cnt & ACPI_PM1_SCI_EN))
            return true;
        ports_delay_us(10000);
    }
    printf("acpi: SCI_EN did not come on after ACPI_ENABLE\n");
    return false;
}

void power_init(struct acpi_server *a)
{
    const struct acpi_fadt *f = &a->tables.fadt;
    if (!(a->flags & ACPI_INFO_FADT))
        return;
    if (!enable_acpi_mode(f))
        return;
    a->flags |= ACPI_INFO_ACPI_MODE;
    uint64_t handler, notification;
    if (!procgrant_irq(a->info, f->sci_int, &handler, &notification)) {
        printf("acpi: the SCI's line (GSI %u) is not granted (the manifest's irq=): no power "
               "button\n",
               f->sci_int);
        return;
    }
    if (thread_bind_notification(PROC_SLOT_THREAD, notification) != ERR_OK) {
        printf("acpi: cannot bind the SCI's notification: no power button\n");
        return;
    }
    a->sci_handler = handler;
    a->sci_notification = notification;
    /* Clear a stale press first (status bits clear by writing 1), then enable the button. */
    pm1_write(&f->pm1a_evt, 0, ACPI_PM1_PWRBTN);
    uint64_t enable = 0;
    pm1_read(&f->pm1a_evt, 1, &enable);
    if (pm1_write(&f->pm1a_evt, 1, enable | ACPI_PM1_PWRBTN) != 0) {
        printf("acpi: cannot write PM1a_EN: no power button\n");
        return;
    }
    irq_handler_ack(handler);
    a->flags |= ACPI_INFO_POWER_BUTTON;
    printf("acpi: ACPI mode on; power button on SCI (GSI %u)\n", f->sci_int);
}

/* Signals procsrv's notification (SYS_SEND on a notification never blocks). */
static void tell_procsrv(uint64_t notification)
{
    struct missive_msg msg = {0};
    missive_syscall(SYS_SEND, notification, MSG_TAG(0, 0, 0), &msg);
}

void power_sci(struct acpi_server *a)
{
    const struct acpi_fadt *f = &a->tables.fadt;
    uint64_t status = 0, status_b = 0;
    pm1_read(&f->pm1a_evt, 0, &status);
    if (f->pm1b_evt.address)
        pm1_read(&f->pm1b_evt, 0, &status_b);
    if ((status | status_b) & ACPI_PM1_PWRBTN) {
        pm1_write(&f->pm1a_evt, 0, ACPI_PM1_PWRBTN);
        if (f->pm1b_evt.address)
            pm1_write(&f->pm1b_evt, 0, ACPI_PM1_PWRBTN);
        printf("acpi: power button pressed; telling procsrv\n");
        tell_procsrv(a->power_button);
    }
    irq_handler_ack(a->sci_handler);
}

/* Writes SLP_TYP and SLP_EN to one PM1 control block. */
static int sleep_write(const struct acpi_gas *block, uint8_t type)
{
    uint64_t cnt = 0;
    if (cnt_read(block, &cnt) != 0)
        return -1;
    cnt &= ~(uint64_t)(ACPI_PM1_SLP_TYP(7) | ACPI_PM1_SLP_EN);
    /* SLP_TYP first, SLP_EN with it in a second write, as ACPI 4.8.3.2.1 describes. */
    if (cnt_write(block, cnt | ACPI_PM1_SLP_TYP(type)) != 0)
        return -1;
    return cnt_write(block, cnt | ACPI_PM1_SLP_TYP(type) | ACPI_PM1_SLP_EN);
}

long power_off(struct server_call *call)
{
    (void)call;
    const struct acpi_fadt *f = &acpi.tables.fadt;
    if (!(acpi.flags & ACPI_INFO_S5)) {
        printf("acpi: cannot power off: no \\_S5 (no ACPI namespace)\n");
        return SERVICE_NOT_FOUND;
    }
    printf("acpi: entering S5 (SLP_TYPa %u, SLP_TYPb %u)\n", acpi.slp_typa, acpi.slp_typb);
    if (sleep_write(&f->pm1a_cnt, acpi.slp_typa) != 0)
        return SERVICE_INTERNAL;
    if (f->pm1b_cnt.address)
        sleep_write(&f->pm1b_cnt, acpi.slp_typb);
    ports_delay_us(1000000);
    printf("acpi: still running a second after SLP_EN\n");
    return SERVICE_INTERNAL;
}

long power_reset(struct server_call *call)
{
    (void)call;
    const struct acpi_fadt *f = &acpi.tables.fadt;
    if (acpi.flags & ACPI_INFO_RESET_REG) {
        printf("acpi: reset through the FADT's reset register (0x%lx <- 0x%x)\n",
               (unsigned long)f->reset_reg.address, f->reset_value);
        if (ports_gas_write(&f->reset_reg, f->reset_value) == 0)
            ports_delay_us(100000);
    }
    printf("acpi: reset through port 0xcf9\n");
    if (ports_write(0xcf9, 8, 0x06) == 0)
        ports_delay_us(100000);
    printf("acpi: reset through the keyboard controller\n");
    if (ports_write(0x64, 8, 0xfe) == 0)
        ports_delay_us(100000);
    printf("acpi: the machine did not reset\n");
    return SERVICE_INTERNAL;
}
