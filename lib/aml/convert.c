/*
 * Conversions between integers, strings and buffers (ACPI 6.4, 19.3.5), comparison,
 * Concatenate, and the text of a value for the Debug object.
 */
#include <stdio.h>
#include <string.h>

#include "aml/internal.h"

static int hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses a string's leading digits in base (16 or 10; "0x" always means 16), stopping at the
   first character that is not a digit; masked to the integer width. */
static uint64_t parse_string(const struct aml *aml, const struct aml_bytes *b, unsigned base)
{
    size_t i = 0;
    while (i < b->length && (b->data[i] == ' ' || b->data[i] == '\t'))
        i++;
    if (i + 1 < b->length && b->data[i] == '0' &&
        (b->data[i + 1] == 'x' || b->data[i + 1] == 'X')) {
        base = 16;
        i += 2;
    }
    uint64_t v = 0;
    for (; i < b->length; i++) {
        int d = hex_digit(b->data[i]);
        if (d < 0 || d >= (int)base)
            break;
        v = v * base + (uint64_t)d;
    }
    return v & aml->integer_mask;
}

/* Implicit conversion: a string is read as hexadecimal (19.3.5.7), a buffer's first bytes as a
   little-endian integer. */
enum aml_status aml_to_integer(struct aml *aml, const struct aml_value *in, uint64_t *out)
{
    switch (in->type) {
    case AML_TYPE_INTEGER:
        *out = in->u.integer & aml->integer_mask;
        return AML_OK;
    case AML_TYPE_STRING:
        *out = parse_string(aml, in->u.bytes, 16);
        return AML_OK;
    case AML_TYPE_BUFFER: {
        uint64_t v = 0;
        size_t n = in->u.bytes->length < aml_integer_width(aml) / 8 ? in->u.bytes->length
                                                                    : aml_integer_width(aml) / 8;
        for (size_t i = 0; i < n; i++)
            v |= (uint64_t)in->u.bytes->data[i] << (8 * i);
        *out = v;
        return AML_OK;
    }
    default:
        return AML_ERR_TYPE;
    }
}

/* ToInteger: a string is decimal unless it starts with "0x". */
enum aml_status aml_to_integer_explicit(struct aml *aml, const struct aml_value *in, uint64_t *out)
{
    if (in->type == AML_TYPE_STRING) {
        *out = parse_string(aml, in->u.bytes, 10);
        return AML_OK;
    }
    return aml_to_integer(aml, in, out);
}

enum aml_status aml_to_buffer(struct aml *aml, const struct aml_value *in, struct aml_value *out)
{
    switch (in->type) {
    case AML_TYPE_INTEGER: {
        uint8_t bytes[8];
        for (int i = 0; i < 8; i++)
            bytes[i] = (uint8_t)(in->u.integer >> (8 * i));
        return aml_buffer_new(aml, bytes, aml_integer_width(aml) / 8, out);
    }
    case AML_TYPE_STRING: /* the characters and the NUL; an empty string gives no bytes */
        return aml_buffer_new(aml, in->u.bytes->data,
                              in->u.bytes->length ? in->u.bytes->length + 1 : 0, out);
    case AML_TYPE_BUFFER:
        *out = aml_value_share(in);
        return AML_OK;
    default:
        return AML_ERR_TYPE;
    }
}

/* Formats the bytes of a buffer as items ("0x%02X" or "%u") joined by separator. */
static enum aml_status format_buffer(struct aml *aml, const struct aml_bytes *b, bool hex,
                                     const char *separator, struct aml_value *out)
{
    size_t item = hex ? 4 : 3, sep = strlen(separator);
    size_t room = b->length * (item + sep) + 1;
    struct aml_bytes *s = aml_bytes_new(aml, room);
    if (!s)
        return AML_ERR_NO_MEMORY;
    size_t n = 0;
    for (size_t i = 0; i < b->length; i++)
        n += (size_t)snprintf((char *)s->data + n, room - n, hex ? "%s0x%02X" : "%s%u",
                              i ? separator : "", b->data[i]);
    s->length = n;
    out->type = AML_TYPE_STRING;
    out->u.bytes = s;
    return AML_OK;
}

static enum aml_status string_from_text(struct aml *aml, const char *text, struct aml_value *out)
{
    return aml_string_new(aml, text, strlen(text), out);
}

/* Implicit conversion to a string: an integer as all its hex digits (no 0x), a buffer as hex
   bytes separated by spaces. */
enum aml_status aml_to_string(struct aml *aml, const struct aml_value *in, struct aml_value *out)
{
    char text[24];
    switch (in->type) {
    case AML_TYPE_INTEGER:
        snprintf(text, sizeof(text), "%0*llX", (int)aml_integer_width(aml) / 4,
                 (unsigned long long)in->u.integer);
        return string_from_text(aml, text, out);
    case AML_TYPE_STRING:
        *out = aml_value_share(in);
        return AML_OK;
    case AML_TYPE_BUFFER:
        return format_buffer(aml, in->u.bytes, true, " ", out);
    default:
        return AML_ERR_TYPE;
    }
}

/* ToHexString: an integer as "0x" and its digits without leading zeros; a buffer as
   "0x0A,0x1B". */
