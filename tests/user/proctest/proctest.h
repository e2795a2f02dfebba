/* proctest's suites (one file each) and its check counter. */
#ifndef PROCTEST_H
#define PROCTEST_H

#include "result/result.h"

extern int checks, failures;
void check(const char *what, long got, long want);
/* Checks that got is success (status SERVICE_OK) or the server's status want. */
void check_status(const char *what, struct result got, enum service_error want);
/* Checks that got is a bad argument, the server saying it is argument `argument`. */
void check_bad_argument(const char *what, struct result got, unsigned argument);

int libc_suite(void);
int echo_server(const char *version);
int echo_client(int rounds);
int echo_crash(void);
int bad_messages(void);
int fuzz_servers(unsigned rounds);

#endif
