/*
 * The pci server's requests (lib/proto/pci.h). Listing is for anyone; everything that
 * touches a function is for the driver whose badge names it (PCI_BADGE_FUNCTION | address),
 * so each handler decodes its arguments, then checks the caller owns the function, then
 * performs.
 */
#include <string.h>

#include "pci.h"

struct pci_device *requests_device_of(uint64_t badge)
{
    if (!(badge & PCI_BADGE_FUNCTION))
        return 0;
    uint64_t address = badge & ~PCI_BADGE_FUNCTION;
    for (unsigned i = 0; i < pci_device_count; i++) {
        const struct pci_function *f = &pci_devices[i].f;
        if (PCI_ADDRESS(f->bus, f->device, f->function) == address)
            return &pci_devices[i];
    }
    return 0;
}

/* MR0, a function's address: SERVICE_BAD_ARGUMENT for one that cannot be. */
static long decode_address(struct server_call *call)
{
    if (request_word(&call->in, 0) > PCI_ADDRESS_MAX)
        return server_bad_argument(call, 0, 0, PCI_ADDRESS_MAX);
    return SERVICE_OK;
}

/* The device at the address in MR0 (decoded) if the caller is its driver; else NULL with
 *status SERVICE_DENIED: another's function, or a caller that is no driver. */
static struct pci_device *own_device(struct server_call *call, long *status)
{
    uint64_t address = request_word(&call->in, 0);
    struct pci_device *d = requests_device_of(call->badge);
    if (!d || PCI_ADDRESS(d->f.bus, d->f.device, d->f.function) != address) {
        *status = SERVICE_DENIED;
        return 0;
    }
    return d;
}

/* Offset MR1 and width MR2 of a configuration access: width 1, 2 or 4, the offset aligned
   to it and inside the space. */
static long decode_access(struct server_call *call, unsigned *offset, unsigned *width)
{
    uint64_t o = request_word(&call->in, 1), w = request_word(&call->in, 2);
    if (w != 1 && w != 2 && w != 4)
        return server_bad_argument(call, 2, 1, 4);
    if (o % w || o + w > config_size())
        return server_bad_argument(call, 1, 0, config_size() - w);
    *offset = (unsigned)o;
    *width = (unsigned)w;
    return SERVICE_OK;
}

/* A configuration access, decoded in argument order (the address MR0, offset MR1, width
   MR2), to the caller's own function: the device, or NULL with *status saying why. */
static struct pci_device *decode_config_access(struct server_call *call, unsigned *offset,
                                               unsigned *width, long *status)
{
    *status = decode_address(call);
    if (*status == SERVICE_OK)
        *status = decode_access(call, offset, width);
    return *status == SERVICE_OK ? own_device(call, status) : 0;
}

static long handle_list(struct server_call *call)
{
    uint64_t index = request_word(&call->in, 0);
    if (index >= pci_device_count)
        return SERVICE_NOT_FOUND;
    const struct pci_device *d = &pci_devices[index];
    const struct pci_function *f = &d->f;
    request_set_word(&call->out, 0, PCI_ADDRESS(f->bus, f->device, f->function));
    request_set_word(&call->out, 1, f->vendor | (uint64_t)f->device_id << 16);
    request_set_word(&call->out, 2,
                     (uint64_t)f->class_code << 16 | (uint64_t)f->subclass << 8 | f->prog_if);
    request_set_word(&call->out, 3, d->driver_pid);
    for (unsigned i = 0; i < PROTO_NAME_WORDS; i++)
        request_set_word(&call->out, 4 + i, 0);
    request_put_bytes(&call->out, 4, d->driver, strlen(d->driver));
    return SERVICE_OK;
}

static long handle_read(struct server_call *call)
{
    unsigned offset, width;
    long status;
    struct pci_device *d = decode_config_access(call, &offset, &width, &status);
    if (!d)
        return status;
    const struct pci_function *f = &d->f;
    request_set_word(&call->out, 0,
                     pci_config.read(0, f->bus, f->device, f->function, offset, width));
    return SERVICE_OK;
}

static long handle_write(struct server_call *call)
{
    unsigned offset, width;
    long status;
    struct pci_device *d = decode_config_access(call, &offset, &width, &status);
    if (!d)
        return status;
    const struct pci_function *f = &d->f;
    if (!pci_write_allowed(f, offset, width))
        return SERVICE_DENIED;
    uint32_t value = (uint32_t)request_word(&call->in, 3);
    uint32_t command = pci_config.read(0, f->bus, f->device, f->function, PCI_COMMAND, 2);
    value = pci_keep_decode(offset, width, value, command);
    pci_config.write(0, f->bus, f->device, f->function, offset, width, value);
    return SERVICE_OK;
}

static long handle_msi(struct server_call *call)
{
    uint64_t address = request_word(&call->in, 1), data = request_word(&call->in, 2);
    long status = decode_address(call);
    if (status != SERVICE_OK)
        return status;
    if ((address & ~0xff000ul) != IRQ_MSI_ADDRESS)
        return server_bad_argument(call, 1, IRQ_MSI_ADDRESS, IRQ_MSI_ADDRESS | 0xff000);
    if (data < IRQ_MSI_VECTOR_FIRST || data > IRQ_MSI_VECTOR_LAST)
        return server_bad_argument(call, 2, IRQ_MSI_VECTOR_FIRST, IRQ_MSI_VECTOR_LAST);
    struct pci_device *d = own_device(call, &status);
    if (!d)
        return status;
    /* Decoded: the address is the local APICs' window, the data one of the kernel's MSI
       vectors. */
    if (!pci_msi_enable(&pci_config, &d->f, address, (uint32_t)data))
        return SERVICE_NOT_FOUND;
    return SERVICE_OK;
}

static long handle_info(struct server_call *call)
{
    long status = decode_address(call);
    if (status != SERVICE_OK)
        return status;
    struct pci_device *d = own_device(call, &status);
    if (!d)
        return status;
    const struct pci_function *f = &d->f;
    request_set_word(&call->out, 0, f->vendor | (uint64_t)f->device_id << 16);
    request_set_word(&call->out, 1,
                     (uint64_t)f->class_code << 16 | (uint64_t)f->subclass << 8 | f->prog_if);
    request_set_word(&call->out, 2, d->irq_word);
    for (unsigned i = 0; i < PCI_BARS; i++) {
        request_set_word(&call->out, PCI_INFO_BAR_WORD + 3 * i, f->bars[i].base);
        request_set_word(&call->out, PCI_INFO_BAR_WORD + 3 * i + 1, f->bars[i].size);
        request_set_word(&call->out, PCI_INFO_BAR_WORD + 3 * i + 2, f->bars[i].flags);
    }
    return SERVICE_OK;
}

const struct server_op requests_table[] = {
    {PCI_LIST, 1, 0, 0, handle_list},          {PCI_CONFIG_READ, 3, 0, 0, handle_read},
    {PCI_CONFIG_WRITE, 4, 0, 0, handle_write}, {PCI_MSI_ENABLE, 3, 0, 0, handle_msi},
    {PCI_INFO, 1, 0, 0, handle_info},
};
const unsigned requests_count = sizeof requests_table / sizeof requests_table[0];