enum aml_status aml_to_hex_string(struct aml *aml, const struct aml_value *in,
                                  struct aml_value *out)
{
    char text[24];
    if (in->type == AML_TYPE_INTEGER) {
        snprintf(text, sizeof(text), "0x%llX", (unsigned long long)in->u.integer);
        return string_from_text(aml, text, out);
    }
    if (in->type == AML_TYPE_BUFFER)
        return format_buffer(aml, in->u.bytes, true, ",", out);
    return aml_to_string(aml, in, out);
}

/* ToDecimalString: an integer in decimal; a buffer as "10,27". */
enum aml_status aml_to_decimal_string(struct aml *aml, const struct aml_value *in,
                                      struct aml_value *out)
{
    char text[24];
    if (in->type == AML_TYPE_INTEGER) {
        snprintf(text, sizeof(text), "%llu", (unsigned long long)in->u.integer);
        return string_from_text(aml, text, out);
    }
    if (in->type == AML_TYPE_BUFFER)
        return format_buffer(aml, in->u.bytes, false, ",", out);
    return aml_to_string(aml, in, out);
}

enum aml_status aml_convert(struct aml *aml, const struct aml_value *in, enum aml_type type,
                            struct aml_value *out)
{
    uint64_t v;
    enum aml_status s;
    memset(out, 0, sizeof(*out));
    switch (type) {
    case AML_TYPE_INTEGER:
        if ((s = aml_to_integer(aml, in, &v)) == AML_OK)
            *out = aml_integer(v);
        return s;
    case AML_TYPE_STRING:
        return aml_to_string(aml, in, out);
    case AML_TYPE_BUFFER:
        return aml_to_buffer(aml, in, out);
    default:
        return AML_ERR_TYPE;
    }
}

enum aml_status aml_compare(struct aml *aml, const struct aml_value *a, const struct aml_value *b,
                            int *order)
{
    if (a->type != AML_TYPE_INTEGER && a->type != AML_TYPE_STRING && a->type != AML_TYPE_BUFFER)
        return AML_ERR_TYPE;
    struct aml_value other;
    enum aml_status s = aml_convert(aml, b, a->type, &other);
    if (s != AML_OK)
        return s;
    if (a->type == AML_TYPE_INTEGER) {
        uint64_t x = a->u.integer & aml->integer_mask, y = other.u.integer;
        *order = x < y ? -1 : x > y;
    } else {
        size_t la = a->u.bytes->length, lb = other.u.bytes->length;
        aml_charge(aml, la < lb ? la : lb);
        int c = memcmp(a->u.bytes->data, other.u.bytes->data, la < lb ? la : lb);
        *order = c ? (c < 0 ? -1 : 1) : (la < lb ? -1 : la > lb);
    }
    aml_value_free(aml, &other);
    return AML_OK;
}

/* Concatenate (19.6.12): two integers give a buffer of both; a string or buffer first gives a
   string or buffer with the second converted to its type. */
enum aml_status aml_concatenate(struct aml *aml, const struct aml_value *a,
                                const struct aml_value *b, struct aml_value *out)
{
    struct aml_value first = {0}, second = {0};
    enum aml_type type = a->type == AML_TYPE_STRING ? AML_TYPE_STRING : AML_TYPE_BUFFER;
    enum aml_status s = aml_convert(aml, a, type, &first);
    if (s == AML_OK)
        s = aml_convert(aml, b, type, &second);
    if (s == AML_OK) {
        size_t la = first.u.bytes->length, lb = second.u.bytes->length;
        /* A string converted to a buffer here brings no NUL: only the characters join. */
        if (type == AML_TYPE_BUFFER && b->type == AML_TYPE_STRING && lb)
            lb--;
        s = type == AML_TYPE_STRING ? aml_string_new(aml, NULL, la + lb, out)
                                    : aml_buffer_new(aml, NULL, la + lb, out);
        if (s == AML_OK) {
            memcpy(out->u.bytes->data, first.u.bytes->data, la);
            memcpy(out->u.bytes->data + la, second.u.bytes->data, lb);
        }
    }
    aml_value_free(aml, &first);
    aml_value_free(aml, &second);
    return s;
}

void aml_value_describe(const struct aml *aml, const struct aml_value *value, char *out,
                        size_t size)
{
    (void)aml;
    size_t n;
    switch (value->type) {
    case AML_TYPE_INTEGER:
        snprintf(out, size, "0x%llX", (unsigned long long)value->u.integer);
        break;
    case AML_TYPE_STRING:
        snprintf(out, size, "\"%.*s\"", (int)(size > 4 ? size - 4 : 0), value->u.bytes->data);
        break;
    case AML_TYPE_BUFFER:
        n = (size_t)snprintf(out, size, "Buffer(%zu){", value->u.bytes->length);
        for (size_t i = 0; i < value->u.bytes->length && n + 8 < size; i++)
            n += (size_t)snprintf(out + n, size - n, i ? " %02X" : "%02X", value->u.bytes->data[i]);
        if (n + 2 < size)
            snprintf(out + n, size - n, "}");
        break;
    case AML_TYPE_PACKAGE:
        snprintf(out, size, "Package(%zu)", value->u.package->count);
        break;
    case AML_TYPE_REFERENCE:
        snprintf(out, size, "Reference");
        break;
    default:
        snprintf(out, size, "Object(type %d)", (int)value->type);
        break;
    }
}
