#ifndef MISSIVE_INITRD_H
#define MISSIVE_INITRD_H

#include <stddef.h>

#include "mb2/mb2.h"

/* The boot module holding the initrd cpio archive, as the kernel sees it. */
struct initrd {
    const void *data; /* through the direct map; NULL if there is none */
    size_t size;
};

/* Picks the initrd among the boot modules (the one whose command line is "initrd", else the first),
   lists every file in it with its size, and reports a malformed archive without stopping the boot.
   Returns the module in *out (data NULL when absent or unusable). Needs the direct map. */
void initrd_init(const struct mb2_info *info, struct initrd *out);

#endif
