/* Malformed requests to procsrv and memsrv: each gets an error reply, and
   the server keeps serving. */
#include <stdio.h>
#include <string.h>

#include "libsys/service.h"
#include "proctest.h"

/* Calls slot with label and the first `length` of words. */
static struct result raw(uint64_t slot, uint64_t label, unsigned length, const uint64_t *words)
{
    struct request r = {.label = label};
    for (unsigned i = 0; i < length; i++)
        request_set_word(&r, i, words[i]);
    r.length = length;
    return request_result(request_call(slot, &r, 0, 0, 0), &r);
}

/* A PROC_SPAWN of the n bytes of strings (path, NUL, arguments, each NUL-terminated). */
static struct result spawn_raw(const char *strings, size_t n)
{
    struct request r = {.label = PROC_SPAWN};
    request_set_word(&r, 0, n);
    request_put_bytes(&r, 1, strings, n);
    return request_result(request_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0), &r);
}

/* What a client may send that only the kernel should: a notification's label, and more
   capabilities than a request takes. Both servers refuse the request and keep serving; the
   extra capabilities do not stay in slots memsrv's allocator thinks free (they once left it
   unable to retype anything again). */
static void forged_messages(void)
{
    check_status("procsrv: a forged notification is no request",
                 raw(PROC_SLOT_PROCSRV, NOTIFICATION_LABEL, 0, 0), SERVICE_BAD_LABEL);
    uint64_t memsrv = libsys_alloc_slot();
    check_status("memsrv: looked up with the grant right", proc_lookup("memsrv", memsrv),
                 SERVICE_OK);
    uint64_t caps[3] = {PROC_SLOT_PROCSRV, PROC_SLOT_PROCSRV, PROC_SLOT_PROCSRV};
    for (int round = 0; round < 8; round++) {
        struct request r = {.label = MEM_STATS, .length = 0};
        request_call(memsrv, &r, caps, 3, 0);
    }
    uint64_t untyped = libsys_alloc_slot();
    check_status("memsrv: still retypes after requests with three capabilities",
                 mem_untyped(12, untyped), SERVICE_OK);
}

/* Spawns that procsrv refuses, each naming the argument at fault. */
static void bad_spawns(void)
{
    check_result_bad_argument("procsrv: spawn of an empty path", spawn_raw("\0x", 3), 1);
    static char strings[PROC_ARGUMENTS_BYTES];
    size_t n = 0;
    memcpy(strings, "bin/proctest", 13);
    n = 13;
    for (int i = 0; i < 60; i++) { /* 61 strings with the path: one over the stack's limit */
        memcpy(strings + n, "a", 2);
        n += 2;
    }
    struct result e = spawn_raw(strings, n);
    check_result_bad_argument("procsrv: spawn of 61 strings", e, 1);
    check("  allowed 1..60", e.min == 1 && e.max == 60, 1);
    n = 13;
    for (int i = 0; i < 30; i++) { /* 300 bytes of arguments, over the 255 a process takes */
        memcpy(strings + n, "abcdefghi", 10);
        n += 10;
    }
    check_result_bad_argument("procsrv: spawn of 300 bytes of arguments", spawn_raw(strings, n), 0);
}

