#ifndef MISSIVE_ROOT_TASK_H
#define MISSIVE_ROOT_TASK_H

#include "bootmem.h"
#include "initrd.h"

/* Loads the program at path in the initrd into a new address space built
   from bm's frames, with a stack holding argv = {path, the words of args},
   and makes its thread runnable. Returns 0, or -1 (after logging why) when the initrd has no valid
   root task; the kernel then has nothing to run. Boot CPU, boot time only. */
int root_task_create(struct bootmem *bm, const struct mb2_info *info, const struct initrd *initrd,
                     const char *path, const char *args);

#endif
