/*
 * Lookups in struct proc_info's grant list. See procgrant.h.
 */
#include "procgrant/procgrant.h"

/* The number of grant entries that may be read: grant_count, capped at the array's size so
   a corrupt count cannot make us read past the page. */
static uint64_t grant_count(const struct proc_info *info)
{
    return info->grant_count < PROC_MAX_GRANTS ? info->grant_count : PROC_MAX_GRANTS;
}

uint64_t procgrant_ports(const struct proc_info *info, uint64_t first, uint64_t last)
{
    if (first > last)
        return 0;
    for (uint64_t i = 0; i < grant_count(info); i++) {
        const struct proc_grant *g = &info->grants[i];
        if (g->kind == PROC_GRANT_IO_PORTS && g->arg <= first && last <= g->arg2)
            return g->slot;
    }
    return 0;
}

bool procgrant_irq(const struct proc_info *info, uint64_t line, uint64_t *handler,
                   uint64_t *notification)
{
    uint64_t count = grant_count(info);
    for (uint64_t i = 0; i + 1 < count; i++) {
        const struct proc_grant *g = &info->grants[i];
        if (g->kind != PROC_GRANT_IRQ || g->arg != line)
            continue;
        if (info->grants[i + 1].kind != PROC_GRANT_NOTIFICATION)
            return false;
        *handler = g->slot;
        *notification = info->grants[i + 1].slot;
        return true;
    }
    return false;
}

uint64_t procgrant_endpoint(const struct proc_info *info, const char *name)
{
    char want[16] = {0};
    for (unsigned i = 0; i < sizeof want && name[i]; i++)
        want[i] = name[i];
    for (uint64_t i = 0; i < grant_count(info); i++) {
        const struct proc_grant *g = &info->grants[i];
        if (g->kind != PROC_GRANT_ENDPOINT)
            continue;
        bool same = true;
        for (unsigned j = 0; j < sizeof want && same; j++) {
            unsigned long word = j < 8 ? g->arg : g->arg2;
            same = (char)(word >> (8 * (j % 8))) == want[j];
        }
        if (same)
            return g->slot;
    }
    return 0;
}
