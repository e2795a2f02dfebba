/*
 * kmain: the boot CPU's path from boot.asm to a running kernel. Reads this
 * file top to bottom to see the boot order; docs/boot.md explains it.
 */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/mp.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/vm.h"
#include "bootmem.h"
#include "fastpath.h"
#include "initrd.h"
#include "irq.h"
#include "lock.h"
#include "log.h"
#include "mb2/mb2.h"
#include "object.h"
#include "options.h"
#include "root_task.h"
#include "sched.h"
#include "serial.h"
#include "thread.h"

#define MIB (1024ull * 1024)

extern char kernel_phys_start[], kernel_phys_end[];
extern char boot_stack_high_top[];

void kmain(uint32_t magic, uint64_t mbi_phys);

static struct bootmem boot_memory;
static struct bootmem direct_map_cover;

/* Masks both legacy 8259 PICs: interrupts come through the IOAPIC, and a
   stray PIC interrupt would otherwise land on an exception vector. */
static void mask_legacy_pic(void)
{
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

/* Logs the memory map and feeds it to the boot allocator and to the set of
   ranges the direct map covers. */
static void take_memory_map(const struct mb2_info *info)
{
    bootmem_init(&boot_memory);
    bootmem_init(&direct_map_cover);
    bootmem_add(&direct_map_cover, 0, MIB); /* BIOS data, EBDA, the legacy RSDP */
    log_info("memory map (%zu entries):\n", info->mmap_count);
    for (size_t i = 0; i < info->mmap_count; i++) {
        struct mb2_mmap_entry e;
        mb2_mmap_get(info, i, &e);
        log_info("  0x%016lx-0x%016lx %s\n", e.base, e.base + e.length - 1,
                 mb2_mmap_type_name(e.type));
        if (e.type == MB2_MEM_AVAILABLE)
            bootmem_add(&boot_memory, e.base, e.length);
        if (e.type == MB2_MEM_AVAILABLE || e.type == MB2_MEM_ACPI_RECLAIMABLE ||
            e.type == MB2_MEM_NVS)
            bootmem_add(&direct_map_cover, e.base, e.length);
    }
    if (boot_memory.total == 0)
        panic("boot: the memory map lists no usable RAM");
}

/* Withholds from the boot allocator everything that is in use already. */
static void reserve_boot_memory(const struct mb2_info *info, uint64_t mbi_phys)
{
    bootmem_reserve(&boot_memory, 0, MIB);
    bootmem_reserve(&boot_memory, (uint64_t)kernel_phys_start,
                    (uint64_t)(kernel_phys_end - kernel_phys_start));
    bootmem_reserve(&boot_memory, mbi_phys, info->total_size);
    for (size_t i = 0; i < info->module_count; i++)
        bootmem_reserve(&boot_memory, info->modules[i].start,
                        info->modules[i].end - info->modules[i].start);
    if (boot_memory.lost)
        log_warn("boot: %lu bytes of RAM unusable (memory map too fragmented)\n", boot_memory.lost);
}

/* Writes and reads back the last word of the highest RAM page, and of the first page above 4 GiB if
   there is RAM there, through the direct map: proof that the direct map reaches all of memory. */
static void check_direct_map(void)
{
    const struct bootmem_range *top = &direct_map_cover.free[direct_map_cover.count - 1];
    uint64_t pages[2] = {top->end - PAGE_SIZE, 0};
    for (unsigned i = 0; i < direct_map_cover.count; i++) {
        const struct bootmem_range *r = &direct_map_cover.free[i];
        if (r->end > (4ull << 30)) {
            pages[1] = r->base > (4ull << 30) ? r->base : 4ull << 30;
            break;
        }
    }
    for (int i = 0; i < 2 && pages[i]; i++) { /* pages[0], the top page, is never 0 */
        volatile uint64_t *word = (volatile uint64_t *)phys_to_virt(pages[i] + 4088);
        uint64_t saved = *word;
        *word = 0x4d69737369766521ull ^ pages[i];
        if (*word != (0x4d69737369766521ull ^ pages[i]))
            panic("vm: direct map check failed at physical 0x%lx", pages[i]);
        *word = saved;
    }
    log_info("direct map: %u ranges up to 0x%lx at 0x%lx; checked 0x%lx%s", direct_map_cover.count,
             top->end, DIRECT_MAP_BASE, pages[0], pages[1] ? " and " : "\n");
    if (pages[1])
        log_info("0x%lx (above 4 GiB)\n", pages[1]);
}

static void report_memory(void)
{
    kprintf("memory: %lu KiB usable, %lu KiB reserved (kernel, boot data), "
            "%lu KiB used by the boot allocator, %lu KiB free\n",
            boot_memory.total / 1024, boot_memory.reserved / 1024, boot_memory.used / 1024,
            bootmem_free_bytes(&boot_memory) / 1024);
}

/* Reports the framebuffer and ACPI root pointer GRUB passed; the drivers
   that use them live in user space. */
static void report_firmware(const struct mb2_info *info)
{
    if (info->has_framebuffer) {
        const struct mb2_framebuffer *fb = &info->framebuffer;
        static const char *const types[] = {"indexed", "RGB", "EGA text"}; /* by mb2 type */
        log_info("framebuffer: %ux%u, %u bpp, pitch %u, type %s, at 0x%lx\n", fb->width, fb->height,
                 fb->bpp, fb->pitch, types[fb->type < 3 ? fb->type : 0], fb->addr);
    } else {
        log_info("framebuffer: none\n");
    }
    if (info->rsdp) {
        const char *r = info->rsdp;
        log_info("ACPI: RSDP revision %u (%s tag), OEM '%.6s'\n", (unsigned)(uint8_t)r[15],
                 info->rsdp_version == 2 ? "new" : "old", r + 9);
    } else {
        log_warn("ACPI: the boot loader passed no RSDP\n");
    }
    if (info->has_efi64)
        log_info("firmware: UEFI (system table at 0x%lx)\n", info->efi64_system_table);
    else
        log_info("firmware: BIOS\n");
}

/* The boot banner's CPU line: how many, their APIC IDs, and the TSC (under
   -icount shift=0, instructions) from kmain's start to all of them online. */
static void report_cpus(uint64_t tsc_at_entry)
{
    kprintf("smp: %u CPU%s online (APIC IDs", cpu_count, cpu_count == 1 ? "" : "s");
    for (unsigned i = 0; i < cpu_count; i++)
        kprintf(" %u", cpus[i].apic_id);
    kprintf("), all up %lu after kernel entry\n", rdtsc() - tsc_at_entry);
}

/* Faults on purpose (crash= option), so tests can see the panic report. */
static void crash(enum crash_kind kind)
{
    volatile int zero = 0, one = 1; /* volatile: the compiler cannot fold the faults away */
    switch (kind) {
    case CRASH_NONE:
        return;
    case CRASH_PAGE_FAULT:
        kprintf("crash: writing to unmapped address 0xdead000\n");
        *(volatile uint64_t *)0xdead000 = 1;
        break;
    case CRASH_DOUBLE_FAULT:
        kprintf("crash: pushing onto an unmapped stack\n");
        cpu_fault_on_bad_stack();
        break;
    case CRASH_DIVIDE:
        kprintf("crash: dividing by zero\n");
        zero = one / zero;
        break;
    case CRASH_INVALID_OPCODE:
        kprintf("crash: executing ud2\n");
        __builtin_trap(); /* GCC emits ud2 for it on x86 */
        break;
    case CRASH_GENERAL_PROTECTION:
        kprintf("crash: reading a non-canonical address\n");
        zero = *(volatile int *)0x8000000000000000ull;
        break;
    case CRASH_WRITE_TEXT:
        /* Proves kernel text is mapped read-only (and CR0.WP holds in ring 0). */
        kprintf("crash: writing to kernel text at %p\n", (void *)kmain);
        *(volatile uint8_t *)(uintptr_t)kmain = 0xc3;
        break;
    case CRASH_EXECUTE_DATA: {
        /* Proves kernel data is mapped no-execute: a ret instruction in .data. */
        static uint8_t data_code[1] = {0xc3};
        kprintf("crash: executing kernel data at %p\n", (void *)data_code);
        ((void (*)(void))(uintptr_t)data_code)();
        break;
    }
    case CRASH_LOCK_TWICE:
        /* Proves the debug build's lock check: kmain holds the kernel lock here. */
        kprintf("crash: taking the kernel lock again\n");
        kernel_lock();
        break;
    case CRASH_BREAKPOINT:
        kprintf("crash: int3\n");
        cpu_breakpoint();
        break;
    }
    panic("crash: the fault did not happen");
}

void kmain(uint32_t magic, uint64_t mbi_phys)
{
    /* Under QEMU's -icount shift=0 the TSC counts instructions, so these two
       readings give the firmware+GRUB and the kernel's own boot cost. */
    uint64_t tsc_at_entry = rdtsc();
    serial_init();
    gdt_init(0); /* before cpu_local_attach: loading GS clears the GS base */
    cpu_local_attach(&cpus[0], 0);
    trap_init();
    mask_legacy_pic();
    kprintf("\nMissive " MISSIVE_VERSION " booting\n");

    if (magic != MB2_BOOTLOADER_MAGIC)
        panic("boot: bad Multiboot2 magic 0x%x", magic);
    /* The boot direct map reaches the first 4 GiB, where GRUB puts the MBI. */
    uint64_t limit = (4ull << 30) - mbi_phys;
    struct mb2_info info;
    int status = mb2_parse(phys_to_virt(mbi_phys), limit < MIB ? limit : MIB, &info);
    if (status != MB2_OK)
        panic("boot: malformed Multiboot2 information: %s at offset %zu", mb2_strerror(status),
              info.error_offset);

    struct boot_options options;
    options_parse(info.cmdline, &options);
    log_info("boot loader: %s\n", info.bootloader_name ? info.bootloader_name : "unknown");
    log_info("command line: '%s'\n", info.cmdline ? info.cmdline : "");

    take_memory_map(&info);
    reserve_boot_memory(&info, mbi_phys);
    vm_init(&boot_memory, &direct_map_cover);
    check_direct_map();
    log_info("kernel page tables: %lu KiB\n", vm_table_bytes() / 1024);
    report_memory();
    report_firmware(&info);

    struct initrd initrd;
    initrd_init(&info, &initrd);

    struct mp_config mp;
    mp_discover(&boot_memory, &direct_map_cover, &info, &mp);
    cpu_local_init(&cpus[0], (uint64_t)boot_stack_high_top);
    fastpath_set_traced(false); /* now that the FPU switch is known */
    /* From here to the first exit to user mode the boot CPU holds the
       kernel lock; the APs wait for it once online. */
    kernel_lock();
    irq_init(&boot_memory, sched_hz, mp.ioapic_address, mp.timer_gsi);
    mp_start_aps(&boot_memory, &info, &mp);
    report_cpus(tsc_at_entry);
    object_init_hooks();
    root_task_create(&boot_memory, &info, &initrd, options.init, options.init_args);

    crash(options.crash);
    uint64_t tsc_now = rdtsc();
    kprintf("Missive: boot complete (tsc %lu, %lu in the kernel)\n", tsc_now,
            tsc_now - tsc_at_entry);
    kernel_return_to_user();
}
