/*
 * What PCI drivers share. See pci_driver.h.
 */
#include "libsys/pci_driver.h"

#include "libsys/service.h"

#include "proto/pci.h"

#define PCI_COMMAND          0x04
#define PCI_COMMAND_MEMORY   0x2
#define PCI_COMMAND_MASTER   0x4
#define PCI_COMMAND_INTX_OFF 0x400

struct pci_driver_grants pci_driver_find_grants(const struct proc_info *info, unsigned bar_index)
{
    struct pci_driver_grants g = {.gsi = ~0ull};
    for (unsigned i = 0; info && i < info->grant_count && i < PROC_MAX_GRANTS; i++) {
        const struct proc_grant *e = &info->grants[i];
        if (e->kind == PROC_GRANT_PCI) {
            g.pci = e->slot;
            g.address = e->arg;
        } else if (e->kind == PROC_GRANT_PCI_MEMORY && (e->arg2 & 0xfff) == bar_index) {
            g.bar = (volatile uint32_t *)e->arg;
            g.bar_bytes = e->arg2 & ~0xfffull;
        } else if (e->kind == PROC_GRANT_MSI) {
            g.handler = e->slot;
            g.msi = true;
            g.msi_address = e->arg;
            g.msi_data = e->arg2;
        } else if (e->kind == PROC_GRANT_IRQ) {
            g.handler = e->slot;
            g.gsi = e->arg;
        } else if (e->kind == PROC_GRANT_MSIX_VECTOR && g.extra_vectors < PROC_MSIX_VECTORS - 1) {
            g.extra[g.extra_vectors++] = (struct pci_driver_vector){e->slot, e->arg, e->arg2};
        } else if (e->kind == PROC_GRANT_NOTIFICATION) {
            g.notification = e->slot;
        }
    }
    return g;
}

struct result pci_driver_call(uint64_t endpoint, uint64_t label, const uint64_t *words,
                              unsigned count, uint64_t *answer)
{
    struct request r = {.label = label};
    for (unsigned i = 0; i < count; i++)
        request_set_word(&r, i, words[i]);
    struct result e = request_result(request_call(endpoint, &r, 0, 0, 0), &r);
    if (answer && result_is_ok(e))
        *answer = request_word(&r, 0);
    return e;
}

bool pci_driver_config_read(const struct pci_driver_grants *g, unsigned offset, unsigned width,
                            uint64_t *value)
{
    return result_is_ok(pci_driver_call(g->pci, PCI_CONFIG_READ,
                                        (uint64_t[]){g->address, offset, width}, 3, value));
}

bool pci_driver_config_write(const struct pci_driver_grants *g, unsigned offset, unsigned width,
                             uint64_t value)
{
    return result_is_ok(pci_driver_call(g->pci, PCI_CONFIG_WRITE,
                                        (uint64_t[]){g->address, offset, width, value}, 4, 0));
}

bool pci_driver_enable_bus_master(const struct pci_driver_grants *g, bool intx_off)
{
    /* A swap's new instance waits here until the old one has ended (PROC_TAKE_OVER): every
       driver enables bus mastering before it touches its device, so none can reset a device
       another instance still drives, whether or not it knows of swaps. */
    if (!result_is_ok(proc_take_over()))
        return false;
    uint64_t command = 0;
    if (!pci_driver_config_read(g, PCI_COMMAND, 2, &command))
        return false;
    command |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    if (intx_off)
        command |= PCI_COMMAND_INTX_OFF;
    return pci_driver_config_write(g, PCI_COMMAND, 2, command);
}
