/*
 * The boot manifest parser. See manifest.h for the format. Every field is
 * checked against its range here, so procsrv can trust an entry it gets.
 */
#include "manifest/manifest.h"

#include "cmdline/cmdline.h"

#include <string.h>

/* A token of the line: [start, start + len). */
struct token {
    const char *start;
    size_t len;
};

/* The first c in [s, s + len), or NULL (memchr, which the kernel's string.h
   that host tests see lacks). */
static const char *find_char(const char *s, size_t len, char c)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == c)
            return s + i;
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Splits the line into tokens, stopping at a comment. Returns how many, or
   max + 1 if there are more than max. */
static size_t tokenize(const char *line, size_t len, struct token *tokens, size_t max)
{
    size_t count = 0, i = 0;
    while (i < len) {
        while (i < len && is_space(line[i]))
            i++;
        if (i == len || line[i] == '#')
            break;
        size_t start = i;
        while (i < len && !is_space(line[i]) && line[i] != '#')
            i++;
        if (count == max)
            return max + 1;
        tokens[count++] = (struct token){line + start, i - start};
    }
    return count;
}

static bool token_is(struct token t, const char *word)
{
    size_t n = strlen(word);
    return t.len == n && memcmp(t.start, word, n) == 0;
}

/* Writes "prefix 'token'" (cut to fit) as the error; returns MANIFEST_ERROR. */
static enum manifest_result fail(char *error, const char *prefix, struct token t)
{
    size_t n = strlen(prefix), room = MANIFEST_ERROR_MAX;
    if (n > room)
        n = room;
    memcpy(error, prefix, n);
    if (t.start && n + 3 < room) {
        size_t take = t.len < room - n - 3 ? t.len : room - n - 3;
        error[n++] = ' ';
        error[n++] = '\'';
        memcpy(error + n, t.start, take);
        n += take;
        error[n++] = '\'';
    }
    error[n] = 0;
    return MANIFEST_ERROR;
}

/* Parses an unsigned decimal or 0x-hex number of at most max. */
static bool parse_number(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    return cmdline_parse_u64(s, len, out) && *out <= max;
}

bool manifest_parse_size(const char *text, size_t len, uint64_t *bytes)
{
    unsigned shift = 0;
    if (len > 1) {
        char unit = text[len - 1];
        shift = unit == 'K' || unit == 'k'   ? 10
                : unit == 'M' || unit == 'm' ? 20
                : unit == 'G' || unit == 'g' ? 30
                                             : 0;
        if (shift)
            len--;
    }
    uint64_t value;
    if (!parse_number(text, len, UINT64_MAX >> shift, &value))
        return false;
    *bytes = value << shift;
    return true;
}

