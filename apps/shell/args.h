/*
 * The shell's pure helpers: splitting a command line into words, strict
 * number parsing, and naming a program in the initrd. No libc beyond memcpy
 * and strlen, so the host tests (tests/unit/test_shellargs.c) run them as is.
 */
#ifndef MISSIVE_SHELL_ARGS_H
#define MISSIVE_SHELL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARGS_MAX 16 /* words in one command line, the command included */

enum args_error {
    ARGS_OK = 0,
    ARGS_TOO_MANY,   /* more than the caller's max words */
    ARGS_OPEN_QUOTE, /* a " without its closing one */
};

/* Splits line, in place, into words separated by spaces and tabs, and points words[0..*count-1]
   at them (NUL-terminated, inside line). Double quotes group: "a b" is one word a b, quotes
   may sit inside a word (x"y z" is xy z) and "" is an empty word. A backslash before " or \
   (inside quotes or not) stands for that character; any other backslash is itself. If the
   last word is a lone unquoted &, it is removed and *background set; otherwise *background is
   false. On an error *count is 0 and line's contents are unspecified. */
enum args_error args_split(char *line, char *words[], size_t max, size_t *count, bool *background);

/* Parses s as a decimal number with no sign, spaces or other characters, at most
   UINT64_MAX. Returns false (leaving *out alone) if it is not one. */
bool args_parse_u64(const char *s, uint64_t *out);

/* The initrd path of a program named on the command line: "name" (no slash) means
   "bin/name"; a name with a slash is a path, without leading slashes ("/bin/x" is
   "bin/x"). Returns false if the result is empty or does not fit in cap bytes. */
bool args_program_path(const char *program, char *out, size_t cap);

/* A path named on the command line without its leading slashes (the initrd has no root). */
const char *args_file_path(const char *path);

#endif
