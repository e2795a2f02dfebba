/*
 * Finding the CPUs and the interrupt hardware in the ACPI MADT (through the
 * pure parser in lib/acpi), and starting the application processors with
 * INIT-SIPI-SIPI through trampoline.asm. See mp.h.
 */
#include "arch/x86_64/mp.h"

#include "acpi/madt.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/vm.h"
#include "irq.h"
#include "lock.h"
#include "log.h"
#include "missive/abi.h"
#include "string.h"
#include "thread.h"

#define EFER_LMA          (1u << 10)
#define AP_STACK_SIZE     16384
#define DEFAULT_TIMER_GSI 2

extern const char smp_trampoline_start[], smp_trampoline_end[];
extern const char smp_trampoline_cr3[], smp_trampoline_cr4[], smp_trampoline_efer[];
extern const char smp_trampoline_stack[], smp_trampoline_cpu[], smp_trampoline_entry[];

/* The APs' kernel stacks (the boot CPU's is in boot.asm). */
static _Alignas(16) uint8_t ap_stacks[SMP_MAX_CPUS][AP_STACK_SIZE];

struct map_context {
    struct bootmem *bm;
    const struct bootmem *cover;
};

/* acpi_map_fn: tables in the direct map are read there; others (SeaBIOS
   keeps them in reserved memory) are mapped read-only below 4 GiB. */
static const void *map_table(void *ctx, uint64_t phys, size_t len)
{
    const struct map_context *c = ctx;
    if (len == 0 || phys + len < phys)
        return 0;
    for (unsigned i = 0; i < c->cover->count; i++)
        if (phys >= c->cover->free[i].base && phys + len <= c->cover->free[i].end)
            return phys_to_virt(phys);
    if (phys + len > (4ull << 30))
        return 0;
    return vm_map_firmware(c->bm, phys, len);
}

void mp_discover(struct bootmem *bm, const struct bootmem *cover, const struct mb2_info *info,
                 struct mp_config *out)
{
    out->cpu_count = 1;
    out->ioapic_address = IOAPIC_DEFAULT_BASE;
    out->timer_gsi = DEFAULT_TIMER_GSI;
    if (!info->rsdp) {
        log_warn("smp: no ACPI tables; one CPU, I/O APIC at 0x%lx, timer on GSI %u\n",
                 out->ioapic_address, out->timer_gsi);
        return;
    }
    static struct madt_info madt; /* 1.5 KiB: not on the kernel stack */
    struct map_context ctx = {bm, cover};
    int status = madt_parse(info->rsdp, info->rsdp_size, map_table, &ctx, &madt);
    if (status != ACPI_OK) {
        log_warn("smp: ACPI: %s; one CPU, I/O APIC at 0x%lx, timer on GSI %u\n",
                 acpi_strerror(status), out->ioapic_address, out->timer_gsi);
        return;
    }
    for (size_t i = 0; i < madt.ioapic_count; i++) {
        if (madt.ioapics[i].gsi_base == 0) { /* the one serving the ISA lines */
            out->ioapic_address = madt.ioapics[i].address;
            break;
        }
    }
    out->timer_gsi = madt_isa_gsi(&madt, 0);
    if (out->timer_gsi >= IOAPIC_MAX_GSIS) {
        log_warn("smp: ACPI puts the timer on GSI %u; using GSI %u\n", out->timer_gsi,
                 DEFAULT_TIMER_GSI);
        out->timer_gsi = DEFAULT_TIMER_GSI;
    }
    out->cpu_count = 0;
    for (size_t i = 0; i < madt.cpu_count && out->cpu_count < SMP_MAX_CPUS; i++)
        out->apic_ids[out->cpu_count++] = madt.cpus[i].apic_id;
    log_info("ACPI: MADT through the %s: %zu CPUs, %zu I/O APICs, %zu overrides; I/O APIC at "
             "0x%lx, timer on GSI %u\n",
             madt.used_xsdt ? "XSDT" : "RSDT", madt.cpu_count + madt.cpus_dropped,
             madt.ioapic_count, madt.override_count, out->ioapic_address, out->timer_gsi);
    if (madt.cpus_dropped || madt.cpu_count > SMP_MAX_CPUS)
        log_warn("smp: only %u CPUs are supported\n", SMP_MAX_CPUS);
}

/* An AP's first C code, on its own stack, still on the trampoline's page
   tables: the kernel's own tables, GDT, TSS, IDT, per-CPU data, local APIC
   and timer; then it says it is online and joins the scheduler. */
