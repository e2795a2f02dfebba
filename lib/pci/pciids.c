/*
 * pci.ids lookups; see pciids.h. A line is "XXXX  name" (vendor) or "\tXXXX  name" (device):
 * four hex digits, two spaces, the name. Anything else, however malformed, is skipped.
 */
#include "pci/pciids.h"

#include <string.h>

/* Four hex digits at text into *value; false if they are not. */
static int hex4(const char *text, unsigned *value)
{
    *value = 0;
    for (int i = 0; i < 4; i++) {
        char c = text[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return 0;
        *value = *value << 4 | d;
    }
    return 1;
}

static void copy_name(char out[PCIIDS_NAME_MAX + 1], const char *name, size_t length)
{
    if (length > PCIIDS_NAME_MAX)
        length = PCIIDS_NAME_MAX;
    memcpy(out, name, length);
    out[length] = 0;
}

void pciids_start(struct pciids_pass *pass)
{
    pass->vendor = -1;
}

void pciids_line(struct pciids_pass *pass, const char *line, size_t length,
                 struct pciids_query *queries, unsigned count)
{
    size_t indent = length && line[0] == '\t' ? 1 : 0;
    unsigned id;
    if (length < indent + 7 || line[indent + 4] != ' ' || line[indent + 5] != ' ' ||
        (indent && length > 1 && line[1] == '\t') || !hex4(line + indent, &id)) {
        if (!indent)
            pass->vendor = -1; /* a line that is no vendor ends the last vendor's devices */
        return;
    }
    const char *name = line + indent + 6;
    size_t name_length = length - indent - 6;
    if (!indent)
        pass->vendor = (int)id;
    for (unsigned i = 0; i < count; i++) {
        struct pciids_query *q = &queries[i];
        if (!indent && q->vendor == id)
            copy_name(q->vendor_name, name, name_length);
        else if (indent && pass->vendor == (int)q->vendor && q->device == id)
            copy_name(q->device_name, name, name_length);
    }
}
