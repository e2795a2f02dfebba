/*
 * The shell's tokenizer and parsers. See args.h.
 */
#include "args.h"

#include <string.h>

/* Whether c separates words. */
static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

enum args_error args_split(char *line, char *words[], size_t max, size_t *count, bool *background)
{
    size_t n = 0;
    bool last_plain_amp = false; /* the last word was a lone & typed without quotes */
    char *r = line, *w = line;   /* read and write positions: w never passes r */
    *count = 0;
    *background = false;
    for (;;) {
        while (is_space(*r))
            r++;
        if (!*r)
            break;
        if (n == max)
            return ARGS_TOO_MANY;
        words[n++] = w;
        bool quoted = false, any_quote = false;
        char *start = w;
        while (*r && (quoted || !is_space(*r))) {
            if (*r == '\\' && (r[1] == '"' || r[1] == '\\')) {
                *w++ = r[1];
                r += 2;
                any_quote = true; /* an escaped character is not a plain & either */
            } else if (*r == '"') {
                quoted = !quoted;
                any_quote = true;
                r++;
            } else {
                *w++ = *r++;
            }
        }
        if (quoted)
            return ARGS_OPEN_QUOTE;
        last_plain_amp = !any_quote && w - start == 1 && *start == '&';
        /* Terminating the word may overwrite the separator r points at: step over it first. */
        bool end = !*r;
        if (!end)
            r++;
        *w++ = '\0';
        if (end)
            break;
    }
    if (last_plain_amp) {
        n--;
        *background = true;
    }
    *count = n;
    return ARGS_OK;
}

bool args_parse_u64(const char *s, uint64_t *out)
{
    uint64_t value = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned digit = (unsigned)(*s - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *out = value;
    return true;
}

const char *args_file_path(const char *path)
{
    while (*path == '/')
        path++;
    return path;
}

/* Whether s holds the character c. (strchr would do, but the host tests see the kernel's
   <string.h>, which has only the mem* functions, strlen and strcmp.) */
static bool has_char(const char *s, char c)
{
    for (; *s; s++)
        if (*s == c)
            return true;
    return false;
}

bool args_program_path(const char *program, char *out, size_t cap)
{
    const char *prefix = has_char(program, '/') ? "" : "bin/";
    const char *name = args_file_path(program);
    size_t p = strlen(prefix), n = strlen(name);
    if (n == 0 || p + n + 1 > cap)
        return false;
    memcpy(out, prefix, p);
    memcpy(out + p, name, n + 1);
    return true;
}
