/*
 * PCI enumeration; see pci.h. Every loop here is bounded by the hardware's
 * sizes (256 buses, 32 devices, 8 functions, 6 BARs, 48 capabilities), never
 * by what a device answers.
 */
#include "pci/pci.h"

#define MAX_BUSES        256
#define MAX_CAPABILITIES 48 /* (256 - 64) / 4: every entry in its own dword */

static uint32_t config_read(const struct pci_access *a, const struct pci_function *f,
                            unsigned offset, unsigned width)
{
    return a->read(a->context, f->bus, f->device, f->function, offset, width);
}

static void config_write(const struct pci_access *a, const struct pci_function *f, unsigned offset,
                         unsigned width, uint32_t value)
{
    a->write(a->context, f->bus, f->device, f->function, offset, width, value);
}

unsigned pci_swizzle(unsigned device, unsigned pin)
{
    return pin >= 1 && pin <= 4 ? ((pin - 1 + device) % 4) + 1 : 0;
}

/* Sizes one BAR register at offset: writes all ones, reads the mask, puts the value back. */
static uint32_t bar_mask(const struct pci_access *a, const struct pci_function *f, unsigned offset,
                         uint32_t original)
{
    config_write(a, f, offset, 4, 0xffffffffu);
    uint32_t mask = config_read(a, f, offset, 4);
    config_write(a, f, offset, 4, original);
    return mask;
}

