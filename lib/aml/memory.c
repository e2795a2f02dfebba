/*
 * The interpreter's memory: every allocation counted against the budget and kept on a list,
 * and the values built from it (strings, buffers, packages, references) with their counts.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "aml/internal.h"

/* The header before every allocation: the list aml_destroy frees, and the size the budget
   was charged. Aligned for any object. */
struct aml_allocation {
    struct aml_allocation *prev, *next;
    size_t size;
    alignas(max_align_t) unsigned char payload[];
};

/* Needs: nothing. Returns zeroed memory counted against max_memory (header included), or NULL
   when the budget or the host's allocator is exhausted. */
void *aml_alloc(struct aml *aml, size_t bytes)
{
    size_t total = sizeof(struct aml_allocation) + bytes;
    if (bytes > aml->limits.max_memory || total > aml->limits.max_memory - aml->memory_used)
        return NULL;
    struct aml_allocation *a =
        aml->host.alloc ? aml->host.alloc(aml->host.context, total) : malloc(total);
    if (!a)
        return NULL;
    memset(a, 0, total);
    aml_charge(aml, total); /* work in proportion to the size follows an allocation */
    a->size = total;
    a->next = aml->allocations;
    if (a->next)
        a->next->prev = a;
    aml->allocations = a;
    aml->memory_used += total;
    return a->payload;
}

/* Needs: pointer from aml_alloc of this aml, or NULL. Gives the memory back to the budget. */
void aml_free(struct aml *aml, void *pointer)
{
    if (!pointer)
        return;
    struct aml_allocation *a = (struct aml_allocation *)((unsigned char *)pointer -
                                                         offsetof(struct aml_allocation, payload));
    if (a->prev)
        a->prev->next = a->next;
    else
        aml->allocations = a->next;
    if (a->next)
        a->next->prev = a->prev;
    aml->memory_used -= a->size;
    if (aml->host.free)
        aml->host.free(aml->host.context, a, a->size);
    else
        free(a);
}

/* Frees every allocation still on the list (aml_destroy). */
void aml_free_all(struct aml *aml)
{
    while (aml->allocations)
        aml_free(aml, aml->allocations->payload);
}

size_t aml_memory_used(const struct aml *aml)
{
    return aml->memory_used;
}

struct aml_bytes *aml_bytes_new(struct aml *aml, size_t length)
{
    if (length > aml->limits.max_memory)
        return NULL;
    struct aml_bytes *b = aml_alloc(aml, sizeof(*b) + length + 1);
    if (!b)
        return NULL;
    b->refs = 1;
    b->length = length;
    return b;
}

struct aml_package *aml_package_new(struct aml *aml, size_t count)
{
    if (count > aml->limits.max_memory / sizeof(struct aml_value))
        return NULL;
    struct aml_package *p = aml_alloc(aml, sizeof(*p));
    if (!p)
        return NULL;
    if (count) {
        p->elements = aml_alloc(aml, count * sizeof(struct aml_value));
        if (!p->elements) {
            aml_free(aml, p);
            return NULL;
        }
    }
    p->refs = 1;
    p->count = count;
    return p;
}

struct aml_reference *aml_reference_new(struct aml *aml, enum aml_reference_kind kind)
{
    struct aml_reference *r = aml_alloc(aml, sizeof(*r));
    if (!r)
        return NULL;
    r->refs = 1;
    r->kind = kind;
    return r;
}

void aml_charge(struct aml *aml, uint64_t bytes)
{
    aml->operations += bytes / 64;
}

static void bytes_release(struct aml *aml, struct aml_bytes *b)
{
    if (b && --b->refs == 0)
        aml_free(aml, b);
}

/* Packages and references whose count reached zero, to be freed. Releasing is iterative, not
   recursive: hostile AML can chain references and nest packages (Package () { Local0 } in a
   loop) as deep as its memory lets it, far deeper than the C stack would go. */
struct dead_lists {
    struct aml_package *packages;
    struct aml_reference *references;
};

static void drop(struct aml *aml, struct aml_value *value, struct dead_lists *dead)
{
    switch (value->type) {
    case AML_TYPE_STRING:
    case AML_TYPE_BUFFER:
        bytes_release(aml, value->u.bytes);
        break;
    case AML_TYPE_PACKAGE:
        if (--value->u.package->refs == 0) {
            value->u.package->dead_next = dead->packages;
            dead->packages = value->u.package;
        }
        break;
    case AML_TYPE_REFERENCE:
        if (--value->u.ref->refs == 0) {
            value->u.ref->dead_next = dead->references;
            dead->references = value->u.ref;
        }
        break;
    default:
        break;
    }
    memset(value, 0, sizeof(*value));
}

