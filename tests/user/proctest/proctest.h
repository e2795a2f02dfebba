/* proctest's suites (one file each) and its check counter. */
#ifndef PROCTEST_H
#define PROCTEST_H

extern int checks, failures;
void check(const char *what, long got, long want);

int libc_suite(void);
int echo_server(const char *version);
int echo_client(int rounds);
int echo_crash(void);
int bad_messages(void);
int fuzz_servers(unsigned rounds);

#endif