void pci_size_bars(const struct pci_access *a, struct pci_function *f)
{
    unsigned count = f->header_type == 0 ? 6 : f->header_type == 1 ? 2 : 0;
    for (unsigned i = 0; i < PCI_BARS; i++)
        f->bars[i] = (struct pci_bar){0, 0, 0};
    if (!count)
        return;
    /* Decode off while a BAR holds all ones: it would claim addresses it does not own. */
    uint32_t command = config_read(a, f, PCI_COMMAND, 2);
    config_write(a, f, PCI_COMMAND, 2, command & ~(uint32_t)(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
    for (unsigned i = 0; i < count; i++) {
        unsigned offset = PCI_BAR0 + 4 * i;
        uint32_t original = config_read(a, f, offset, 4);
        uint32_t mask = bar_mask(a, f, offset, original);
        struct pci_bar *bar = &f->bars[i];
        if (original & 1) {
            /* I/O: 16 bits of address on x86 when the upper half reads 0. */
            uint32_t bits = mask & ~3u;
            if (!(bits & 0xffff0000u))
                bits |= 0xffff0000u;
            if (mask & ~3u) {
                *bar = (struct pci_bar){original & ~3u, (uint32_t)(~bits + 1), PCI_BAR_IO};
            }
        } else if (((original >> 1) & 3) == 2 && i + 1 < count) {
            uint32_t upper = config_read(a, f, offset + 4, 4);
            uint32_t upper_mask = bar_mask(a, f, offset + 4, upper);
            uint64_t bits = (uint64_t)upper_mask << 32 | (mask & ~0xfu);
            if (bits)
                *bar = (struct pci_bar){(uint64_t)upper << 32 | (original & ~0xfu), ~bits + 1,
                                        PCI_BAR_64 | (original & 8 ? PCI_BAR_PREFETCH : 0)};
            i++; /* the upper half is not a BAR of its own */
        } else if (mask & ~0xfu) {
            *bar = (struct pci_bar){original & ~0xfu, (uint32_t)(~(mask & ~0xfu) + 1),
                                    original & 8 ? PCI_BAR_PREFETCH : 0};
        }
    }
    config_write(a, f, PCI_COMMAND, 2, command);
}

unsigned pci_read_capabilities(const struct pci_access *a, struct pci_function *f)
{
    f->cap_msi = f->cap_msix = f->cap_pcie = f->cap_pm = 0;
    if (!(config_read(a, f, PCI_STATUS, 2) & PCI_STATUS_CAPABILITIES))
        return 0;
    unsigned at = config_read(a, f, PCI_CAPABILITIES, 1) & 0xfc, n = 0;
    for (; at >= 0x40 && n < MAX_CAPABILITIES; n++) {
        unsigned id = config_read(a, f, at, 1);
        if (id == PCI_CAP_MSI && !f->cap_msi)
            f->cap_msi = (uint8_t)at;
        else if (id == PCI_CAP_MSIX && !f->cap_msix)
            f->cap_msix = (uint8_t)at;
        else if (id == PCI_CAP_PCIE && !f->cap_pcie)
            f->cap_pcie = (uint8_t)at;
        else if (id == PCI_CAP_PM && !f->cap_pm)
            f->cap_pm = (uint8_t)at;
        at = config_read(a, f, at + 1, 1) & 0xfc;
    }
    return n;
}

bool pci_write_allowed(const struct pci_function *f, unsigned offset, unsigned width)
{
    unsigned end = offset + width;
    bool placement =
        f->header_type == 1 ? offset < 0x30 && end > 0x10 : offset < 0x28 && end > 0x10;
    unsigned rom = f->header_type == 1 ? 0x38 : PCI_ROM_BAR;
    bool rom_bar = offset < rom + 4 && end > rom;
    bool pointer = offset <= PCI_CAPABILITIES && end > PCI_CAPABILITIES;
    return !placement && !rom_bar && !pointer;
}

uint32_t pci_keep_decode(unsigned offset, unsigned width, uint32_t value, uint32_t command)
{
    if (offset > PCI_COMMAND || offset + width <= PCI_COMMAND)
        return value;
    unsigned shift = 8 * (PCI_COMMAND - offset);
    uint32_t decode = (uint32_t)(PCI_COMMAND_IO | PCI_COMMAND_MEMORY) << shift;
    return (value & ~decode) | ((command << shift) & decode);
}

bool pci_msi_enable(const struct pci_access *a, const struct pci_function *f, uint64_t address,
                    uint32_t data)
{
    unsigned cap = f->cap_msi;
    if (!cap)
        return false;
    uint32_t control = config_read(a, f, cap + 2, 2);
    bool wide = control & 0x80, maskable = control & 0x100;
    config_write(a, f, cap + 4, 4, (uint32_t)address);
    if (wide)
        config_write(a, f, cap + 8, 4, (uint32_t)(address >> 32));
    config_write(a, f, cap + (wide ? 12 : 8), 2, data);
    if (maskable)
        config_write(a, f, cap + (wide ? 16 : 12), 4, 0);
    /* One message (multiple message enable 0), enabled. */
    config_write(a, f, cap + 2, 2, (control & ~0x70u) | 1);
    config_write(a, f, PCI_COMMAND, 2, config_read(a, f, PCI_COMMAND, 2) | PCI_COMMAND_INTX_OFF);
    return true;
}

/* Reads one present function's header into f (bus, device, function set). */
static void read_function(const struct pci_access *a, struct pci_function *f, int bridge,
                          const struct pci_function *list)
{
    uint32_t id = config_read(a, f, PCI_VENDOR, 4);
    uint32_t class_word = config_read(a, f, PCI_REVISION, 4);
    f->vendor = (uint16_t)id;
    f->device_id = (uint16_t)(id >> 16);
    f->revision = (uint8_t)class_word;
    f->prog_if = (uint8_t)(class_word >> 8);
    f->subclass = (uint8_t)(class_word >> 16);
    f->class_code = (uint8_t)(class_word >> 24);
    f->header_type = config_read(a, f, PCI_HEADER_TYPE, 1) & 0x7f;
    f->interrupt_pin = (uint8_t)config_read(a, f, PCI_INTERRUPT_PIN, 1);
    if (f->interrupt_pin > 4)
        f->interrupt_pin = 0;
    f->secondary_bus = f->header_type == 1 ? (uint8_t)config_read(a, f, PCI_SECONDARY_BUS, 1) : 0;
    f->bridge = (int16_t)bridge;
    /* Up the bridges to bus 0: each turns the pin by the device number below it. */
    unsigned device = f->device, pin = f->interrupt_pin;
    for (int up = bridge, hops = 0; up >= 0 && hops < MAX_BUSES; up = list[up].bridge, hops++) {
        pin = pci_swizzle(device, pin);
        device = list[up].device;
    }
    f->root_device = (uint8_t)device;
    f->root_pin = (uint8_t)pin;
    pci_size_bars(a, f);
    pci_read_capabilities(a, f);
}

enum pci_scan_status pci_scan(const struct pci_access *a, struct pci_function *out, unsigned max,
                              unsigned *count)
{
    /* Buses to walk, in the order found, with the bridge each hangs from. */
    uint8_t queue[MAX_BUSES];
    int16_t queue_bridge[MAX_BUSES];
    bool seen[MAX_BUSES] = {false};
    unsigned head = 0, tail = 0;
    queue[tail] = 0;
    queue_bridge[tail++] = -1;
    seen[0] = true;
    *count = 0;
    while (head < tail) {
        unsigned bus = queue[head];
        int bridge = queue_bridge[head++];
        for (unsigned device = 0; device < 32; device++) {
            for (unsigned function = 0; function < 8; function++) {
                struct pci_function probe = {
                    .bus = (uint8_t)bus, .device = (uint8_t)device, .function = (uint8_t)function};
                uint32_t vendor = config_read(a, &probe, PCI_VENDOR, 2);
                if (vendor == 0xffff || vendor == 0) {
                    if (function == 0)
                        break; /* no device: no other function either */
                    continue;
                }
                if (*count == max)
                    return PCI_SCAN_FULL;
                struct pci_function *f = &out[(*count)++];
                *f = probe;
                read_function(a, f, bridge, out);
                if (f->header_type == 1 && !seen[f->secondary_bus] && f->secondary_bus) {
                    seen[f->secondary_bus] = true;
                    queue[tail] = f->secondary_bus;
                    queue_bridge[tail++] = (int16_t)(f - out);
                }
                if (function == 0 && !(config_read(a, f, PCI_HEADER_TYPE, 1) & 0x80))
                    break; /* a single-function device */
            }
        }
    }
    return PCI_SCAN_OK;
}

const char *pci_class_name(unsigned class_code, unsigned subclass)
{
    static const struct {
        uint8_t class_code, subclass;
        const char *name;
    } names[] = {
        {0x00, 0x00, "Non-VGA unclassified device"},
        {0x00, 0x01, "VGA compatible unclassified device"},
        {0x01, 0x00, "SCSI storage controller"},
        {0x01, 0x01, "IDE interface"},
        {0x01, 0x05, "ATA controller"},
        {0x01, 0x06, "SATA controller"},
        {0x01, 0x07, "Serial Attached SCSI controller"},
        {0x01, 0x08, "Non-Volatile memory controller"},
        {0x02, 0x00, "Ethernet controller"},
        {0x03, 0x00, "VGA compatible controller"},
        {0x03, 0x80, "Display controller"},
        {0x04, 0x01, "Multimedia audio controller"},
        {0x04, 0x03, "Audio device"},
        {0x05, 0x00, "RAM memory"},
        {0x06, 0x00, "Host bridge"},
        {0x06, 0x01, "ISA bridge"},
        {0x06, 0x04, "PCI bridge"},
        {0x06, 0x80, "Bridge"},
        {0x07, 0x00, "Serial controller"},
        {0x08, 0x80, "System peripheral"},
        {0x0c, 0x03, "USB controller"},
        {0x0c, 0x05, "SMBus"},
        {0x00, 0xff, "Unclassified device"},
        {0x01, 0xff, "Mass storage controller"},
        {0x02, 0xff, "Network controller"},
        {0x03, 0xff, "Display controller"},
        {0x04, 0xff, "Multimedia controller"},
        {0x05, 0xff, "Memory controller"},
        {0x06, 0xff, "Bridge"},
        {0x07, 0xff, "Communication controller"},
        {0x08, 0xff, "Generic system peripheral"},
        {0x09, 0xff, "Input device controller"},
        {0x0c, 0xff, "Serial bus controller"},
        {0x0d, 0xff, "Wireless controller"},
        {0xff, 0xff, "Unassigned class"},
    };
    /* An exact match first, then the class's own name (subclass 0xff in the table). */
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
            if (names[i].class_code == class_code &&
                (pass ? names[i].subclass == 0xff : names[i].subclass == subclass))
                return names[i].name;
    return "unknown";
}