int bad_messages(void)
{
    bad_spawns();
    forged_messages();
    const uint64_t P = PROC_SLOT_PROCSRV, M = PROC_SLOT_MEMSRV;
    check_status("procsrv: unknown label", raw(P, 999, 0, 0), SERVICE_BAD_LABEL);
    check_status("procsrv: label 0", raw(P, 0, 0, 0), SERVICE_BAD_LABEL);
    check_status("procsrv: wait without a pid", raw(P, PROC_WAIT, 0, 0), SERVICE_BAD_LENGTH);
    check_status("procsrv: register without a name", raw(P, PROC_REGISTER, 2, (uint64_t[]){1, 2}),
                 SERVICE_BAD_LENGTH);
    check_result_bad_argument("procsrv: spawn of 10000 bytes",
                              raw(P, PROC_SPAWN, 1, (uint64_t[]){10000}), 0);
    check_result_bad_argument("procsrv: spawn strings past the message",
                              raw(P, PROC_SPAWN, 2, (uint64_t[]){40, 0x6f6f6f6f6f6f6f6f}), 0);
    check_result_bad_argument("procsrv: spawn without a final NUL",
                              raw(P, PROC_SPAWN, 2, (uint64_t[]){8, 0x6f6f6f6f6f6f6f6f}), 1);
    check_status("procsrv: kill procsrv", raw(P, PROC_KILL, 1, (uint64_t[]){1}), SERVICE_DENIED);
    check_status("procsrv: kill memsrv", raw(P, PROC_KILL, 1, (uint64_t[]){2}), SERVICE_DENIED);
    check_status("procsrv: kill nobody", raw(P, PROC_KILL, 1, (uint64_t[]){99999}),
                 SERVICE_NOT_FOUND);
    check_status("procsrv: wait for a stranger", raw(P, PROC_WAIT, 1, (uint64_t[]){2}),
                 SERVICE_NOT_FOUND);
    check_result_bad_argument("procsrv: look up a bad name",
                              raw(P, PROC_LOOKUP, 4, (uint64_t[]){0x2f2f2f, 0, 0, 0}), 0);
    check_result_bad_argument("procsrv: look up an empty name",
                              raw(P, PROC_LOOKUP, 4, (uint64_t[]){0, 0, 0, 0}), 0);
    check_result_bad_argument("procsrv: register without a capability",
                              raw(P, PROC_REGISTER, 4, (uint64_t[]){0x78, 0, 0, 0}),
                              SERVICE_ARGUMENT_CAP);
    check_result_bad_argument("procsrv: read a file with a 0-byte path",
                              raw(P, PROC_FILE_READ, 3, (uint64_t[]){0, 10, 0}), 2);
    check_result_bad_argument("procsrv: swap nothing", raw(P, PROC_SWAP, 1, (uint64_t[]){0}), 0);

    check_status("memsrv: unknown label", raw(M, 77, 0, 0), SERVICE_BAD_LABEL);
    check_status("memsrv: map without arguments", raw(M, MEM_MAP, 1, (uint64_t[]){0x50000000}),
                 SERVICE_BAD_LENGTH);
    check_result_bad_argument("memsrv: map unaligned",
                              raw(M, MEM_MAP, 3, (uint64_t[]){0x50000010, 4096, 3}), 0);
    check_result_bad_argument("memsrv: map 0 bytes",
                              raw(M, MEM_MAP, 3, (uint64_t[]){0x50000000, 0, 3}), 1);
    check_result_bad_argument("memsrv: map the kernel",
                              raw(M, MEM_MAP, 3, (uint64_t[]){0xffff800000000000, 4096, 3}), 0);
    check_result_bad_argument("memsrv: map past the end of user space",
                              raw(M, MEM_MAP, 3, (uint64_t[]){0x7ffffffff000, 8192, 3}), 0);
    check_result_bad_argument("memsrv: map without read",
                              raw(M, MEM_MAP, 3, (uint64_t[]){0x50000000, 4096, 2}), 2);
    check_status("memsrv: map over its own program",
                 raw(M, MEM_MAP, 3, (uint64_t[]){0x400000, 4096, 3}), SERVICE_EXISTS);
    check_status("memsrv: more than the quota",
                 raw(M, MEM_MAP, 3, (uint64_t[]){0x50000000, 1ul << 40, 3}), SERVICE_QUOTA);
    check_result_bad_argument("memsrv: an Untyped of 2^40",
                              raw(M, MEM_UNTYPED, 2, (uint64_t[]){40, 0}), 0);
    check_result_bad_argument("procsrv: sleep for 2^64-1 ms",
                              raw(P, PROC_SLEEP, 1, (uint64_t[]){~0ull}), 0);
    check_result_bad_argument("procsrv: swap a name without a program",
                              raw(P, PROC_SWAP, 2, (uint64_t[]){5, 0x6f686365}), 1);
    check_result_bad_argument("procsrv: read a file whose path is past the message",
                              raw(P, PROC_FILE_READ, 4, (uint64_t[]){0, 10, 50, 0x6f6f}), 2);
    check_result_bad_argument("procsrv: register a bad name",
                              raw(P, PROC_REGISTER, 4, (uint64_t[]){0x2f, 0, 0, 0}), 0);
    check_result_bad_argument("memsrv: map one page past the end of user space",
                              raw(M, MEM_MAP, 3, (uint64_t[]){0x7fffffffe000, 8192, 3}), 1);
    check_result_bad_argument("memsrv: map with an unknown right",
                              raw(M, MEM_MAP, 3, (uint64_t[]){0x50000000, 4096, 0x101}), 2);
    check_result_bad_argument("memsrv: DMA of 8 MiB",
                              raw(M, MEM_DMA, 2, (uint64_t[]){0x50000000, 8 << 20}), 1);
    check_result_bad_argument("memsrv: DMA unaligned",
                              raw(M, MEM_DMA, 2, (uint64_t[]){0x50000800, 4096}), 0);
    struct result range = raw(M, MEM_UNTYPED, 2, (uint64_t[]){11, 0});
    check("memsrv: an Untyped of 2^11 says the bits allowed", range.min == 12 && range.max == 22,
          1);
    char line[80];
    result_format(line, sizeof line, "memsrv", range);
    check("  and prints them", strcmp(line, "memsrv: bad argument 0 (allowed 12..22)"), 0);
    check_status("memsrv: an Untyped for someone else", raw(M, MEM_UNTYPED, 2, (uint64_t[]){12, 2}),
                 SERVICE_DENIED);
    check_status("memsrv: add a client (procsrv's job)",
                 raw(M, MEM_CLIENT_ADD, 2, (uint64_t[]){77, 1 << 20}), SERVICE_DENIED);
    check_status("memsrv: remove a client (procsrv's job)",
                 raw(M, MEM_CLIENT_REMOVE, 1, (uint64_t[]){1}), SERVICE_DENIED);
    check_status("memsrv: unmap what is not mapped", raw(M, MEM_UNMAP, 1, (uint64_t[]){0x50000000}),
                 SERVICE_NOT_FOUND);

    /* Both still serve. */
    check_status("memsrv: a good map",
                 mem_map(0x50000000, 4 * 4096, CAP_RIGHT_READ | CAP_RIGHT_WRITE), SERVICE_OK);
    memset((void *)0x50000000, 0x77, 4 * 4096);
    check("it holds what was written", *(volatile unsigned char *)0x50003fff, 0x77);
    check_status("the same address again", mem_map(0x50000000, 4096, 3), SERVICE_EXISTS);
    check_status("memsrv: unmap it", mem_unmap(0x50000000), SERVICE_OK);
    uint64_t ms;
    check_status("procsrv: still answers", proc_uptime_ms(&ms), SERVICE_OK);
    uint64_t phys;
    check_status("memsrv: 64 KiB for DMA", mem_dma(0x51000000, 65536, &phys), SERVICE_OK);
    check("contiguous and aligned", phys % 65536, 0);
    check_status("memsrv: unmap it", mem_unmap(0x51000000), SERVICE_OK);
    return check_report("bad-messages") != 0;
}

