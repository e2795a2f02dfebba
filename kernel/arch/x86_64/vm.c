/*
 * Builds and installs the kernel's page tables (see vm.h). Runs once, on the
 * boot CPU, before anything else needs memory; the per-address-space page
 * tables of user processes are separate kernel objects made from Untyped.
 */
#include "arch/x86_64/vm.h"

#include <stdbool.h>

#include "arch/x86_64/cpu.h"
#include "log.h"
#include "missive/abi.h"
#include "string.h"

#define HUGE_SIZE    (2ull << 20)
#define BOOT_LIMIT   (4ull << 30)
#define KERNEL_TABLE (PTE_PRESENT | PTE_WRITABLE)
#define USER_TABLE   (PTE_PRESENT | PTE_WRITABLE | PTE_USER)

static uint64_t kernel_root;
static uint64_t table_bytes;
static uint64_t nx_bit;

extern char kernel_text_start[], kernel_text_end[];
extern char kernel_rodata_start[], kernel_rodata_end[];
extern char kernel_data_start[], kernel_data_end[];

uint64_t vm_zeroed_frame(struct bootmem *bm)
{
    uint64_t frame = bootmem_alloc(bm, BOOT_LIMIT);
    if (frame == BOOTMEM_NONE)
        return 0; /* frame 0 is never free: the first MiB is reserved */
    memset(phys_to_virt(frame), 0, PAGE_SIZE);
    return frame;
}

/* A zeroed page-table frame from the boot allocator. (Not through vm_zeroed_frame: the larger
   walk that makes would no longer be inlined into map_range, and the boot maps thousands of
   pages through it.) */
static uint64_t new_table(struct bootmem *bm)
{
    uint64_t frame = bootmem_alloc(bm, BOOT_LIMIT);
    if (frame == BOOTMEM_NONE)
        panic("vm: out of memory for kernel page tables");
    memset(phys_to_virt(frame), 0, PAGE_SIZE);
    table_bytes += PAGE_SIZE;
    return frame;
}

/* Returns the entry for va at the given level (3 = PML4 ... 0 = PT) of the
   tree rooted at root, creating intermediate tables with table_flags as
   needed (user mappings need PTE_USER at every level). */
static uint64_t *walk(struct bootmem *bm, uint64_t root, uint64_t va, int level,
                      uint64_t table_flags)
{
    uint64_t table = root;
    for (int l = 3; l > level; l--) {
        uint64_t *entry = (uint64_t *)phys_to_virt(table) + ((va >> (12 + 9 * l)) & 511);
        if (!(*entry & PTE_PRESENT))
            *entry = new_table(bm) | table_flags;
        table = *entry & PTE_ADDRESS;
    }
    return (uint64_t *)phys_to_virt(table) + ((va >> (12 + 9 * level)) & 511);
}

/* Maps [va, va+size) to [pa, pa+size) with flags, using 2 MiB pages where
   both addresses and the remaining size allow it. All page-aligned. */
static void map_range(struct bootmem *bm, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
    while (size) {
        if (!(va & (HUGE_SIZE - 1)) && !(pa & (HUGE_SIZE - 1)) && size >= HUGE_SIZE) {
            *walk(bm, kernel_root, va, 1, KERNEL_TABLE) = pa | flags | PTE_HUGE;
            va += HUGE_SIZE, pa += HUGE_SIZE, size -= HUGE_SIZE;
        } else {
            *walk(bm, kernel_root, va, 0, KERNEL_TABLE) = pa | flags;
            va += PAGE_SIZE, pa += PAGE_SIZE, size -= PAGE_SIZE;
        }
    }
}

static void map_kernel_section(struct bootmem *bm, char *start, char *end, uint64_t flags)
{
    uint64_t va = (uint64_t)start;
    map_range(bm, va, va - KERNEL_VMA, (uint64_t)(end - start), flags);
}

void vm_init(struct bootmem *bm, const struct bootmem *cover)
{
    uint32_t regs[4];
    cpuid(0x80000001, 0, regs);
    nx_bit = (regs[3] & (1u << 20)) ? PTE_NX : 0; /* boot.asm enabled EFER.NXE to match */

    kernel_root = new_table(bm);
    uint64_t data = PTE_PRESENT | PTE_WRITABLE | PTE_GLOBAL | nx_bit;
    for (unsigned i = 0; i < cover->count; i++) {
        const struct bootmem_range *r = &cover->free[i];
        map_range(bm, DIRECT_MAP_BASE + r->base, r->base, r->end - r->base, data);
    }

    map_kernel_section(bm, kernel_text_start, kernel_text_end, PTE_PRESENT | PTE_GLOBAL);
    map_kernel_section(bm, kernel_rodata_start, kernel_rodata_end,
                       PTE_PRESENT | PTE_GLOBAL | nx_bit);
    map_kernel_section(bm, kernel_data_start, kernel_data_end, data);

    write_cr4(read_cr4() | CR4_PGE);
    write_cr3(kernel_root);
}

uint64_t vm_kernel_root(void)
{
    return kernel_root;
}

uint64_t vm_table_bytes(void)
{
    return table_bytes;
}

void vm_share_kernel_half(void *pml4)
{
    const uint64_t *kernel = phys_to_virt(kernel_root);
    uint64_t *user = pml4;
    for (int i = 256; i < 512; i++)
        user[i] = kernel[i];
}

uint64_t vm_nx_bit(void)
{
    return nx_bit;
}

uint64_t vm_new_address_space(struct bootmem *bm)
{
    uint64_t root = new_table(bm);
    vm_share_kernel_half(phys_to_virt(root));
    return root;
}

void vm_map_user_page(struct bootmem *bm, uint64_t root, uint64_t va, uint64_t pa, bool writable,
                      bool executable)
{
    uint64_t flags =
        PTE_PRESENT | PTE_USER | (writable ? PTE_WRITABLE : 0) | (executable ? 0 : nx_bit);
    *walk(bm, root, va, 0, USER_TABLE) = pa | flags;
}

/* Maps the pages holding [pa, pa + len) at the next free addresses of the
   window with flags; returns pa's kernel address. */
static void *map_window(struct bootmem *bm, uint64_t pa, uint64_t len, uint64_t flags)
{
    static uint64_t next = MMIO_WINDOW;
    uint64_t first = pa & ~(PAGE_SIZE - 1);
    uint64_t va = next;
    for (uint64_t page = first; page < pa + len; page += PAGE_SIZE) {
        *walk(bm, kernel_root, next, 0, KERNEL_TABLE) = page | PTE_PRESENT | PTE_GLOBAL | flags;
        next += PAGE_SIZE;
    }
    return (void *)(va + (pa - first));
}

void *vm_map_mmio(struct bootmem *bm, uint64_t pa)
{
    return map_window(bm, pa, 1, PTE_WRITABLE | PTE_CACHE_DISABLE | PTE_WRITE_THROUGH | nx_bit);
}

void *vm_map_firmware(struct bootmem *bm, uint64_t pa, uint64_t len)
{
    return map_window(bm, pa, len, nx_bit);
}
