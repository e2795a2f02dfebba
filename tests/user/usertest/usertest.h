/* usertest's suites, one file each; the helpers they share are the test
   library's (tests/user/lib/testlib.h). */
#ifndef USERTEST_H
#define USERTEST_H

#include "testlib.h"

int caps_suite(void);
int transfer_suite(void);
int ipcbuf_suite(void);
int ipc_figures(void);
int trace_suite(void);
int preempt_figures(void);
int slowpath_loop(void);

#endif
