/*
 * Device memory for drivers (the manifest's mmio=). The kernel hands
 * procsrv device memory as Untyped blocks; a page in the middle of one is
 * reached by splitting the block in halves down to 4 KiB, as a buddy
 * allocator would, and the frame is kept: each driver that is granted it
 * gets a copy, so a restarted driver gets the same page again.
 */
#include "procsrv.h"

#define MAX_NODES 4096 /* a PCI driver's 1 MiB BAR alone splits into 512 */

struct device_node {
    uint64_t phys, slot;
    unsigned bits;
    bool split;     /* its two halves are nodes too */
    uint64_t frame; /* bits == 12: the frame made from it */
};

static struct device_node nodes[MAX_NODES];
static unsigned node_count;

static int node_find(uint64_t phys, unsigned bits)
{
    for (unsigned i = 0; i < node_count; i++)
        if (nodes[i].phys == phys && nodes[i].bits == bits)
            return (int)i;
    return -1;
}

static int node_add(uint64_t phys, unsigned bits, uint64_t slot)
{
    if (node_count == MAX_NODES)
        return -1;
    nodes[node_count] = (struct device_node){phys, slot, bits, false, 0};
    return (int)node_count++;
}

/* The boot device Untyped holding phys, as a node (made on first use). */
static int device_root(uint64_t phys)
{
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    for (uint64_t i = 0; i < boot->untyped_count; i++) {
        const struct boot_info_untyped *u = &boot->untyped[i];
        if (u->device && phys >= u->phys && phys - u->phys < (1ull << u->size_bits)) {
            int n = node_find(u->phys, u->size_bits);
            return n >= 0 ? n : node_add(u->phys, u->size_bits, boot->untyped_first + i);
        }
    }
    return -1;
}

uint64_t devices_frame(uint64_t phys)
{
    int n = device_root(phys);
    while (n >= 0 && nodes[n].bits > 12) {
        unsigned half = nodes[n].bits - 1;
        uint64_t upper = nodes[n].phys + (1ull << half);
        if (!nodes[n].split) {
            /* Two retypes of one half each: the first gets the lower half. */
            uint64_t lower = slot_alloc(), higher = slot_alloc();
            if (!lower || !higher ||
                untyped_retype(nodes[n].slot, CAP_UNTYPED, half, lower, 1) != ERR_OK ||
                untyped_retype(nodes[n].slot, CAP_UNTYPED, half, higher, 1) != ERR_OK) {
                slot_release(lower);
                slot_release(higher);
                return 0;
            }
            nodes[n].split = true;
            if (node_add(nodes[n].phys, half, lower) < 0 || node_add(upper, half, higher) < 0)
                return 0;
        }
        n = node_find(phys >= upper ? upper : nodes[n].phys, half);
    }
    if (n < 0)
        return 0;
    if (!nodes[n].frame) {
        uint64_t frame = slot_alloc();
        if (!frame ||
            untyped_retype(nodes[n].slot, CAP_FRAME, FRAME_SMALL_BITS, frame, 1) != ERR_OK) {
            slot_free(frame);
            return 0;
        }
        nodes[n].frame = frame;
    }
    return nodes[n].frame;
}
