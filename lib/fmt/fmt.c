/* The printf engine; see fmt.h for what it accepts. */
#include "fmt/fmt.h"

#include <stdbool.h>
#include <stdint.h>

struct fmt_out {
    fmt_sink sink;
    void *ctx;
    int count;
};

static void emit(struct fmt_out *out, char c)
{
    out->sink(out->ctx, c);
    out->count++;
}

static void emit_padding(struct fmt_out *out, char c, int n)
{
    while (n-- > 0)
        emit(out, c);
}

/* Emits value in base (10 or 16), with sign, right-justified in width. */
static void emit_number(struct fmt_out *out, uint64_t value, bool negative, unsigned base,
                        bool upper, int width, bool left, bool zero_pad, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int len = 0;
    do {
        buf[len++] = digits[value % base];
        value /= base;
    } while (value);

    int prefix_len = 0;
    while (prefix[prefix_len])
        prefix_len++;
    int total = len + prefix_len + (negative ? 1 : 0);

    if (!left && !zero_pad)
        emit_padding(out, ' ', width - total);
    if (negative)
        emit(out, '-');
    for (int i = 0; i < prefix_len; i++)
        emit(out, prefix[i]);
    if (!left && zero_pad)
        emit_padding(out, '0', width - total);
    while (len)
        emit(out, buf[--len]);
    if (left)
        emit_padding(out, ' ', width - total);
}

int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
    struct fmt_out out = {sink, ctx, 0};
    va_list args;
    va_copy(args, ap);

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            emit(&out, *p);
            continue;
        }
        const char *start = p++;
        bool left = false, zero_pad = false;
        for (;; p++) {
            if (*p == '-')
                left = true;
            else if (*p == '0')
                zero_pad = true;
            else
                break;
        }
        int width = 0;
        if (*p == '*') {
            width = va_arg(args, int);
            if (width < -1000)
                width = -1000; /* bounds the padding loop; also avoids negating INT_MIN */
            else if (width > 1000)
                width = 1000;
            p++;
            if (width < 0) {
                left = true;
                width = -width;
            }
        }
        while (*p >= '0' && *p <= '9' && width < 1000)
            width = width * 10 + (*p++ - '0');
        int precision = -1;
        if (*p == '.') {
            p++;
            precision = 0;
            if (*p == '*') {
                precision = va_arg(args, int);
                p++;
            }
            while (*p >= '0' && *p <= '9' && precision < 100000)
                precision = precision * 10 + (*p++ - '0');
        }
        int longs = 0;
        bool size_t_arg = false;
        if (*p == 'z') {
            size_t_arg = true;
            p++;
        } else {
            while (*p == 'l' && longs < 2) {
                longs++;
                p++;
            }
        }

        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = size_t_arg   ? (int64_t)va_arg(args, size_t)
                        : longs == 2 ? va_arg(args, long long)
                        : longs == 1 ? va_arg(args, long)
                                     : va_arg(args, int);
            /* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
            uint64_t magnitude = v < 0 ? -(uint64_t)v : (uint64_t)v;
            emit_number(&out, magnitude, v < 0, 10, false, width, left, zero_pad, "");
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = size_t_arg   ? va_arg(args, size_t)
                         : longs == 2 ? va_arg(args, unsigned long long)
                         : longs == 1 ? va_arg(args, unsigned long)
                                      : va_arg(args, unsigned int);
            emit_number(&out, v, false, *p == 'u' ? 10 : 16, *p == 'X', width, left, zero_pad, "");
            break;
        }
        case 'p':
            emit_number(&out, (uintptr_t)va_arg(args, void *), false, 16, false, width, left,
                        zero_pad, "0x");
            break;
        case 'c':
            emit_padding(&out, ' ', left ? 0 : width - 1);
            emit(&out, (char)va_arg(args, int));
            emit_padding(&out, ' ', left ? width - 1 : 0);
            break;
        case 's': {
            const char *s = va_arg(args, const char *);
            if (!s)
                s = "(null)";
            int len = 0;
            /* Precision first: s need not be NUL-terminated within it. */
            while ((precision < 0 || len < precision) && s[len])
                len++;
            emit_padding(&out, ' ', left ? 0 : width - len);
            for (int i = 0; i < len; i++)
                emit(&out, s[i]);
            emit_padding(&out, ' ', left ? width - len : 0);
            break;
        }
        case '%':
            emit(&out, '%');
            break;
        default:
            /* Unknown conversion (or the format ended): show it as written. */
            for (const char *q = start; q <= p && *q; q++)
                emit(&out, *q);
            if (!*p)
                p--;
            break;
        }
    }
    va_end(args);
    return out.count;
}

struct fmt_buffer {
    char *buf;
    size_t size;
    size_t len;
};

static void buffer_sink(void *ctx, char c)
{
    struct fmt_buffer *b = ctx;
    if (b->size && b->len < b->size - 1)
        b->buf[b->len] = c;
    b->len++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_buffer b = {buf, size, 0};
    int n = fmt_vformat(buffer_sink, &b, fmt, ap);
    if (size)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
