/* usertest's suites, one file each. */
#ifndef USERTEST_H
#define USERTEST_H

int caps_suite(void);
int ipc_figures(void);

#endif
