/* Local APIC and I/O APIC; see apic.h. */
#include "arch/x86_64/apic.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vm.h"
#include "log.h"
#include "missive/abi.h"

#define MSR_APIC_BASE      0x1bu
#define APIC_BASE_ENABLE   (1u << 11)
#define LAPIC_ID           0x020
#define LAPIC_TPR          0x080
#define LAPIC_EOI          0x0b0
#define LAPIC_SVR          0x0f0
#define LAPIC_SVR_ENABLE   0x100
#define LAPIC_ICR_LOW      0x300
#define LAPIC_ICR_HIGH     0x310
#define LAPIC_ICR_PENDING  (1u << 12)
#define LAPIC_LVT_TIMER    0x320
#define LAPIC_TIMER_INIT   0x380
#define LAPIC_TIMER_NOW    0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define LAPIC_DIVIDE_16    0x3
#define LAPIC_PERIODIC     (1u << 17)
#define LAPIC_MASKED       (1u << 16)
#define IOAPIC_REG_SELECT  0x00
#define IOAPIC_REG_WINDOW  0x10
#define IOAPIC_REDIRECTION 0x10
#define IOAPIC_MASKED      (1u << 16)
#define IOAPIC_LEVEL       (1u << 15)
#define IOAPIC_ACTIVE_LOW  (1u << 13)

static volatile uint32_t *lapic;
static volatile uint32_t *ioapic;
static uint64_t ioapic_phys;
static uint32_t ioapic_low[IOAPIC_MAX_GSIS]; /* the low words we programmed */
static uint32_t irq_destination;             /* the boot CPU's APIC ID: it takes device IRQs */

static void ioapic_write(uint32_t reg, uint32_t value)
{
    ioapic[IOAPIC_REG_SELECT / 4] = reg;
    ioapic[IOAPIC_REG_WINDOW / 4] = value;
}

void apic_init(struct bootmem *bm, uint64_t ioapic_address)
{
    uint64_t base = rdmsr(MSR_APIC_BASE) & ~0xffful;
    lapic = vm_map_mmio(bm, base);
    ioapic_phys = ioapic_address;
    ioapic = vm_map_mmio(bm, ioapic_address);
    lapic_enable();
    irq_destination = lapic_id();

    ioapic[IOAPIC_REG_SELECT / 4] = 1; /* the version register: bits 16-23 the last line */
    unsigned lines = ((ioapic[IOAPIC_REG_WINDOW / 4] >> 16) & 0xff) + 1;
    for (unsigned gsi = 0; gsi < lines && gsi < IOAPIC_MAX_GSIS; gsi++)
        ioapic_route(gsi, gsi >= 16 ? IRQ_MODE_LEVEL | IRQ_MODE_ACTIVE_LOW : 0, true);
    log_info("apic: local APIC at 0x%lx, I/O APIC at 0x%lx with %u lines\n", base, ioapic_address,
             lines);
}

void lapic_enable(void)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
    lapic[LAPIC_TPR / 4] = 0;
    lapic[LAPIC_SVR / 4] = LAPIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR;
}

uint32_t lapic_id(void)
{
    return lapic[LAPIC_ID / 4] >> 24;
}

void lapic_send(uint32_t apic_id, uint32_t command)
{
    /* The ICR takes one command at a time: wait until the last one left. */
    while (lapic[LAPIC_ICR_LOW / 4] & LAPIC_ICR_PENDING)
        cpu_pause();
    lapic[LAPIC_ICR_HIGH / 4] = apic_id << 24;
    lapic[LAPIC_ICR_LOW / 4] = command; /* writing the low word sends it */
}

uint32_t lapic_timer_now(void)
{
    return lapic[LAPIC_TIMER_NOW / 4];
}

void lapic_timer_start(uint32_t count, bool periodic)
{
    lapic[LAPIC_TIMER_DIVIDE / 4] = LAPIC_DIVIDE_16;
    lapic[LAPIC_LVT_TIMER / 4] = (periodic ? LAPIC_PERIODIC : LAPIC_MASKED) | LAPIC_TIMER_VECTOR;
    lapic[LAPIC_TIMER_INIT / 4] = count;
}

void ioapic_route(unsigned gsi, unsigned mode, bool masked)
{
    uint32_t low = IRQ_VECTOR_BASE + gsi; /* fixed delivery, physical destination */
    low |= (mode & IRQ_MODE_LEVEL ? IOAPIC_LEVEL : 0) |
           (mode & IRQ_MODE_ACTIVE_LOW ? IOAPIC_ACTIVE_LOW : 0);
    if (masked)
        low |= IOAPIC_MASKED;
    ioapic_low[gsi] = low;
    ioapic_write(IOAPIC_REDIRECTION + 2 * gsi + 1, irq_destination << 24);
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

uint64_t apic_io_base(void)
{
    return ioapic_phys;
}

void lapic_eoi(void)
{
    lapic[LAPIC_EOI / 4] = 0;
}