/* Random requests to procsrv and memsrv: random labels (but none that ends,
   kills, swaps or puts this process to sleep), lengths and words. Each gets
   an answer; afterwards both still serve. */
int fuzz_servers(unsigned rounds)
{
    uint64_t x = 0x9e3779b97f4a7c15ull, answered = 0, made = 0;
    for (unsigned i = 0; i < rounds; i++) {
        uint64_t slot = i % 2 ? PROC_SLOT_MEMSRV : PROC_SLOT_PROCSRV;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t label = x % 24;
        if (slot == PROC_SLOT_PROCSRV &&
            (label == PROC_EXIT || label == PROC_KILL || label == PROC_SWAP ||
             label == PROC_SLEEP || label == PROC_WAIT))
            continue;
        struct request r = {.label = label};
        unsigned length = (unsigned)(x >> 20) % (MSG_MAX_LENGTH + 1);
        for (unsigned w = 0; w < length; w++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* small numbers often, to get past the first checks */
            request_set_word(&r, w, (x & 3) ? x % 4096 : x);
        }
        r.length = length;
        made++;
        if (request_call(slot, &r, 0, 0, 0) == ERR_OK)
            answered++;
    }
    uint64_t ms;
    check_status("procsrv still serves", proc_uptime_ms(&ms), SERVICE_OK);
    struct mem_stats stats;
    check_status("memsrv still serves", mem_stats(&stats), SERVICE_OK);
    check("memory mapped by chance comes back",
          result_is_ok(mem_map(0x70000000, 4096, 3)) ||
              result_is_service(mem_map(0x70000000, 4096, 3), SERVICE_QUOTA),
          1);
    check("every request answered", (long)answered, (long)made);
    printf("proctest: fuzz-servers: %llu of %llu random requests answered\n",
           (unsigned long long)answered, (unsigned long long)made);
    return check_report("fuzz-servers") != 0;
}
