/*
 * The initial stack's layout. See initstack.h.
 */
#include "initstack/initstack.h"

/* Bytes the table needs below the strings for count strings: argc, the pointers, two NULLs,
   and up to 15 bytes of alignment. */
static uint64_t table_bytes(unsigned count)
{
    return (uint64_t)(count + 3) * 8 + 15;
}

void initstack_init(struct initstack *s, uint8_t *page, uint64_t page_user)
{
    s->page = page;
    s->page_user = page_user;
    s->pos = PAGE_SIZE;
    s->argc = s->envc = 0;
}

bool initstack_add(struct initstack *s, const char *bytes, size_t length, bool environment)
{
    unsigned count = s->argc + s->envc;
    if (count == INITSTACK_MAX_STRINGS || (!environment && s->envc))
        return false;
    if (length + 1 + table_bytes(count + 1) > s->pos)
        return false;
    s->pos -= length + 1;
    for (size_t i = 0; i < length; i++)
        s->page[s->pos + i] = (uint8_t)bytes[i];
    s->page[s->pos + length] = 0;
    s->pointers[count] = s->page_user + s->pos;
    if (environment)
        s->envc++;
    else
        s->argc++;
    return true;
}

uint64_t initstack_finish(struct initstack *s)
{
    unsigned count = s->argc + s->envc;
    uint64_t pos = (s->pos - (uint64_t)(count + 3) * 8) & ~15ul;
    uint64_t words[INITSTACK_MAX_STRINGS + 3];
    unsigned n = 0;
    words[n++] = s->argc;
    for (unsigned i = 0; i < s->argc; i++)
        words[n++] = s->pointers[i];
    words[n++] = 0; /* end of argv */
    for (unsigned i = 0; i < s->envc; i++)
        words[n++] = s->pointers[s->argc + i];
    words[n++] = 0; /* end of the environment */
    /* Byte by byte, so the page needs no alignment as the builder sees it. */
    for (unsigned w = 0; w < n; w++)
        for (unsigned b = 0; b < 8; b++)
            s->page[pos + w * 8 + b] = (uint8_t)(words[w] >> (8 * b));
    return s->page_user + pos;
}
