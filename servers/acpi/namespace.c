/*
 * The AML namespace (lib/aml): the DSDT and every SSDT loaded, \_PIC(1) (APIC mode), _STA and
 * _INI of every device in the order ACPI 6.5.1 gives, \_S5 for power off; the devices listed
 * for the shell, and PCI interrupt routes from _PRT and the link devices.
 *
 * The interpreter's effects go through the server's own capabilities: SystemIO through the
 * ports its manifest grants (ports.c), SystemMemory reads through the firmware memory procsrv
 * granted (read-only), PCI_Config nowhere yet: configuration space is the pci server's, and
 * until the acpi server asks it, such an access fails with a line saying so. An AML error in
 * one table (a hostile SSDT that loops for ever) ends that table's load with a line naming it;
 * the rest of the namespace stays usable and the server goes on serving.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "aml/resource.h"

#define MAX_DEVICES       256
#define INIT_DEPTH_MAX    32
#define MAX_RESOURCES     16
#define PCI_ADDRESS_ROOTS 8

static struct aml_node *devices[MAX_DEVICES];

static int io_read(void *context, uint16_t port, unsigned width, uint64_t *value)
{
    (void)context;
    return ports_read(port, width, value);
}

static int io_write(void *context, uint16_t port, unsigned width, uint64_t value)
{
    (void)context;
    return ports_write(port, width, value);
}

/* Device memory the manifest granted (mmio=; the HPET's registers, which its _STA reads): the
   mapping of address, or NULL. A grant names its first page; each is taken as one page. */
static volatile uint8_t *mmio_map(uint64_t address, unsigned bytes)
{
    const struct proc_info *info = acpi.info;
    uint64_t count = info->grant_count < PROC_MAX_GRANTS ? info->grant_count : PROC_MAX_GRANTS;
    for (uint64_t i = 0; i < count; i++) {
        const struct proc_grant *g = &info->grants[i];
        if (g->kind == PROC_GRANT_MMIO && address >= g->arg && address - g->arg + bytes <= 4096)
            return (volatile uint8_t *)(g->arg2 + (address - g->arg));
    }
    return NULL;
}

/* SystemMemory: reads of the granted firmware memory (the tables, NVS) and device memory. */
static int mem_read(void *context, uint64_t address, unsigned width, uint64_t *value)
{
    (void)context;
    volatile uint8_t *device = mmio_map(address, width / 8);
    if (device && (width == 8 || width == 16 || width == 32 || width == 64)) {
        if (width == 8)
            *value = *device;
        else if (width == 16)
            *value = *(volatile uint16_t *)device;
        else if (width == 32)
            *value = *(volatile uint32_t *)device;
        else
            *value = *(volatile uint64_t *)device;
        return 0;
    }
    const uint8_t *p = tables_map((void *)acpi.info, address, width / 8);
    if (!p || width % 8 || width > 64) {
        printf("acpi: AML read of memory at 0x%lx refused: not firmware memory granted\n",
               (unsigned long)address);
        return -1;
    }
    *value = 0;
    memcpy(value, p, width / 8);
    return 0;
}

static int mem_write(void *context, uint64_t address, unsigned width, uint64_t value)
{
    (void)context, (void)width, (void)value;
    printf("acpi: AML write of memory at 0x%lx refused: the acpi server maps no memory "
           "writable\n",
           (unsigned long)address);
    return -1;
}

/* PCI_Config. Configuration space is the pci server's, and the acpi server cannot ask it (the
   pci server calls the acpi server for routes: each waiting for the other would stop both).
   What QEMU's AML reads there is the link devices' routing registers (the PIIX's or ICH9's
   PIRQ registers at 0x60-0x6b of the ISA/LPC bridge). So the acpi server reaches them itself,
   through configuration mechanism #1 (ports 0xcf8-0xcff, which the pci server uses too), and
   only while it answers ACPI_PCI_ROUTE: the pci server is then waiting for the answer, so the
   two never use the index register at the same time. At any other time (start-up, the device
   list) such an access is refused with a line saying so. */
static bool pci_config_open;
static unsigned pci_refusals; /* accesses refused while closed (a device's _STA then waits) */

