/*
 * A small printf engine shared by the kernel's log and host tools. Pure C:
 * no libc calls, so the kernel and the host unit tests compile it unchanged.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, length modifiers l, ll, z;
 * flags '-' and '0', a field width, and a precision for %s; width and
 * precision may be '*' (taken from the arguments). Anything else is
 * copied to the output verbatim so a bad format is visible, never fatal.
 */
#ifndef MISSIVE_FMT_H
#define MISSIVE_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each output character; ctx is passed through unchanged. */
typedef void (*fmt_sink)(void *ctx, char c);

/* Formats fmt with ap into sink; returns the number of characters emitted. */
int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/* Like snprintf: writes at most size-1 characters and a NUL (if size > 0),
   returns the length the full output would have had. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4))); /* lets -Wformat check callers */

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
