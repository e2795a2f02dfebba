/*
 * The name registry: servers' endpoints by name. A lookup gets a copy
 * minted with the caller's process id as badge, so a server always knows
 * who calls. Manifest servers' endpoints are registered by procsrv itself
 * and outlive the server (restarts and swaps keep them); endpoints a
 * process registers go when it ends.
 */
#include <string.h>

#include "procsrv.h"

#define MAX_NAMES 32

static struct {
    char name[PROTO_NAME_MAX + 1];
    uint64_t endpoint; /* procsrv's slot; 0: a free entry */
    uint64_t owner;    /* the process that registered it; 0: procsrv (a manifest server) */
} names[MAX_NAMES];

static int find(const char *name)
{
    for (int i = 0; i < MAX_NAMES; i++)
        if (names[i].endpoint && strcmp(names[i].name, name) == 0)
            return i;
    return -1;
}

long names_register(const char *name, uint64_t endpoint_slot, uint64_t owner)
{
    if (find(name) >= 0)
        return SERVICE_EXISTS;
    for (int i = 0; i < MAX_NAMES; i++) {
        if (!names[i].endpoint) {
            strcpy(names[i].name, name);
            names[i].endpoint = endpoint_slot;
            names[i].owner = owner;
            return SERVICE_OK;
        }
    }
    return SERVICE_TOO_MANY;
}

void names_set_service(const char *name, uint64_t endpoint_slot, uint64_t owner)
{
    int i = find(name);
    if (i >= 0) {
        names[i].endpoint = endpoint_slot;
        names[i].owner = owner;
    } else {
        names_register(name, endpoint_slot, owner);
    }
}

uint64_t names_lookup(const char *name)
{
    int i = find(name);
    return i >= 0 ? names[i].endpoint : 0;
}

void names_drop_owner(uint64_t owner)
{
    for (int i = 0; i < MAX_NAMES; i++) {
        if (names[i].endpoint && names[i].owner == owner) {
            slot_release(names[i].endpoint);
            names[i].endpoint = 0;
        }
    }
}
