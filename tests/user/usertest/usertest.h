/* usertest's suites, one file each. */
#ifndef USERTEST_H
#define USERTEST_H

int caps_suite(void);

#endif
