/* Local APIC and I/O APIC; see apic.h. */
#include "arch/x86_64/apic.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vm.h"
#include "log.h"

#define MSR_APIC_BASE      0x1bu
#define APIC_BASE_ENABLE   (1u << 11)
#define LAPIC_TPR          0x080
#define LAPIC_EOI          0x0b0
#define LAPIC_SVR          0x0f0
#define LAPIC_SVR_ENABLE   0x100
#define IOAPIC_REG_SELECT  0x00
#define IOAPIC_REG_WINDOW  0x10
#define IOAPIC_REDIRECTION 0x10
#define IOAPIC_MASKED      (1u << 16)
#define IOAPIC_LEVEL       (1u << 15)
#define IOAPIC_ACTIVE_LOW  (1u << 13)

static volatile uint32_t *lapic;
static volatile uint32_t *ioapic;
static uint32_t ioapic_low[IOAPIC_MAX_GSIS]; /* the low words we programmed */

static uint32_t ioapic_read(uint32_t reg)
{
    ioapic[IOAPIC_REG_SELECT / 4] = reg;
    return ioapic[IOAPIC_REG_WINDOW / 4];
}

static void ioapic_write(uint32_t reg, uint32_t value)
{
    ioapic[IOAPIC_REG_SELECT / 4] = reg;
    ioapic[IOAPIC_REG_WINDOW / 4] = value;
}

void apic_init(struct bootmem *bm)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    lapic = vm_map_mmio(bm, base & ~0xffful);
    ioapic = vm_map_mmio(bm, IOAPIC_DEFAULT_BASE);
    lapic[LAPIC_TPR / 4] = 0;
    lapic[LAPIC_SVR / 4] = LAPIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR;

    unsigned lines = ((ioapic_read(1) >> 16) & 0xff) + 1;
    for (unsigned gsi = 0; gsi < lines && gsi < IOAPIC_MAX_GSIS; gsi++)
        ioapic_route(gsi, gsi >= 16, true);
    log_info("apic: local APIC at 0x%lx, I/O APIC at 0x%lx with %u lines\n", base & ~0xffful,
             IOAPIC_DEFAULT_BASE, lines);
}

void ioapic_route(unsigned gsi, bool level_low, bool masked)
{
    uint32_t low = IRQ_VECTOR_BASE + gsi; /* fixed delivery, physical destination */
    if (level_low)
        low |= IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW;
    if (masked)
        low |= IOAPIC_MASKED;
    ioapic_low[gsi] = low;
    ioapic_write(IOAPIC_REDIRECTION + 2 * gsi + 1, 0); /* destination: APIC ID 0 */
    ioapic_write(IOAPIC_REDIRECTION + 2 * gsi, low);
}

void ioapic_mask(unsigned gsi, bool masked)
{
    uint32_t low = masked ? ioapic_low[gsi] | IOAPIC_MASKED : ioapic_low[gsi] & ~IOAPIC_MASKED;
    ioapic_low[gsi] = low;
    ioapic_write(IOAPIC_REDIRECTION + 2 * gsi, low);
}

bool apic_interrupt_pending(void)
{
    /* The IRR: eight 32-bit registers, 16 bytes apart, one bit a vector. */
    for (unsigned i = 1; i < 8; i++)
        if (lapic[(0x200 + 0x10 * i) / 4])
            return true;
    return false;
}

uint64_t apic_local_base(void)
{
    return rdmsr(MSR_APIC_BASE) & ~0xffful;
}

void lapic_eoi(void)
{
    lapic[LAPIC_EOI / 4] = 0;
}