static int pci_access(struct aml_pci_address pci, uint16_t offset, unsigned width, uint64_t *value,
                      bool write)
{
    if (!pci_config_open) {
        /* Said once: QEMU's links each read a byte of it at start and for the device list. */
        if (pci_refusals++ == 0)
            printf("acpi: the AML reads PCI configuration space (%x:%02x:%02x.%x offset 0x%x): "
                   "served only while answering a route (docs/platform.md); refused until then\n",
                   pci.segment, pci.bus, pci.device, pci.function, offset);
        return -1;
    }
    if (offset > 0xff || pci.segment != 0 || pci.device > 31 || pci.function > 7 ||
        (width != 8 && width != 16 && width != 32) || (offset & (width / 8 - 1))) {
        printf("acpi: AML access to PCI configuration space of %x:%02x:%02x.%x offset 0x%x "
               "(%u bits) refused: outside what mechanism #1 reaches\n",
               pci.segment, pci.bus, pci.device, pci.function, offset, width);
        return -1;
    }
    uint64_t address = 0x80000000u | (uint32_t)pci.bus << 16 | (uint32_t)pci.device << 11 |
                       (uint32_t)pci.function << 8 | (offset & 0xfcu);
    if (ports_write(0xcf8, 32, address) != 0)
        return -1;
    uint16_t data = (uint16_t)(0xcfc + (offset & 3));
    return write ? ports_write(data, width, *value) : ports_read(data, width, value);
}

static int pci_read(void *context, struct aml_pci_address pci, uint16_t offset, unsigned width,
                    uint64_t *value)
{
    (void)context;
    *value = 0;
    return pci_access(pci, offset, width, value, false);
}

static int pci_write(void *context, struct aml_pci_address pci, uint16_t offset, unsigned width,
                     uint64_t value)
{
    (void)context;
    return pci_access(pci, offset, width, &value, true);
}

static void aml_log(void *context, enum aml_log_level level, const char *line)
{
    (void)context;
    if (level <= AML_LOG_WARNING)
        printf("acpi: aml: %s\n", line);
}

static void aml_sleep(void *context, uint64_t ms)
{
    (void)context;
    ports_delay_us(ms * 1000);
}

/* The AML Timer: 100 ns units from the ACPI PM timer (ports.c), never from procsrv's clock
   (procsrv may be waiting for this server's answer). */
static uint64_t aml_timer(void *context)
{
    (void)context;
    return ports_time_100ns();
}

/* One line for an AML error, naming the table or object. */
static void report(const char *what, const struct aml_error *error)
{
    char line[256];
    aml_error_format(error, line, sizeof line);
    printf("acpi: AML error in %s: %s\n", what, line);
    acpi.aml_errors++;
}

static void load_table(struct acpi_server *a, const struct acpi_table *t)
{
    const void *bytes = tables_map((void *)a->info, t->phys, t->length);
    struct aml_error error;
    char name[16];
    snprintf(name, sizeof name, "%.4s #%u", t->signature, t->instance);
    if (!bytes || aml_load_table(a->aml, bytes, t->length, &error) != AML_OK) {
        if (bytes)
            report(name, &error);
        printf("acpi: warning: table %s (OEM table id %.8s) not fully loaded; going on\n", name,
               t->oem_table_id);
        return;
    }
}

/* _INI of device and its children as ACPI 6.5.1 orders: a device's _STA first; _INI only if
   it is present; its children only if it is present or functioning. */
static void initialise(struct acpi_server *a, struct aml_node *node, unsigned depth)
{
    for (struct aml_node *child = aml_node_child(node); child; child = aml_node_next(child)) {
        if (aml_node_type(child) != AML_TYPE_DEVICE) {
            if (depth < INIT_DEPTH_MAX)
                initialise(a, child, depth + 1); /* scopes hold devices too */
            continue;
        }
        struct aml_error error;
        uint64_t sta = 0;
        if (a->device_count < MAX_DEVICES)
            devices[a->device_count] = child;
        a->device_count++;
        unsigned refusals = pci_refusals;
        if (aml_device_sta(a->aml, child, &sta, &error) != AML_OK) {
            /* Listed, not initialised; its children may still be there (ACPI 6.3.7). A _STA
               that failed only because configuration space is closed now (a link device) is
               counted apart: it is not the AML's fault. */
            if (error.status == AML_ERR_HOST && pci_refusals != refusals) {
                a->sta_deferred++;
            } else {
                char path[ACPI_PATH_MAX];
                aml_node_path(child, path, sizeof path);
                report(path, &error);
            }
            sta = AML_STA_WORKING;
        }
        if (sta & AML_STA_PRESENT) {
            enum aml_status s = aml_evaluate(a->aml, child, "_INI", 0, 0, 0, &error);
            if (s != AML_OK && s != AML_ERR_NOT_FOUND) {
                char path[ACPI_PATH_MAX];
                aml_node_path(child, path, sizeof path);
                report(path, &error);
            }
        }
        if ((sta & (AML_STA_PRESENT | AML_STA_WORKING)) && depth < INIT_DEPTH_MAX)
            initialise(a, child, depth + 1);
    }
}