void aml_value_free(struct aml *aml, struct aml_value *value)
{
    if (!value)
        return;
    struct dead_lists dead = {NULL, NULL};
    drop(aml, value, &dead);
    while (dead.packages || dead.references) {
        if (dead.references) {
            struct aml_reference *r = dead.references;
            dead.references = r->dead_next;
            if (r->package) {
                struct aml_value holder = {.type = AML_TYPE_PACKAGE, .u = {.package = r->package}};
                drop(aml, &holder, &dead);
            }
            bytes_release(aml, r->bytes);
            if (r->node)
                aml_node_unref(aml, r->node);
            aml_free(aml, r);
        } else {
            struct aml_package *p = dead.packages;
            dead.packages = p->dead_next;
            for (size_t i = 0; i < p->count; i++)
                drop(aml, &p->elements[i], &dead);
            aml_free(aml, p->elements);
            aml_free(aml, p);
        }
    }
}

struct aml_value aml_value_share(const struct aml_value *value)
{
    switch (value->type) {
    case AML_TYPE_STRING:
    case AML_TYPE_BUFFER:
        value->u.bytes->refs++;
        break;
    case AML_TYPE_PACKAGE:
        value->u.package->refs++;
        break;
    case AML_TYPE_REFERENCE:
        value->u.ref->refs++;
        break;
    default:
        break;
    }
    return *value;
}

static enum aml_status value_copy(struct aml *aml, const struct aml_value *value,
                                  struct aml_value *out, uint32_t depth)
{
    memset(out, 0, sizeof(*out));
    if (depth > aml->limits.max_depth)
        return AML_ERR_DEPTH;
    switch (value->type) {
    case AML_TYPE_STRING:
    case AML_TYPE_BUFFER: {
        struct aml_bytes *b = aml_bytes_new(aml, value->u.bytes->length);
        if (!b)
            return AML_ERR_NO_MEMORY;
        memcpy(b->data, value->u.bytes->data, b->length);
        out->type = value->type;
        out->u.bytes = b;
        return AML_OK;
    }
    case AML_TYPE_PACKAGE: {
        const struct aml_package *from = value->u.package;
        struct aml_package *p = aml_package_new(aml, from->count);
        if (!p)
            return AML_ERR_NO_MEMORY;
        out->type = AML_TYPE_PACKAGE;
        out->u.package = p;
        for (size_t i = 0; i < from->count; i++) {
            enum aml_status s = value_copy(aml, &from->elements[i], &p->elements[i], depth + 1);
            if (s != AML_OK) {
                aml_value_free(aml, out);
                return s;
            }
        }
        return AML_OK;
    }
    default:
        *out = aml_value_share(value);
        return AML_OK;
    }
}

enum aml_status aml_value_copy(struct aml *aml, const struct aml_value *value,
                               struct aml_value *out)
{
    return value_copy(aml, value, out, 0);
}

void aml_value_replace(struct aml *aml, struct aml_value *target, struct aml_value value)
{
    aml_value_free(aml, target);
    *target = value;
}

enum aml_status aml_string_new(struct aml *aml, const char *chars, size_t length,
                               struct aml_value *out)
{
    memset(out, 0, sizeof(*out));
    struct aml_bytes *b = aml_bytes_new(aml, length);
    if (!b)
        return AML_ERR_NO_MEMORY;
    if (length && chars)
        memcpy(b->data, chars, length);
    out->type = AML_TYPE_STRING;
    out->u.bytes = b;
    return AML_OK;
}

enum aml_status aml_buffer_new(struct aml *aml, const void *bytes, size_t length,
                               struct aml_value *out)
{
    memset(out, 0, sizeof(*out));
    struct aml_bytes *b = aml_bytes_new(aml, length);
    if (!b)
        return AML_ERR_NO_MEMORY;
    if (length && bytes)
        memcpy(b->data, bytes, length);
    out->type = AML_TYPE_BUFFER;
    out->u.bytes = b;
    return AML_OK;
}

const uint8_t *aml_value_data(const struct aml_value *value, size_t *length)
{
    if (!value || (value->type != AML_TYPE_STRING && value->type != AML_TYPE_BUFFER)) {
        if (length)
            *length = 0;
        return NULL;
    }
    if (length)
        *length = value->u.bytes->length;
    return value->u.bytes->data;
}

size_t aml_package_count(const struct aml_value *value)
{
    return value && value->type == AML_TYPE_PACKAGE ? value->u.package->count : 0;
}

const struct aml_value *aml_package_element(const struct aml_value *value, size_t i)
{
    if (!value || value->type != AML_TYPE_PACKAGE || i >= value->u.package->count)
        return NULL;
    return &value->u.package->elements[i];
}

struct aml_node *aml_value_node(const struct aml_value *value)
{
    if (!value)
        return NULL;
    if (value->type == AML_TYPE_REFERENCE)
        return value->u.ref->kind == AML_REFERENCE_NODE ? value->u.ref->node : NULL;
    switch (value->type) {
    case AML_TYPE_DEVICE:
    case AML_TYPE_EVENT:
    case AML_TYPE_METHOD:
    case AML_TYPE_MUTEX:
    case AML_TYPE_REGION:
    case AML_TYPE_POWER_RESOURCE:
    case AML_TYPE_PROCESSOR:
    case AML_TYPE_THERMAL_ZONE:
    case AML_TYPE_FIELD_UNIT:
    case AML_TYPE_BUFFER_FIELD:
        return value->u.node;
    default:
        return NULL;
    }
}
