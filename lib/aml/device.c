/*
 * Helpers for the objects every device may have: _HID, _CID, _ADR, _STA.
 */
#include <string.h>

#include "aml/internal.h"

void aml_eisa_id_decode(uint32_t id, char out[8])
{
    /* The compressed id is stored byte-swapped: three 5-bit letters, then four hex digits. */
    uint32_t v = (id >> 24) | ((id >> 8) & 0xFF00u) | ((id << 8) & 0xFF0000u) | (id << 24);
    static const char hex[] = "0123456789ABCDEF";
    out[0] = (char)(0x40 + ((v >> 26) & 0x1F));
    out[1] = (char)(0x40 + ((v >> 21) & 0x1F));
    out[2] = (char)(0x40 + ((v >> 16) & 0x1F));
    for (int i = 0; i < 4; i++)
        out[3 + i] = hex[(v >> (12 - 4 * i)) & 0xF];
    out[7] = '\0';
}

/* One id (an EISA integer or a string) into out. */
static enum aml_status id_text(const struct aml_value *v, char out[AML_ID_MAX])
{
    if (v->type == AML_TYPE_INTEGER) {
        aml_eisa_id_decode((uint32_t)v->u.integer, out);
        return AML_OK;
    }
    if (v->type == AML_TYPE_STRING) {
        size_t n = v->u.bytes->length < AML_ID_MAX - 1 ? v->u.bytes->length : AML_ID_MAX - 1;
        memcpy(out, v->u.bytes->data, n);
        out[n] = '\0';
        return AML_OK;
    }
    return AML_ERR_TYPE;
}

/* Evaluates device's object name; AML_ERR_NOT_FOUND (error untouched) if there is none. */
static enum aml_status evaluate_child(struct aml *aml, struct aml_node *device, const char *name,
                                      struct aml_value *out, struct aml_error *error)
{
    if (!aml_find(aml, device, name))
        return AML_ERR_NOT_FOUND;
    return aml_evaluate(aml, device, name, NULL, 0, out, error);
}

enum aml_status aml_device_hid(struct aml *aml, struct aml_node *device, char out[AML_ID_MAX],
                               struct aml_error *error)
{
    struct aml_value v;
    out[0] = '\0';
    enum aml_status s = evaluate_child(aml, device, "_HID", &v, error);
    if (s != AML_OK)
        return s;
    s = id_text(&v, out);
    aml_value_free(aml, &v);
    return s;
}

enum aml_status aml_device_cids(struct aml *aml, struct aml_node *device, char (*out)[AML_ID_MAX],
                                size_t max, size_t *count, struct aml_error *error)
{
    struct aml_value v;
    *count = 0;
    enum aml_status s = evaluate_child(aml, device, "_CID", &v, error);
    if (s != AML_OK)
        return s;
    if (v.type == AML_TYPE_PACKAGE) {
        for (size_t i = 0; i < v.u.package->count && *count < max && s == AML_OK; i++)
            if ((s = id_text(&v.u.package->elements[i], out[*count])) == AML_OK)
                (*count)++;
    } else if (max > 0 && (s = id_text(&v, out[0])) == AML_OK) {
        *count = 1;
    }
    aml_value_free(aml, &v);
    return s;
}

enum aml_status aml_device_adr(struct aml *aml, struct aml_node *device, uint64_t *adr,
                               struct aml_error *error)
{
    if (!aml_find(aml, device, "_ADR"))
        return AML_ERR_NOT_FOUND;
    return aml_evaluate_integer(aml, device, "_ADR", adr, error);
}

enum aml_status aml_device_sta(struct aml *aml, struct aml_node *device, uint64_t *sta,
                               struct aml_error *error)
{
    if (!aml_find(aml, device, "_STA")) {
        *sta = AML_STA_PRESENT | AML_STA_ENABLED | AML_STA_SHOWN | AML_STA_WORKING;
        return AML_OK;
    }
    return aml_evaluate_integer(aml, device, "_STA", sta, error);
}

/* Evaluates node's _INI if it has one; a failure is logged and counted. */
static size_t run_ini(struct aml *aml, struct aml_node *node)
{
    if (!aml_find(aml, node, "_INI"))
        return 0;
    struct aml_error error;
    if (aml_evaluate(aml, node, "_INI", NULL, 0, NULL, &error) == AML_OK)
        return 0;
    if (aml->host.log) {
        char line[256];
        aml_error_format(&error, line, sizeof(line));
        aml->host.log(aml->host.context, AML_LOG_WARNING, line);
    }
    return 1;
}

size_t aml_initialize(struct aml *aml)
{
    size_t failed = run_ini(aml, aml->root);
    /* Depth first without recursion; a device neither present nor functioning is not entered. */
    struct aml_node *n = aml->root->child;
    while (n) {
        bool enter = true;
        if (n->type == AML_TYPE_DEVICE || n->type == AML_TYPE_PROCESSOR) {
            uint64_t sta;
            struct aml_error error;
            if (aml_device_sta(aml, n, &sta, &error) != AML_OK) {
                failed++;
                sta = 0;
            }
            if (sta & (AML_STA_PRESENT | AML_STA_WORKING))
                failed += (sta & AML_STA_PRESENT) ? run_ini(aml, n) : 0;
            else
                enter = false;
        }
        if (enter && n->child) {
            n = n->child;
            continue;
        }
        while (n != aml->root && !n->next)
            n = n->parent;
        n = n == aml->root ? NULL : n->next;
    }
    return failed;
}