/* \_S5's SLP_TYPa and SLP_TYPb. */
static void read_s5(struct acpi_server *a)
{
    struct aml_value value = {0};
    struct aml_error error;
    enum aml_status s = aml_evaluate(a->aml, 0, "\\_S5", 0, 0, &value, &error);
    if (s != AML_OK) {
        if (s != AML_ERR_NOT_FOUND)
            report("\\_S5", &error);
        printf("acpi: no \\_S5: power off is not possible\n");
        return;
    }
    const struct aml_value *ta = aml_package_element(&value, 0);
    const struct aml_value *tb = aml_package_element(&value, 1);
    if (ta && ta->type == AML_TYPE_INTEGER) {
        a->slp_typa = (uint8_t)(ta->u.integer & 7);
        a->slp_typb = tb && tb->type == AML_TYPE_INTEGER ? (uint8_t)(tb->u.integer & 7) : 0;
        a->flags |= ACPI_INFO_S5;
    } else {
        printf("acpi: \\_S5 is not a package of integers: power off is not possible\n");
    }
    aml_value_free(a->aml, &value);
}

void namespace_load(struct acpi_server *a)
{
    static const struct aml_host host = {
        .io_read = io_read,
        .io_write = io_write,
        .mem_read = mem_read,
        .mem_write = mem_write,
        .pci_read = pci_read,
        .pci_write = pci_write,
        .sleep = aml_sleep,
        .stall = 0,
        .log = aml_log,
        .timer = aml_timer,
    };
    const struct acpi_table *dsdt = acpi_tables_find(&a->tables, "DSDT", 0);
    if (!dsdt) {
        printf("acpi: no valid DSDT: no namespace, no power off\n");
        return;
    }
    if (aml_create(&host, 0, &a->aml) != AML_OK) {
        printf("acpi: no memory for the AML interpreter\n");
        return;
    }
    load_table(a, dsdt);
    for (unsigned i = 0;; i++) {
        const struct acpi_table *ssdt = acpi_tables_find(&a->tables, "SSDT", i);
        if (!ssdt)
            break;
        load_table(a, ssdt);
    }
    a->flags |= ACPI_INFO_NAMESPACE;
    struct aml_error error;
    struct aml_value apic_mode = aml_integer(1);
    enum aml_status s = aml_evaluate(a->aml, 0, "\\_PIC", &apic_mode, 1, 0, &error);
    if (s != AML_OK && s != AML_ERR_NOT_FOUND)
        report("\\_PIC", &error);
    s = aml_evaluate(a->aml, 0, "\\_SB_._INI", 0, 0, 0, &error);
    if (s != AML_OK && s != AML_ERR_NOT_FOUND)
        report("\\_SB_._INI", &error);
    initialise(a, aml_root(a->aml), 0);
    read_s5(a);
    printf("acpi: namespace: %u devices (%u whose _STA needs PCI configuration space), %u AML "
           "errors, %zu KiB; \\_S5 %s\n",
           a->device_count, a->sta_deferred, a->aml_errors, aml_memory_used(a->aml) / 1024,
           a->flags & ACPI_INFO_S5 ? "found" : "missing");
}

/* An _HID or _CID, NUL-padded into a word (its first ACPI_ID_BYTES bytes). */
static uint64_t id_word(const char *id)
{
    uint64_t word = 0;
    size_t n = strlen(id);
    memcpy(&word, id, n < ACPI_ID_BYTES ? n : ACPI_ID_BYTES);
    return word;
}

long namespace_device_list(struct server_call *call)
{
    uint64_t index = request_word(&call->in, 0);
    if (!acpi.aml || index >= acpi.device_count || index >= MAX_DEVICES)
        return SERVICE_NOT_FOUND;
    struct aml_node *device = devices[index];
    struct aml_error error;
    uint64_t sta = 0x0f, adr = 0, flags = 0;
    char hid[AML_ID_MAX] = "", cid[1][AML_ID_MAX] = {""};
    size_t cids = 0;
    if (aml_find(acpi.aml, device, "_STA"))
        flags |= ACPI_DEVICE_HAS_STA;
    if (aml_device_sta(acpi.aml, device, &sta, &error) != AML_OK)
        flags |= ACPI_DEVICE_STA_FAILED;
    if (aml_device_adr(acpi.aml, device, &adr, &error) == AML_OK)
        flags |= ACPI_DEVICE_HAS_ADR;
    if (aml_device_hid(acpi.aml, device, hid, &error) == AML_OK)
        flags |= ACPI_DEVICE_HAS_HID;
    if (aml_device_cids(acpi.aml, device, cid, 1, &cids, &error) == AML_OK && cids)
        flags |= ACPI_DEVICE_HAS_CID;
    char path[ACPI_PATH_MAX + 1];
    size_t length = aml_node_path(device, path, sizeof path);
    if (length > ACPI_PATH_MAX)
        length = ACPI_PATH_MAX;
    request_set_word(&call->out, 0, sta);
    request_set_word(&call->out, 1, adr);
    request_set_word(&call->out, 2, flags);
    request_set_word(&call->out, 3, id_word(hid));
    request_set_word(&call->out, 4, cids ? id_word(cid[0]) : 0);
    request_set_word(&call->out, 5, length);
    request_put_bytes(&call->out, 6, path, length);
    return SERVICE_OK;
}

