/* Boot command line tokenizer; see cmdline.h. */
#include "cmdline/cmdline.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool cmdline_next(const char **cursor, struct cmdline_option *opt)
{
    const char *p = *cursor;
    while (*p && is_space(*p))
        p++;
    if (!*p) {
        *cursor = p;
        return false;
    }
    opt->key = p;
    while (*p && !is_space(*p) && *p != '=')
        p++;
    opt->key_len = (size_t)(p - opt->key);
    opt->value = NULL;
    opt->value_len = 0;
    if (*p == '=') {
        p++;
        if (*p == '"') {
            p++;
            opt->value = p;
            while (*p && *p != '"')
                p++;
            opt->value_len = (size_t)(p - opt->value);
            if (*p == '"')
                p++;
        } else {
            opt->value = p;
            while (*p && !is_space(*p))
                p++;
            opt->value_len = (size_t)(p - opt->value);
        }
    }
    *cursor = p;
    return true;
}

static bool span_equals(const char *s, size_t len, const char *text)
{
    size_t i = 0;
    for (; i < len; i++)
        if (text[i] != s[i]) /* also stops at text's NUL, as s[i] is never NUL */
            return false;
    return text[i] == '\0';
}

bool cmdline_key_is(const struct cmdline_option *opt, const char *key)
{
    return span_equals(opt->key, opt->key_len, key);
}

bool cmdline_value_is(const struct cmdline_option *opt, const char *text)
{
    return opt->value && span_equals(opt->value, opt->value_len, text);
}

bool cmdline_parse_u64(const char *s, size_t len, uint64_t *out)
{
    unsigned base = 10;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        len -= 2;
    }
    if (len == 0)
        return false;
    uint64_t value = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        unsigned digit;
        if (c >= '0' && c <= '9')
            digit = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (value > (UINT64_MAX - digit) / base)
            return false;
        value = value * base + digit;
    }
    *out = value;
    return true;
}
