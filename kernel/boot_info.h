#ifndef MISSIVE_BOOT_INFO_H
#define MISSIVE_BOOT_INFO_H

#include <stdint.h>

#include "bootmem.h"
#include "initrd.h"
#include "mb2/mb2.h"

struct cspace;

/* Gives the root task (CSpace cs, address space root) everything the kernel hands over at boot,
   from slot ROOT_SLOT_FIRST_FREE on: the initrd's frames (read-only, also mapped at USER_INITRD),
   all remaining RAM as Untyped, device memory below 4 GiB as device Untyped, the framebuffer's
   frames; and the boot info page describing them (slot ROOT_SLOT_BOOT_INFO, mapped at
   USER_BOOT_INFO). After this the boot allocator is empty: the kernel allocates nothing on its own.
   Returns -1 if boot memory ran out. */
int boot_info_give(struct bootmem *bm, struct cspace *cs, uint64_t root,
                   const struct mb2_info *info, const struct initrd *initrd);

#endif