/* Names: 1-31 of [a-z0-9_-]. */
static bool valid_name(struct token t)
{
    if (t.len == 0 || t.len > MANIFEST_NAME_MAX)
        return false;
    for (size_t i = 0; i < t.len; i++) {
        char c = t.start[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Programs: paths in the initrd, printable, no spaces. */
static bool valid_program(struct token t)
{
    if (t.len == 0 || t.len > MANIFEST_PROGRAM_MAX || t.start[0] == '/')
        return false;
    for (size_t i = 0; i < t.len; i++)
        if (t.start[i] < 0x21 || t.start[i] > 0x7e)
            return false;
    return true;
}

/* Calls item for each comma-separated item of v (empty ones included, so
   "1," fails); false as soon as one does. */
static bool each_item(struct token v, struct manifest_entry *e,
                      bool (*item)(struct token, struct manifest_entry *))
{
    size_t i = 0;
    while (i <= v.len) {
        size_t end = i;
        while (end < v.len && v.start[end] != ',')
            end++;
        if (!item((struct token){v.start + i, end - i}, e))
            return false;
        i = end + 1;
    }
    return true;
}

/* "A-B" or "A": one I/O port range. */
static bool ioport_item(struct token t, struct manifest_entry *e)
{
    const char *dash = find_char(t.start, t.len, '-');
    size_t first_len = dash ? (size_t)(dash - t.start) : t.len;
    uint64_t first, last;
    if (e->ioport_count == MANIFEST_MAX_IOPORTS ||
        !parse_number(t.start, first_len, 0xffff, &first))
        return false;
    if (!dash)
        last = first;
    else if (!parse_number(dash + 1, t.len - first_len - 1, 0xffff, &last))
        return false;
    if (first > last)
        return false;
    e->ioports[e->ioport_count++] = (struct manifest_range){(uint32_t)first, (uint32_t)last};
    return true;
}

/* "N": one IRQ line, 0-23. */
static bool irq_item(struct token t, struct manifest_entry *e)
{
    uint64_t irq;
    if (e->irq_count == MANIFEST_MAX_IRQS || !parse_number(t.start, t.len, 23, &irq))
        return false;
    e->irqs[e->irq_count++] = (unsigned)irq;
    return true;
}

/* "BASE+SIZE": one device memory range, page aligned, at most MANIFEST_MMIO_MAX. */
static bool mmio_item(struct token t, struct manifest_entry *e)
{
    const char *plus = find_char(t.start, t.len, '+');
    uint64_t base, size;
    if (!plus || e->mmio_count == MANIFEST_MAX_MMIO)
        return false;
    size_t base_len = (size_t)(plus - t.start);
    if (!parse_number(t.start, base_len, UINT64_C(0xffffffffffff), &base) ||
        !manifest_parse_size(plus + 1, t.len - base_len - 1, &size) || size == 0 ||
        size > MANIFEST_MMIO_MAX || (base | size) & 0xfff)
        return false;
    e->mmio[e->mmio_count].base = base;
    e->mmio[e->mmio_count++].size = size;
    return true;
}

/* "NAME": a server whose endpoint the process gets. */
static bool endpoint_item(struct token t, struct manifest_entry *e)
{
    if (e->endpoint_count == MANIFEST_MAX_ENDPOINTS || !valid_name(t))
        return false;
    memcpy(e->endpoints[e->endpoint_count], t.start, t.len);
    e->endpoints[e->endpoint_count++][t.len] = 0;
    return true;
}

/* Exactly `digits` hex digits at t (from offset at) into *value. */
static bool hex_field(struct token t, size_t at, size_t digits, uint32_t *value)
{
    *value = 0;
    if (at + digits > t.len)
        return false;
    for (size_t i = at; i < at + digits; i++) {
        char c = t.start[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return false;
        *value = *value << 4 | d;
    }
    return true;
}

/* "CC.SS.PP" (class) or "VVVV:DDDD" (vendor:device), hex. */
static bool parse_pci(struct token v, struct manifest_entry *e)
{
    uint32_t a, b, c;
    if (v.len == 8 && v.start[2] == '.' && v.start[5] == '.' && hex_field(v, 0, 2, &a) &&
        hex_field(v, 3, 2, &b) && hex_field(v, 6, 2, &c)) {
        e->pci = MANIFEST_PCI_CLASS;
        e->pci_match = a << 16 | b << 8 | c;
        return true;
    }
    if (v.len == 9 && v.start[4] == ':' && hex_field(v, 0, 4, &a) && hex_field(v, 5, 4, &b)) {
        e->pci = MANIFEST_PCI_ID;
        e->pci_match = a | b << 16;
        return true;
    }
    return false;
}

/* Applies one key=value (or a bare flag) to entry. */
static enum manifest_result parse_option(struct token t, struct manifest_entry *e, char *error)
{
    const char *eq = find_char(t.start, t.len, '=');
    struct token key = {t.start, eq ? (size_t)(eq - t.start) : t.len};
    struct token value = {eq ? eq + 1 : 0, eq ? t.len - key.len - 1 : 0};
    uint64_t n;
    if (token_is(key, "debug") && !eq) {
        e->debug = true;
        return MANIFEST_ENTRY;
    }
    if (token_is(key, "acpi") && !eq) {
        e->acpi = true;
        return MANIFEST_ENTRY;
    }
    if (token_is(key, "framebuffer") && !eq) {
        e->framebuffer = true;
        return MANIFEST_ENTRY;
    }
    if (token_is(key, "block") && !eq) {
        e->block = true;
        return MANIFEST_ENTRY;
    }
    if (!eq || value.len == 0)
        return fail(error,
                    token_is(key, "priority") || token_is(key, "quota") ||
                            token_is(key, "cspace") || token_is(key, "ioports") ||
                            token_is(key, "irq") || token_is(key, "restart") ||
                            token_is(key, "mmio") || token_is(key, "endpoints") ||
                            token_is(key, "pci") || token_is(key, "msi")
                        ? "missing value in"
                        : "unknown option",
                    t);
    if (token_is(key, "priority")) {
        if (!parse_number(value.start, value.len, 254, &n) || n == 0)
            return fail(error, "priority must be 1-254, not", value);
        e->priority = (unsigned)n;
    } else if (token_is(key, "quota")) {
        if (!manifest_parse_size(value.start, value.len, &n) || n < 64 * 1024 ||
            n > (UINT64_C(64) << 30))
            return fail(error, "quota must be 64K-64G, not", value);
        e->quota = n;
    } else if (token_is(key, "cspace")) {
        if (!parse_number(value.start, value.len, 16, &n) || n < 6)
            return fail(error, "cspace must be 6-16 (bits), not", value);
        e->cspace_bits = (unsigned)n;
    } else if (token_is(key, "ioports")) {
        if (!each_item(value, e, ioport_item))
            return fail(error, "ioports must be up to 8 ranges A-B of 0-0xffff, not", value);
    } else if (token_is(key, "irq")) {
        if (!each_item(value, e, irq_item))
            return fail(error, "irq must be up to 4 lines of 0-23, not", value);
    } else if (token_is(key, "mmio")) {
        if (!each_item(value, e, mmio_item))
            return fail(error,
                        "mmio must be up to 4 ranges BASE+SIZE, page aligned, 16M at most, not",
                        value);
    } else if (token_is(key, "endpoints")) {
        if (!each_item(value, e, endpoint_item))
            return fail(error, "endpoints must be up to 4 server names, not", value);
    } else if (token_is(key, "pci")) {
        if (!parse_pci(value, e))
            return fail(error, "pci must be CC.SS.PP or VVVV:DDDD (hex), not", value);
    } else if (token_is(key, "msi")) {
        if (!token_is(value, "on") && !token_is(value, "off"))
            return fail(error, "msi must be on or off, not", value);
        e->no_msi = token_is(value, "off");
    } else if (token_is(key, "restart")) {
        if (!parse_number(value.start, value.len, 100, &n))
            return fail(error, "restart must be 0-100, not", value);
        e->restart = (unsigned)n;
    } else {
        return fail(error, "unknown option", key);
    }
    return MANIFEST_ENTRY;
}

enum manifest_result manifest_parse_line(const char *line, size_t len, struct manifest_entry *e,
                                         char error[MANIFEST_ERROR_MAX + 1])
{
    struct token tokens[48];
    size_t count = tokenize(line, len, tokens, 48);
    if (count == 0)
        return MANIFEST_EMPTY;
    if (count > 48)
        return fail(error, "too many words", (struct token){0, 0});
    memset(e, 0, sizeof *e);
    e->priority = 100;
    e->quota = UINT64_C(16) << 20;
    e->cspace_bits = 8;
    if (token_is(tokens[0], "server"))
        e->server = true;
    else if (!token_is(tokens[0], "program"))
        return fail(error, "expected 'server' or 'program', not", tokens[0]);
    if (count < 3)
        return fail(error, "expected a name and a program after", tokens[0]);
    if (!valid_name(tokens[1]))
        return fail(error, "a name is 1-31 of a-z 0-9 _ -, not", tokens[1]);
    if (!valid_program(tokens[2]))
        return fail(error, "not a program path:", tokens[2]);
    memcpy(e->name, tokens[1].start, tokens[1].len);
    memcpy(e->program, tokens[2].start, tokens[2].len);
    size_t i = 3;
    for (; i < count && !token_is(tokens[i], "--"); i++)
        if (parse_option(tokens[i], e, error) == MANIFEST_ERROR)
            return MANIFEST_ERROR;
    size_t used = 0;
    for (i++; i < count; i++) {
        if (used + tokens[i].len + 1 > MANIFEST_ARGS_MAX)
            return fail(error, "arguments too long at", tokens[i]);
        memcpy(e->args + used, tokens[i].start, tokens[i].len);
        used += tokens[i].len;
        e->args[used++] = 0;
        e->argc++;
    }
    return MANIFEST_ENTRY;
}

bool manifest_next_line(const char *text, size_t size, size_t *pos, const char **line, size_t *len)
{
    if (*pos >= size)
        return false;
    size_t start = *pos, end = start;
    while (end < size && text[end] != '\n')
        end++;
    *line = text + start;
    *len = end - start;
    *pos = end < size ? end + 1 : end;
    return true;
}
