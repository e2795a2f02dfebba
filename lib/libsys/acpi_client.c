/*
 * The acpi server's client calls. See acpi_client.h.
 */
#include "libsys/acpi_client.h"

#include <string.h>

static uint64_t endpoint;

struct result acpi_endpoint(uint64_t *slot)
{
    if (!endpoint) {
        uint64_t fresh = libsys_alloc_slot();
        struct result e = proc_lookup(ACPI_SERVER_NAME, fresh);
        if (!result_is_ok(e))
            return e;
        endpoint = fresh;
    }
    *slot = endpoint;
    return (struct result){0};
}

/* Calls the acpi server with r. */
static struct result acpi_call(struct request *r)
{
    uint64_t slot;
    struct result e = acpi_endpoint(&slot);
    if (!result_is_ok(e))
        return e;
    return request_result(request_call(slot, r, 0, 0, 0), r);
}

struct result acpi_table_list(uint64_t index, struct acpi_table_entry *out)
{
    struct request r = {.label = ACPI_TABLE_LIST};
    request_set_word(&r, 0, index);
    struct result e = acpi_call(&r);
    if (!result_is_ok(e))
        return e;
    memset(out, 0, sizeof *out);
    uint64_t signature = request_word(&r, 0), oem = request_word(&r, 5),
             oem_table = request_word(&r, 6);
    memcpy(out->signature, &signature, 4);
    memcpy(out->oem_id, &oem, 6);
    memcpy(out->oem_table_id, &oem_table, 8);
    out->length = request_word(&r, 1);
    out->revision = request_word(&r, 2);
    out->address = request_word(&r, 3);
    out->instance = request_word(&r, 4);
    return e;
}

struct result acpi_table_read(const char signature[4], uint64_t instance, uint64_t offset,
                              void *buf, size_t n, uint64_t *length, size_t *got)
{
    struct request r = {.label = ACPI_TABLE_READ};
    request_set_word(&r, 0, ACPI_SIGNATURE(signature));
    request_set_word(&r, 1, instance);
    request_set_word(&r, 2, offset);
    request_set_word(&r, 3, n);
    struct result e = acpi_call(&r);
    if (!result_is_ok(e))
        return e;
    uint64_t count = request_word(&r, 1);
    if (count > n)
        count = n;
    request_get_bytes(&r, 2, buf, count);
    *length = request_word(&r, 0);
    *got = count;
    return e;
}

struct result acpi_device_list(uint64_t index, struct acpi_device_entry *out)
{
    struct request r = {.label = ACPI_DEVICE_LIST};
    request_set_word(&r, 0, index);
    struct result e = acpi_call(&r);
    if (!result_is_ok(e))
        return e;
    memset(out, 0, sizeof *out);
    out->sta = request_word(&r, 0);
    out->adr = request_word(&r, 1);
    out->flags = request_word(&r, 2);
    uint64_t hid = request_word(&r, 3), cid = request_word(&r, 4);
    memcpy(out->hid, &hid, ACPI_ID_BYTES);
    memcpy(out->cid, &cid, ACPI_ID_BYTES);
    uint64_t length = request_word(&r, 5);
    if (length > ACPI_PATH_MAX)
        length = ACPI_PATH_MAX;
    request_get_bytes(&r, 6, out->path, length);
    return e;
}

struct result acpi_info(struct acpi_info *out)
{
    struct request r = {.label = ACPI_INFO};
    struct result e = acpi_call(&r);
    if (!result_is_ok(e))
        return e;
    *out = (struct acpi_info){request_word(&r, 0), request_word(&r, 1), request_word(&r, 2),
                              request_word(&r, 3), request_word(&r, 4), request_word(&r, 5),
                              request_word(&r, 6), request_word(&r, 7)};
    return e;
}

struct result acpi_pci_route(uint64_t segment, uint64_t bus, uint64_t device, uint64_t pin,
                             uint64_t *gsi, uint64_t *flags)
{
    struct request r = {.label = ACPI_PCI_ROUTE};
    request_set_word(&r, 0, segment);
    request_set_word(&r, 1, bus);
    request_set_word(&r, 2, device);
    request_set_word(&r, 3, pin);
    struct result e = acpi_call(&r);
    if (result_is_ok(e)) {
        *gsi = request_word(&r, 0);
        *flags = request_word(&r, 1);
    }
    return e;
}