_Noreturn void mp_ap_main(struct cpu_local *cpu)
{
    /* Too late: the boot CPU gave up on this AP (a host too busy to run it
       in time) and counts without it. It must not touch the kernel. */
    uint8_t expected = 0;
    if (!__atomic_compare_exchange_n(&cpu->claimed, &expected, 1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        cpu_halt_forever();
    write_cr3(vm_kernel_root());
    unsigned id = (unsigned)(cpu - cpus);
    gdt_init(id); /* before cpu_local_attach: loading GS clears the GS base */
    cpu_local_attach(cpu, id);
    trap_load_idt();
    cpu_local_init(cpu, cpu->kernel_stack_top);
    lapic_enable();
    irq_start_local_timer();
    __atomic_store_n(&cpu->online, 1, __ATOMIC_RELEASE);
    kernel_lock();
    kernel_return_to_user(); /* nothing to run yet: it idles */
}

/* A page table for the trampoline: the kernel half of the kernel's, plus
   the first 2 MiB where they are (the trampoline runs there when paging
   comes on). Frames below 4 GiB: the AP loads CR3 in 32-bit mode. */
static uint64_t trampoline_tables(struct bootmem *bm)
{
    uint64_t pml4 = vm_zeroed_frame(bm), pdpt = vm_zeroed_frame(bm), pd = vm_zeroed_frame(bm);
    if (!pml4 || !pdpt || !pd)
        return 0;
    vm_share_kernel_half(phys_to_virt(pml4));
    ((uint64_t *)phys_to_virt(pml4))[0] = pdpt | PTE_PRESENT | PTE_WRITABLE;
    ((uint64_t *)phys_to_virt(pdpt))[0] = pd | PTE_PRESENT | PTE_WRITABLE;
    ((uint64_t *)phys_to_virt(pd))[0] = PTE_PRESENT | PTE_WRITABLE | PTE_HUGE;
    return pml4;
}

/* True if the firmware's memory map lists the trampoline page as RAM. */
static bool trampoline_page_free(const struct mb2_info *info)
{
    for (size_t i = 0; i < info->mmap_count; i++) {
        struct mb2_mmap_entry e;
        mb2_mmap_get(info, i, &e);
        if (e.type == MB2_MEM_AVAILABLE && e.base <= MP_TRAMPOLINE &&
            e.base + e.length >= MP_TRAMPOLINE + PAGE_SIZE)
            return true;
    }
    return false;
}

/* Writes a 64-bit word of the trampoline's copy at the place of label. */
static void trampoline_set(const char *label, uint64_t value)
{
    uint8_t *copy = phys_to_virt(MP_TRAMPOLINE);
    memcpy(copy + (label - smp_trampoline_start), &value, sizeof value);
}

/* Waits up to us microseconds (at most 54925) for cpu to come online. */
static bool wait_online(struct cpu_local *cpu, unsigned us)
{
    pit_wait_start(us);
    while (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE)) {
        if (pit_wait_over())
            return false;
        cpu_pause();
    }
    return true;
}

/* A start-up IPI, and a second one if the first went unheard (the sequence Intel's MP specification
   gives, after the INIT and its 10 ms), then up to half a second (a busy host may run an AP's
   virtual CPU late). If the AP has not claimed its slot by then, the boot CPU claims it: an AP
   arriving later halts at once (mp_ap_main). Once the AP has claimed it, it comes online in bounded
   time, so the wait is then unbounded. */
static bool start_ap(struct cpu_local *cpu)
{
    trampoline_set(smp_trampoline_stack, cpu->kernel_stack_top);
    trampoline_set(smp_trampoline_cpu, (uint64_t)cpu);
    for (int attempt = 0; attempt < 2; attempt++) {
        lapic_send(cpu->apic_id, LAPIC_ICR_STARTUP | (MP_TRAMPOLINE >> 12));
        if (wait_online(cpu, 200))
            return true;
    }
    for (int wait = 0; wait < 10; wait++)
        if (wait_online(cpu, 50000))
            return true;
    uint8_t expected = 0;
    if (__atomic_compare_exchange_n(&cpu->claimed, &expected, 2, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return false;
    while (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE))
        cpu_pause();
    return true;
}

/* The MP specification's 10 ms after INIT: not for Intel family 6, AMD 15 on (as Linux). */
static bool init_wait_needed(void)
{
    uint32_t v[4], s[4];
    cpuid(0, 0, v);
    cpuid(1, 0, s);
    unsigned family = ((s[0] >> 8) & 0xf) + (((s[0] >> 8) & 0xf) == 0xf ? (s[0] >> 20) & 0xff : 0);
    return !((v[1] == 0x756e6547 && family == 6) || (v[1] == 0x68747541 && family >= 0xf));
}

void mp_start_aps(struct bootmem *bm, const struct mb2_info *info, const struct mp_config *config)
{
    cpus[0].apic_id = lapic_id();
    cpus[0].online = 1;
    if (config->cpu_count <= 1)
        return;
    uint64_t tables = trampoline_page_free(info) ? trampoline_tables(bm) : 0;
    if (!tables) {
        log_warn("smp: no room for the AP start-up code; one CPU\n");
        return;
    }
    memcpy(phys_to_virt(MP_TRAMPOLINE), smp_trampoline_start,
           (size_t)(smp_trampoline_end - smp_trampoline_start));
    trampoline_set(smp_trampoline_cr3, tables);
    trampoline_set(smp_trampoline_cr4, read_cr4() & (CR4_PAE | CR4_PGE));
    trampoline_set(smp_trampoline_efer, rdmsr(MSR_EFER) & ~(uint64_t)EFER_LMA);
    trampoline_set(smp_trampoline_entry, (uint64_t)mp_ap_main);
    /* INIT only resets an AP, so all take it together and share one 10 ms wait (1 us where
       none is needed); the start-up IPIs go one AP at a time (one trampoline). */
    for (unsigned i = 0; i < config->cpu_count; i++)
        if (config->apic_ids[i] != cpus[0].apic_id)
            lapic_send(config->apic_ids[i], LAPIC_ICR_INIT);
    pit_wait_start(init_wait_needed() ? 10000 : 1);
    while (!pit_wait_over())
        cpu_pause();
    unsigned next = 1;
    for (unsigned i = 0; i < config->cpu_count && next < SMP_MAX_CPUS; i++) {
        if (config->apic_ids[i] == cpus[0].apic_id)
            continue;
        struct cpu_local *cpu = &cpus[next];
        cpu->apic_id = config->apic_ids[i];
        cpu->kernel_stack_top = (uint64_t)&ap_stacks[next][AP_STACK_SIZE];
        if (start_ap(cpu)) {
            next++;
        } else {
            /* The trampoline still holds this AP's stack and slot: were it
               reused, an AP arriving late would share them. Stop here. */
            log_warn("smp: the CPU with APIC ID %u did not start; no more CPUs are started\n",
                     cpu->apic_id);
            break;
        }
    }
    cpu_count = next;
}
