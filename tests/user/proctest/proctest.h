/* proctest's modes, one file each. A suite ends with its count line
   (check_report, tests/user/lib/testlib.h) and returns 1 if a check failed. */
#ifndef PROCTEST_H
#define PROCTEST_H

#include "testlib.h"

int libc_suite(void);
/* libsys threads with their own IPC buffers (threads.c), part of the libc suite. */
void threads_check(void);
/* POSIX file calls with no file server: clean failures that keep nothing (files.c). */
void files_check(void);
/* Slots given back and taken again, more than libsys keeps without the heap (slots.c): a
   mode of its own, for a process with room for them (the libc manifest gives it 4096 slots). */
int slots_suite(void);
int echo_server(const char *version);
int echo_client(int rounds);
int echo_crash(void);
int bad_messages(void);
int fuzz_servers(unsigned rounds);

/* listener.c */
int shutdown_listener(const char *how);

#endif
