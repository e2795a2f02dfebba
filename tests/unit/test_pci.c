/*
 * Host unit tests for lib/pci: enumeration over a made-up configuration space with a
 * multi-function device, a bridge and a device behind it, 32- and 64-bit memory BARs, an I/O
 * BAR, a capability list that loops, and a bridge that names a bus seen before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "pci/pci.h"

/* One function: its 256 bytes, and for each BAR register the bits that stick (its size). */
struct fake_function {
    bool present;
    uint8_t config[256];
    uint32_t bar_mask[6];
    unsigned writes_with_decode_on; /* BAR writes while memory or I/O decode was on */
};

static struct fake_function space[4][32][8];
static unsigned reads;

static struct fake_function *at(unsigned bus, unsigned device, unsigned function)
{
    return bus < 4 ? &space[bus][device][function] : 0;
}

static uint32_t fake_read(void *context, unsigned bus, unsigned device, unsigned function,
                          unsigned offset, unsigned width)
{
    (void)context;
    reads++;
    struct fake_function *f = at(bus, device, function);
    if (!f || !f->present)
        return width == 4 ? 0xffffffffu : width == 2 ? 0xffff : 0xff;
    uint32_t value = 0;
    memcpy(&value, &f->config[offset], width);
    return value;
}

static void fake_write(void *context, unsigned bus, unsigned device, unsigned function,
                       unsigned offset, unsigned width, uint32_t value)
{
    (void)context;
    struct fake_function *f = at(bus, device, function);
    if (!f || !f->present)
        return;
    if (offset >= PCI_BAR0 && offset < PCI_BAR0 + 24 && width == 4) {
        unsigned i = (offset - PCI_BAR0) / 4;
        uint32_t old;
        memcpy(&old, &f->config[offset], 4);
        if (f->config[PCI_COMMAND] & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
            f->writes_with_decode_on++;
        /* The type bits are read-only; the address bits keep what the size allows. */
        uint32_t type_bits = old & ((old & 1) ? 3u : 0xfu);
        value = (value & f->bar_mask[i]) | type_bits;
    }
    memcpy(&f->config[offset], &value, width);
}

static const struct pci_access access = {fake_read, fake_write, 0};

static struct fake_function *add(unsigned bus, unsigned device, unsigned function, uint16_t vendor,
                                 uint16_t id, uint32_t class_word, uint8_t header_type)
{
    struct fake_function *f = at(bus, device, function);
    memset(f, 0, sizeof *f);
    f->present = true;
    memcpy(&f->config[PCI_VENDOR], &vendor, 2);
    memcpy(&f->config[PCI_DEVICE_ID], &id, 2);
    memcpy(&f->config[PCI_REVISION], &class_word, 4);
    f->config[PCI_HEADER_TYPE] = header_type;
    f->config[PCI_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEMORY;
    return f;
}

static void set_bar(struct fake_function *f, unsigned i, uint32_t value, uint32_t mask)
{
    memcpy(&f->config[PCI_BAR0 + 4 * i], &value, 4);
    f->bar_mask[i] = mask;
}

static void add_capability(struct fake_function *f, unsigned offset, unsigned id, unsigned next)
{
    f->config[PCI_STATUS] |= PCI_STATUS_CAPABILITIES;
    if (!f->config[PCI_CAPABILITIES])
        f->config[PCI_CAPABILITIES] = (uint8_t)offset;
    f->config[offset] = (uint8_t)id;
    f->config[offset + 1] = (uint8_t)next;
}

/* Bus 0: a host bridge (0.0), a multi-function device (3.0, 3.2), a bridge (5.0) to bus 1;
   bus 1: the edu-like device 2.0 with a 64-bit BAR, an I/O BAR and INTA, and a second bridge
   that claims bus 1 again (a loop). */
static void build(void)
{
    memset(space, 0, sizeof space);
    add(0, 0, 0, 0x8086, 0x1237, 0x06000002, 0);
    struct fake_function *multi = add(0, 3, 0, 0x1af4, 0x1000, 0x02000000, 0x80);
    set_bar(multi, 0, 0xc001, 0xffffffe0); /* 32 I/O ports at 0xc000 */
    set_bar(multi, 1, 0xfebf0000, 0xfffff000);
    add(0, 3, 2, 0x1af4, 0x1001, 0x01000000, 0);
    add(0, 3, 5, 0x1af4, 0x1002, 0x01000000, 0); /* seen: function 0 says multi-function */
    struct fake_function *bridge = add(0, 5, 0, 0x1b36, 0x0001, 0x06040000, 1);
    bridge->config[PCI_SECONDARY_BUS] = 1;
    struct fake_function *edu = add(1, 2, 0, 0x1234, 0x11e8, 0x00ff0010, 0);
    set_bar(edu, 0, 0xfe000000, 0xfff00000); /* 1 MiB */
    set_bar(edu, 2, 0x0000000c, 0xc000000c); /* 64-bit prefetchable, 1 GiB at 0x8_0000_0000 */
    set_bar(edu, 3, 0x00000008, 0xffffffff);
    edu->config[PCI_INTERRUPT_PIN] = 1;
    add_capability(edu, 0x40, PCI_CAP_MSI, 0x50);
    add_capability(edu, 0x50, PCI_CAP_PCIE, 0x40); /* back to the first: a loop */
    struct fake_function *loop = add(1, 7, 0, 0x1b36, 0x0001, 0x06040000, 1);
    loop->config[PCI_SECONDARY_BUS] = 1;
    add(2, 0, 0, 0xdead, 0xbeef, 0, 0); /* no bridge leads here: never listed */
}

static void test_scan(void **state)
{
    (void)state;
    build();
    struct pci_function list[16];
    unsigned count = 0;
    assert_int_equal(pci_scan(&access, list, 16, &count), PCI_SCAN_OK);
    assert_int_equal(count, 7);
    assert_int_equal(list[0].vendor, 0x8086);
    assert_int_equal(list[0].class_code, 6);
    assert_int_equal(list[0].revision, 2);
    assert_int_equal(list[1].device, 3);
    assert_int_equal(list[2].function, 2);
    assert_int_equal(list[3].function, 5);
    assert_int_equal(list[4].device, 5);
    assert_int_equal(list[4].secondary_bus, 1);
    const struct pci_function *edu = &list[5];
    assert_int_equal(edu->bus, 1);
    assert_int_equal(edu->device, 2);
    assert_int_equal(edu->vendor, 0x1234);
    assert_int_equal(edu->device_id, 0x11e8);
    assert_int_equal(edu->class_code, 0x00);
    assert_int_equal(edu->subclass, 0xff);
    assert_int_equal(edu->prog_if, 0x00);
    assert_int_equal(edu->bridge, 4);
    /* INTA of device 2 behind the bridge at 0:5 arrives as INTC of device 5. */
    assert_int_equal(edu->root_device, 5);
    assert_int_equal(edu->root_pin, 3);
    assert_int_equal(list[1].root_device, 3);
    /* The second bridge on bus 1 names bus 1 again: it is listed, and bus 1 is not walked a
       second time (bus 2, which no bridge names, never is). */
    assert_int_equal(list[6].bus, 1);
    assert_int_equal(list[6].device, 7);
    for (unsigned i = 0; i < count; i++)
        assert_true(list[i].bus < 2);
}

static void test_bars(void **state)
{
    (void)state;
    build();
    struct pci_function list[16];
    unsigned count = 0;
    pci_scan(&access, list, 16, &count);
    const struct pci_function *multi = &list[1], *edu = &list[5];
    assert_int_equal(multi->bars[0].flags, PCI_BAR_IO);
    assert_int_equal(multi->bars[0].base, 0xc000);
    assert_int_equal(multi->bars[0].size, 32);
    assert_int_equal(multi->bars[1].flags, 0);
    assert_int_equal(multi->bars[1].base, 0xfebf0000);
    assert_int_equal(multi->bars[1].size, 4096);
    assert_int_equal(edu->bars[0].base, 0xfe000000);
    assert_int_equal(edu->bars[0].size, 1 << 20);
    assert_int_equal(edu->bars[1].size, 0);
    assert_int_equal(edu->bars[2].flags, PCI_BAR_64 | PCI_BAR_PREFETCH);
    assert_int_equal(edu->bars[2].base, 0x800000000ull);
    assert_int_equal(edu->bars[2].size, 1ull << 30);
    assert_int_equal(edu->bars[3].size, 0); /* the upper half */
    /* Every BAR is put back, with decode off while it held all ones, and decode on after. */
    struct fake_function *f = at(1, 2, 0);
    uint32_t bar0;
    memcpy(&bar0, &f->config[PCI_BAR0], 4);
    assert_int_equal(bar0, 0xfe000000);
    assert_int_equal(f->writes_with_decode_on, 0);
    assert_int_equal(f->config[PCI_COMMAND], PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
}

static void test_capabilities(void **state)
{
    (void)state;
    build();
    struct pci_function list[16];
    unsigned count = 0;
    pci_scan(&access, list, 16, &count);
    assert_int_equal(list[5].cap_msi, 0x40);
    assert_int_equal(list[5].cap_pcie, 0x50);
    assert_int_equal(list[5].cap_msix, 0);
    assert_int_equal(list[1].cap_msi, 0);
    /* The loop ends after 48 entries at most. */
    reads = 0;
    struct pci_function edu = list[5];
    assert_int_equal(pci_read_capabilities(&access, &edu), 48);
    assert_true(reads <= 2 + 2 * 48);
    /* A pointer below the header ends the list at once. */
    at(1, 2, 0)->config[0x51] = 0x10;
    assert_int_equal(pci_read_capabilities(&access, &edu), 2);
}

static void test_full(void **state)
{
    (void)state;
    build();
    struct pci_function list[3];
    unsigned count = 0;
    assert_int_equal(pci_scan(&access, list, 3, &count), PCI_SCAN_FULL);
    assert_int_equal(count, 3);
}

static void test_swizzle_and_names(void **state)
{
    (void)state;
    assert_int_equal(pci_swizzle(0, 1), 1);
    assert_int_equal(pci_swizzle(1, 1), 2);
    assert_int_equal(pci_swizzle(3, 2), 1);
    assert_int_equal(pci_swizzle(4, 4), 4);
    assert_int_equal(pci_swizzle(2, 0), 0);
    assert_int_equal(pci_swizzle(2, 5), 0);
    assert_string_equal(pci_class_name(1, 6), "SATA controller");
    assert_string_equal(pci_class_name(2, 0x42), "Network controller");
    assert_string_equal(pci_class_name(0x42, 0), "unknown");
}

/* What a driver may write: not the BARs, the ROM BAR, a bridge's windows, the pointer. */
static void test_write_allowed(void **state)
{
    (void)state;
    struct pci_function device = {.header_type = 0}, bridge = {.header_type = 1};
    assert_true(pci_write_allowed(&device, PCI_COMMAND, 2));
    assert_true(pci_write_allowed(&device, 0x0c, 4)); /* cache line, latency, ... */
    assert_false(pci_write_allowed(&device, 0x10, 4));
    assert_false(pci_write_allowed(&device, 0x24, 4));
    assert_false(pci_write_allowed(&device, 0x0f, 2)); /* runs into BAR 0 */
    assert_true(pci_write_allowed(&device, 0x28, 4));  /* CardBus CIS pointer */
    assert_false(pci_write_allowed(&device, 0x30, 1));
    assert_false(pci_write_allowed(&device, 0x33, 1));
    assert_false(pci_write_allowed(&device, 0x34, 1));
    assert_true(pci_write_allowed(&device, 0x3c, 1));  /* interrupt line */
    assert_true(pci_write_allowed(&device, 0x40, 4));  /* capabilities: the device's own */
    assert_false(pci_write_allowed(&bridge, 0x18, 4)); /* bus numbers */
    assert_false(pci_write_allowed(&bridge, 0x2c, 4)); /* prefetchable window, upper limit */
    assert_false(pci_write_allowed(&bridge, 0x38, 4)); /* its ROM BAR */
    assert_true(pci_write_allowed(&bridge, 0x30, 0));  /* nothing at all */
    assert_true(pci_write_allowed(&bridge, 0x3e, 2));  /* bridge control */
}

/* Command writes keep the decode bits, whatever the width and offset of the write. */
static void test_keep_decode(void **state)
{
    (void)state;
    assert_int_equal(pci_keep_decode(PCI_COMMAND, 2, 0x0004, 0x0003), 0x0007);
    assert_int_equal(pci_keep_decode(PCI_COMMAND, 2, 0x0407, 0x0000), 0x0404);
    assert_int_equal(pci_keep_decode(PCI_COMMAND, 1, 0x00, 0x0002), 0x02);
    assert_int_equal(pci_keep_decode(PCI_COMMAND, 4, 0xffff0004, 0x0001), 0xffff0005);
    assert_int_equal(pci_keep_decode(0x05, 1, 0x04, 0x0000), 0x04); /* misses bits 0-1 */
    assert_int_equal(pci_keep_decode(0x00, 4, 0x12345678, 0x0003), 0x12345678);
}

/* MSI: the address and data where the capability's layout puts them, one message, enabled,
   the vector unmasked, INTx off; nothing without an MSI capability. */
static void test_msi_enable(void **state)
{
    (void)state;
    build();
    struct pci_function list[16];
    unsigned count = 0;
    pci_scan(&access, list, 16, &count);
    struct fake_function *edu = at(1, 2, 0);
    /* 64-bit, per-vector masking, four messages capable, all masked. */
    uint16_t control = 0x80 | 0x100 | (2 << 1);
    memcpy(&edu->config[0x42], &control, 2);
    memset(&edu->config[0x50], 0xff, 4); /* the mask bits (where the PCIe capability was) */
    assert_true(pci_msi_enable(&access, &list[5], 0x1fee01000ull, 0x38));
    uint32_t low, high, mask;
    uint16_t data, enabled, command;
    memcpy(&low, &edu->config[0x44], 4);
    memcpy(&high, &edu->config[0x48], 4);
    memcpy(&data, &edu->config[0x4c], 2);
    memcpy(&mask, &edu->config[0x50], 4);
    memcpy(&enabled, &edu->config[0x42], 2);
    memcpy(&command, &edu->config[PCI_COMMAND], 2);
    assert_int_equal(low, 0xfee01000);
    assert_int_equal(high, 1);
    assert_int_equal(data, 0x38);
    assert_int_equal(mask, 0);
    assert_int_equal(enabled, control | 1);
    assert_int_equal(command & PCI_COMMAND_INTX_OFF, PCI_COMMAND_INTX_OFF);
    /* 32-bit: the data right after the address. */
    control = 0;
    memcpy(&edu->config[0x42], &control, 2);
    memset(&edu->config[0x44], 0, 12);
    assert_true(pci_msi_enable(&access, &list[5], 0xfee00000, 0x40));
    memcpy(&low, &edu->config[0x44], 4);
    memcpy(&data, &edu->config[0x48], 2);
    memcpy(&enabled, &edu->config[0x42], 2);
    assert_int_equal(low, 0xfee00000);
    assert_int_equal(data, 0x40);
    assert_int_equal(enabled, 1);
    assert_false(pci_msi_enable(&access, &list[1], 0xfee00000, 0x40)); /* no MSI */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_bars),
        cmocka_unit_test(test_capabilities),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_swizzle_and_names),
        cmocka_unit_test(test_write_allowed),
        cmocka_unit_test(test_keep_decode),
        cmocka_unit_test(test_msi_enable),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