/* True if device's _HID or a _CID is a PCI host bridge (PNP0A03, or PNP0A08 for PCI Express). */
static bool is_root_bridge(struct aml_node *device)
{
    struct aml_error error;
    char hid[AML_ID_MAX], cids[4][AML_ID_MAX];
    size_t count = 0;
    if (aml_device_hid(acpi.aml, device, hid, &error) == AML_OK &&
        (!strcmp(hid, "PNP0A03") || !strcmp(hid, "PNP0A08")))
        return true;
    if (aml_device_cids(acpi.aml, device, cids, 4, &count, &error) != AML_OK)
        return false;
    for (size_t i = 0; i < count; i++)
        if (!strcmp(cids[i], "PNP0A03") || !strcmp(cids[i], "PNP0A08"))
            return true;
    return false;
}

/* An integer object of device (_SEG, _BBN), or fallback when it has none. */
static uint64_t device_integer(struct aml_node *device, const char *name, uint64_t fallback)
{
    struct aml_error error;
    uint64_t value;
    if (!aml_find(acpi.aml, device, name) ||
        aml_evaluate_integer(acpi.aml, device, name, &value, &error) != AML_OK)
        return fallback;
    return value;
}

/* The first interrupt a _CRS or _PRS buffer names, with its mode; false if none. */
static bool first_interrupt(const struct aml_value *buffer, struct aml_resource *out)
{
    size_t length, count;
    const uint8_t *bytes = aml_value_data(buffer, &length);
    static struct aml_resource list[MAX_RESOURCES];
    if (!bytes || aml_resource_decode(bytes, length, list, MAX_RESOURCES, &count, 0) != AML_OK)
        return false;
    for (size_t i = 0; i < count; i++) {
        if ((list[i].type == AML_RESOURCE_IRQ || list[i].type == AML_RESOURCE_EXTENDED_IRQ) &&
            list[i].u.irq.count) {
            *out = list[i];
            return true;
        }
    }
    return false;
}

/* A link device's interrupt: from _CRS; if it has none set, the first _PRS offers, set
   through _SRS. SERVICE_OK with *gsi and *flags, or SERVICE_INTERNAL (said why). */
static long link_interrupt(struct aml_node *link, uint64_t *gsi, uint64_t *flags)
{
    struct aml_error error;
    struct aml_value crs = {0};
    struct aml_resource irq;
    char path[ACPI_PATH_MAX];
    aml_node_path(link, path, sizeof path);
    if (aml_evaluate(acpi.aml, link, "_CRS", 0, 0, &crs, &error) != AML_OK) {
        report(path, &error);
        return SERVICE_INTERNAL;
    }
    bool set = first_interrupt(&crs, &irq) && irq.u.irq.interrupts[0] != 0;
    aml_value_free(acpi.aml, &crs);
    if (!set) {
        struct aml_value prs = {0}, srs = {0};
        uint8_t encoded[32];
        size_t length;
        if (aml_evaluate(acpi.aml, link, "_PRS", 0, 0, &prs, &error) != AML_OK) {
            report(path, &error);
            return SERVICE_INTERNAL;
        }
        bool possible = first_interrupt(&prs, &irq);
        aml_value_free(acpi.aml, &prs);
        if (!possible ||
            aml_resource_encode_irq(&irq, irq.u.irq.interrupts[0], encoded, sizeof encoded,
                                    &length) != AML_OK ||
            aml_buffer_new(acpi.aml, encoded, length, &srs) != AML_OK) {
            printf("acpi: link %s offers no interrupt to set\n", path);
            return SERVICE_INTERNAL;
        }
        enum aml_status s = aml_evaluate(acpi.aml, link, "_SRS", &srs, 1, 0, &error);
        aml_value_free(acpi.aml, &srs);
        if (s != AML_OK) {
            report(path, &error);
            return SERVICE_INTERNAL;
        }
        printf("acpi: link %s set to interrupt %u\n", path, irq.u.irq.interrupts[0]);
    }
    *gsi = irq.u.irq.interrupts[0];
    *flags = ACPI_ROUTE_LINK | (irq.u.irq.level ? ACPI_ROUTE_LEVEL : 0) |
             (irq.u.irq.active_low ? ACPI_ROUTE_ACTIVE_LOW : 0);
    return SERVICE_OK;
}

