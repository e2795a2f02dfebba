/*
 * Kernel virtual memory: the direct map of physical memory and the kernel
 * image mapping. Layout (docs/boot.md):
 *   0xffff800000000000  direct map: physical address p is at DIRECT_MAP_BASE + p
 *   0xffffffff80000000  kernel image (text RX, rodata R, data/bss RW)
 */
#ifndef MISSIVE_ARCH_VM_H
#define MISSIVE_ARCH_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootmem.h"

#define DIRECT_MAP_BASE 0xffff800000000000ul
#define KERNEL_VMA      0xffffffff80000000ul
#define MMIO_WINDOW     0xffffffffc0000000ul /* uncached device registers, 1 GiB */

#define PTE_PRESENT       (1ull << 0)
#define PTE_WRITABLE      (1ull << 1)
#define PTE_USER          (1ull << 2)
#define PTE_WRITE_THROUGH (1ull << 3)
#define PTE_CACHE_DISABLE (1ull << 4)
#define PTE_HUGE          (1ull << 7)
#define PTE_GLOBAL        (1ull << 8)
#define PTE_NX            (1ull << 63)
#define PTE_ADDRESS       0x000ffffffffff000ull /* the bits of the physical address */

static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)(DIRECT_MAP_BASE + phys);
}

/* The physical address of a direct-map address. */
static inline uint64_t virt_to_phys(const void *virt)
{
    return (uint64_t)virt - DIRECT_MAP_BASE;
}

/* Builds the kernel's page tables from frames of bm: the direct map over each free range of cover
   (a bootmem used as a sorted, disjoint set of physical ranges; 2 MiB pages where alignment allows)
   and the kernel image with per-section permissions; then switches to them, dropping the boot
   identity map. Needs: boot page tables active, every frame bm hands out below 4 GiB (the boot
   direct map's reach). Panics if bm runs dry. */
void vm_init(struct bootmem *bm, const struct bootmem *cover);

/* Physical address of the kernel's top-level page table. */
uint64_t vm_kernel_root(void);

/* Bytes of page tables vm_init allocated, for the boot report. */
uint64_t vm_table_bytes(void);

/* Maps the 4 KiB page of device registers holding pa, uncached, at the next free address of the
   MMIO window and returns pa's kernel address. Boot time only (tables from bm); the window is in
   the kernel's top PML4 slot, which every address space shares. */
void *vm_map_mmio(struct bootmem *bm, uint64_t pa);

/* Maps [pa, pa + len) read-only (firmware tables outside the direct map)
   in the same window and returns pa's kernel address. Boot time only. */
void *vm_map_firmware(struct bootmem *bm, uint64_t pa, uint64_t len);

/* First address above user space (the canonical hole starts here). */
#define USER_SPACE_END 0x0000800000000000ul

/* Copies the kernel half of the kernel's top-level table into the table at
   pml4 (a direct-map address), so a new address space shares the kernel. */
void vm_share_kernel_half(void *pml4);

/* PTE_NX when the CPU has NX, else 0. */
uint64_t vm_nx_bit(void);

/* A zeroed frame below 4 GiB (where the boot direct map and 32-bit code
   reach) from the boot allocator, or 0 when it has none. */
uint64_t vm_zeroed_frame(struct bootmem *bm);

/* A new, empty user address space: a top-level table sharing the kernel
   half of the kernel's. Returns its physical address. Boot-time only (it
   allocates from bm); the capability kernel builds them from Untyped. */
uint64_t vm_new_address_space(struct bootmem *bm);

/* Maps the 4 KiB frame pa at user address va (page-aligned, below
   USER_SPACE_END) in the space at root, read-only unless writable, NX unless
   executable. Boot-time only, like vm_new_address_space. */
void vm_map_user_page(struct bootmem *bm, uint64_t root, uint64_t va, uint64_t pa, bool writable,
                      bool executable);

#endif
