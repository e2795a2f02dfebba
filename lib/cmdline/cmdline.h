/*
 * Tokenizer for boot command lines: options separated by spaces, each
 * `key` or `key=value`, where a value may be double-quoted to hold spaces.
 * Pure C with no libc calls, shared by the kernel and host tests.
 */
#ifndef MISSIVE_CMDLINE_H
#define MISSIVE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmdline_option {
    const char *key; /* points into the command line; not NUL-terminated */
    size_t key_len;
    const char *value; /* NULL when the option has no '=' */
    size_t value_len;
};

/* Reads the next option at *cursor into *opt and advances *cursor past it.
   Returns false at the end of the string. An unterminated quote runs to the
   end of the string. A bare "=" yields an option with an empty key, which
   callers report as malformed. */
bool cmdline_next(const char **cursor, struct cmdline_option *opt);

/* True if the option's key is exactly key. */
bool cmdline_key_is(const struct cmdline_option *opt, const char *key);

/* True if the option's value is exactly text (false when it has no value). */
bool cmdline_value_is(const struct cmdline_option *opt, const char *text);

/* Parses a decimal or 0x-prefixed hexadecimal number of exactly len
   characters into *out. False on an empty string, a stray character or
   overflow of 64 bits. */
bool cmdline_parse_u64(const char *s, size_t len, uint64_t *out);

#endif