/* The route of (device, pin) in the _PRT package of bridge. */
static long route_in(struct aml_node *bridge, uint64_t device, uint64_t pin, uint64_t *gsi,
                     uint64_t *flags)
{
    struct aml_error error;
    struct aml_value prt = {0};
    char path[ACPI_PATH_MAX];
    aml_node_path(bridge, path, sizeof path);
    if (aml_evaluate(acpi.aml, bridge, "_PRT", 0, 0, &prt, &error) != AML_OK) {
        report(path, &error);
        return SERVICE_INTERNAL;
    }
    long status = SERVICE_NOT_FOUND;
    for (size_t i = 0; i < aml_package_count(&prt); i++) {
        const struct aml_value *entry = aml_package_element(&prt, i);
        const struct aml_value *address = aml_package_element(entry, 0);
        const struct aml_value *entry_pin = aml_package_element(entry, 1);
        const struct aml_value *source = aml_package_element(entry, 2);
        const struct aml_value *index = aml_package_element(entry, 3);
        if (!address || address->type != AML_TYPE_INTEGER || !entry_pin ||
            entry_pin->type != AML_TYPE_INTEGER || !index || index->type != AML_TYPE_INTEGER ||
            !source)
            continue;
        if ((address->u.integer >> 16) != device || entry_pin->u.integer != pin)
            continue;
        if (source->type == AML_TYPE_INTEGER) {
            /* A GSI of its own: PCI's level-triggered, active-low. */
            *gsi = index->u.integer;
            *flags = ACPI_ROUTE_LEVEL | ACPI_ROUTE_ACTIVE_LOW;
            status = SERVICE_OK;
            break;
        }
        struct aml_node *link = aml_value_node(source);
        if (!link && source->type == AML_TYPE_STRING) {
            /* A name kept as a string: looked up from the bridge's scope towards the root, as
               a single name segment is (ACPI 5.3). */
            size_t length;
            const uint8_t *name = aml_value_data(source, &length);
            for (struct aml_node *scope = bridge; name && scope && !link;
                 scope = aml_node_parent(scope))
                link = aml_find(acpi.aml, scope, (const char *)name);
        }
        if (!link) {
            printf("acpi: %s._PRT names a source that is not in the namespace\n", path);
            status = SERVICE_INTERNAL;
            break;
        }
        status = link_interrupt(link, gsi, flags);
        break;
    }
    aml_value_free(acpi.aml, &prt);
    return status;
}

struct bridge_search {
    uint64_t segment, bus;
    struct aml_node *found;
};

static bool match_bridge(struct aml_node *node, void *context)
{
    struct bridge_search *search = context;
    if (!is_root_bridge(node))
        return true;
    if (device_integer(node, "_SEG", 0) == search->segment &&
        device_integer(node, "_BBN", 0) == search->bus) {
        search->found = node;
        return false;
    }
    return true;
}

long namespace_pci_route(struct server_call *call)
{
    const struct request *in = &call->in;
    uint64_t segment = request_word(in, 0), bus = request_word(in, 1);
    uint64_t device = request_word(in, 2), pin = request_word(in, 3);
    if (segment > 0xffff)
        return server_bad_argument(call, 0, 0, 0xffff);
    if (bus > 255)
        return server_bad_argument(call, 1, 0, 255);
    if (device > 31)
        return server_bad_argument(call, 2, 0, 31);
    if (pin > 3)
        return server_bad_argument(call, 3, 0, 3);
    if (!acpi.aml)
        return SERVICE_NOT_FOUND;
    struct bridge_search search = {segment, bus, 0};
    aml_walk(acpi.aml, aml_root(acpi.aml), AML_TYPE_DEVICE, match_bridge, &search);
    if (!search.found)
        return SERVICE_NOT_FOUND;
    uint64_t gsi = 0, flags = 0;
    pci_config_open = true; /* the caller waits for the answer (see pci_access) */
    long status = route_in(search.found, device, pin, &gsi, &flags);
    pci_config_open = false;
    if (status != SERVICE_OK)
        return status;
    request_set_word(&call->out, 0, gsi);
    request_set_word(&call->out, 1, flags);
    return SERVICE_OK;
}
