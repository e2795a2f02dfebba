/*
 * consoletest: the console server's protocol from a client's side, run
 * inside the system (from the shell: `run consoletest`). It sends malformed
 * requests and checks each gets its error and the server keeps serving;
 * queues input with CONSOLE_INPUT and reads it back; and, with helper
 * copies of itself (spawned with an argument naming their part), checks
 * that a read with no input waits and is answered when input comes, that a
 * second reader meanwhile gets SERVICE_BUSY, and that a reader killed while
 * it waited does not keep the console busy. Ends with
 * "consoletest: N passed, M failed" and exits with the failure count.
 *
 * `consoletest eof`, started where no console runs (initrd/tests/noconsole.manifest), checks
 * instead that the shell, whose reads then end at once, exits quietly with status 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsys/service.h"
#include "testlib.h"

/* Sends a console request of label with the given words; leaves the reply in *r. */
static struct result send_words(struct request *r, uint64_t label, const uint64_t *words,
                                unsigned n)
{
    *r = (struct request){.label = label};
    for (unsigned i = 0; i < n; i++)
        request_set_word(r, i, words[i]);
    r->length = n;
    return request_result(request_call(PROC_SLOT_CONSOLE, r, 0, 0, 0), r);
}

/* Sends n bytes with label (CONSOLE_WRITE or CONSOLE_INPUT). */
static struct result send_bytes(uint64_t label, const char *bytes, size_t n, uint64_t *answer)
{
    struct request r = {.label = label};
    request_set_word(&r, 0, n);
    request_put_bytes(&r, 1, bytes, n);
    struct result e = request_result(request_call(PROC_SLOT_CONSOLE, &r, 0, 0, 0), &r);
    if (result_is_ok(e) && answer)
        *answer = r.msg.mr[0];
    return e;
}

/* Reads up to max bytes into out (NUL-terminated). */
static struct result read_bytes(uint64_t max, char *out, size_t size)
{
    struct request r;
    uint64_t word = max;
    struct result e = send_words(&r, CONSOLE_READ, &word, 1);
    out[0] = '\0';
    if (result_is_ok(e)) {
        uint64_t n = r.msg.mr[0];
        if (n >= size)
            n = size - 1;
        request_get_bytes(&r, 1, out, n);
        out[n] = '\0';
    }
    return e;
}

/* Malformed requests: each gets its error, nothing else happens. */
static void test_malformed(void)
{
    struct request r;
    uint64_t words[3] = {100, 0x41, 0};
    check_status("no words: bad length", send_words(&r, CONSOLE_WRITE, words, 0),
                 SERVICE_BAD_LENGTH);
    check_status("unknown label", send_words(&r, 99, words, 1), SERVICE_BAD_LABEL);
    check_status("label 0", send_words(&r, 0, words, 1), SERVICE_BAD_LABEL);
    check_status("the largest label", send_words(&r, 0xffff, words, 1), SERVICE_BAD_LABEL);
    check_status("the notification label", send_words(&r, NOTIFICATION_LABEL, words, 0),
                 SERVICE_BAD_LABEL);
    check_result_bad_range("write of 100 bytes in 2 words: MR0, 0-8 bytes",
                           send_words(&r, CONSOLE_WRITE, words, 2), 0, 0, 8);
    words[0] = 17; /* 3 words carry 16 bytes */
    check_result_bad_range("input of 17 bytes in 3 words: MR0, 0-16 bytes",
                           send_words(&r, CONSOLE_INPUT, words, 3), 0, 0, 16);
    words[0] = 0;
    check_result_bad_range("read of 0 bytes: MR0, at least 1",
                           send_words(&r, CONSOLE_READ, words, 1), 0, 1, UINT64_MAX);
    words[0] = UINT64_MAX;
    check_result_bad_range("write of 2^64-1 bytes in 1 word: MR0, 0 bytes",
                           send_words(&r, CONSOLE_WRITE, words, 1), 0, 0, 0);
    check_status("input without words: bad length", send_words(&r, CONSOLE_INPUT, words, 0),
                 SERVICE_BAD_LENGTH);
    check_status("read without words: bad length", send_words(&r, CONSOLE_READ, words, 0),
                 SERVICE_BAD_LENGTH);
    words[0] = 9;
    struct result e = send_words(&r, CONSOLE_INPUT, words, 2);
    check_result_bad_range("input of 9 bytes in 2 words: MR0, 0-8 bytes", e, 0, 0, 8);
    char line[80];
    check("  printed as such",
          strcmp(result_format(line, sizeof line, "console", e),
                 "console: bad argument 0 (allowed 0..8)"),
          0);
    uint64_t n = 0;
    check_status("a good write after all that",
                 send_bytes(CONSOLE_WRITE, "consoletest: ok\n", 16, &n), SERVICE_OK);
    check("  answers the count", (long)n, 16);
    check_status("an empty write", send_bytes(CONSOLE_WRITE, "", 0, &n), SERVICE_OK);
    check("  answers 0", (long)n, 0);
}

/* Input queued by CONSOLE_INPUT comes back in order, in reads of the size asked. */
static void test_input_then_read(void)
{
    char buf[600];
    uint64_t n = 0;
    check_status("input abc", send_bytes(CONSOLE_INPUT, "abc", 3, &n), SERVICE_OK);
    check("  all queued", (long)n, 3);
    check_status("read 2", read_bytes(2, buf, sizeof buf), SERVICE_OK);
    check("  gives ab", strcmp(buf, "ab"), 0);
    check_status("read 10", read_bytes(10, buf, sizeof buf), SERVICE_OK);
    check("  gives c", strcmp(buf, "c"), 0);
    /* A long input (in the IPC buffer) comes back whole through a read of the maximum. */
    char big[CONSOLE_MAX_BYTES];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    check_status("input 504 bytes", send_bytes(CONSOLE_INPUT, big, sizeof big, &n), SERVICE_OK);
    check("  all queued", (long)n, (long)sizeof big);
    check_status("read 1000", read_bytes(1000, buf, sizeof buf), SERVICE_OK);
    check("  gives 504 bytes", (long)strlen(buf), (long)sizeof big);
    check("  the same ones", memcmp(buf, big, sizeof big), 0);
}

/* xorshift64: the fuzzer's reproducible random numbers. */
static uint64_t fuzz_random(void)
{
    static uint64_t x = 0x9e3779b97f4a7c15ul;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

/* Sends a request of label with length random words (MR0 = first); *answer gets MR0 of the
   reply. */
static struct result fuzz_call(uint64_t label, unsigned length, uint64_t first, uint64_t *answer)
{
    struct request r = {.label = label};
    for (unsigned i = 0; i < length; i++)
        request_set_word(&r, i, i == 0 ? first : fuzz_random());
    struct result e = request_result(request_call(PROC_SLOT_CONSOLE, &r, 0, 0, 0), &r);
    *answer = r.msg.mr[0];
    return e;
}

/* Thousands of random requests, malformed and not (but none that prints or that waits): each
   must be answered with the status the protocol gives it; input queued on the way is read
   back so the shell does not get it. */
static void test_fuzz(void)
{
    unsigned wrong = 0, rounds = 3000;
    uint64_t queued = 0, answer = 0;
    for (unsigned i = 0; i < rounds; i++) {
        unsigned length = (unsigned)(fuzz_random() % (MSG_MAX_LENGTH + 1));
        uint64_t room = length ? (length - 1) * 8ul : 0, label = fuzz_random() % 5;
        enum service_error want;
        struct result got;
        if (label == 0) { /* an unknown label */
            label = 4 + fuzz_random() % 0xfffc;
            want = SERVICE_BAD_LABEL;
            got = fuzz_call(label, length, fuzz_random(), &answer);
        } else if (label == 1) { /* a write of more bytes than the message holds */
            want = length ? SERVICE_BAD_ARGUMENT : SERVICE_BAD_LENGTH;
            got = fuzz_call(CONSOLE_WRITE, length, room + 1 + fuzz_random() % 1000, &answer);
        } else if (label == 2 && length) { /* input that fits: queued, up to the ring's room */
            want = SERVICE_OK;
            got = fuzz_call(CONSOLE_INPUT, length, fuzz_random() % (room + 1), &answer);
            if (result_is_ok(got))
                queued += answer;
        } else if (label == 3 || queued == 0) { /* input too long, or a read of 0 */
            bool input = label == 3;
            want = length == 0 ? SERVICE_BAD_LENGTH : SERVICE_BAD_ARGUMENT;
            got = fuzz_call(input ? CONSOLE_INPUT : CONSOLE_READ, length,
                            input ? room + 1 + fuzz_random() % 1000 : 0, &answer);
        } else { /* a read of queued input: answered at once, 1 to max bytes */
            uint64_t max = 1 + fuzz_random() % CONSOLE_MAX_BYTES;
            want = SERVICE_OK;
            got = fuzz_call(CONSOLE_READ, length ? length : 1, max, &answer);
            if (result_is_ok(got) && (answer == 0 || answer > max || answer > queued))
                wrong++;
            if (result_is_ok(got))
                queued -= answer < queued ? answer : queued;
        }
        bool argument_named = !result_is_service(got, SERVICE_BAD_ARGUMENT) || got.argument == 0;
        if (!result_has_status(got, want) || !argument_named) {
            char line[120];
            if (wrong++ < 5)
                printf("consoletest: fuzz round %u: label %lu, %u words: %s, want %s\n", i,
                       (unsigned long)label, length, result_format(line, sizeof line, 0, got),
                       service_error_name(want));
        }
    }
    check("fuzz: every request answered as the protocol says", (long)wrong, 0);
    while (queued > 0) { /* give back what the fuzzing queued */
        if (!result_is_ok(fuzz_call(CONSOLE_READ, 1, CONSOLE_MAX_BYTES, &answer)) || !answer)
            break;
        queued -= answer < queued ? answer : queued;
    }
    check("fuzz: all queued input read back", (long)queued, 0);
}

/* Spawns this program with one argument (its part); returns the pid, 0 on failure. */
static uint64_t spawn_helper(const char *part)
{
    const char *argv[] = {part, NULL};
    uint64_t pid = 0;
    struct result e = proc_spawn("bin/consoletest", argv, &pid);
    check_status("spawn a helper", e, SERVICE_OK);
    return result_is_ok(e) ? pid : 0;
}

/* A read that finds nothing waits; a helper's read meanwhile is refused as busy; the
   helper's input then answers the waiting read. */
static void test_waiting_read(void)
{
    char buf[64];
    uint64_t pid = spawn_helper("busy-then-input");
    if (!pid)
        return;
    check_status("the waiting read", read_bytes(sizeof buf, buf, sizeof buf), SERVICE_OK);
    check("  gets the helper's input", strcmp(buf, "xyz"), 0);
    int64_t status = -1;
    check_status("wait for the helper", proc_wait(pid, &status), SERVICE_OK);
    check("  which saw SERVICE_BUSY", (long)status, 0);
}

/* A reader killed while it waits must not keep the console busy. */
static void test_killed_reader(void)
{
    char buf[64];
    uint64_t reader = spawn_helper("read");
    if (!reader)
        return;
    proc_sleep_ms(300); /* it now waits in its read */
    check_status("kill the waiting reader", proc_kill(reader), SERVICE_OK);
    int64_t status;
    proc_wait(reader, &status);
    uint64_t injector = spawn_helper("input");
    if (!injector)
        return;
    check_status("a new reader is served", read_bytes(sizeof buf, buf, sizeof buf), SERVICE_OK);
    check("  with the input", strcmp(buf, "xyz"), 0);
    proc_wait(injector, &status);
}

/* The helpers' parts. Each returns the exit status. */
static int helper(const char *part)
{
    char buf[16];
    if (strcmp(part, "read") == 0)
        return result_is_ok(read_bytes(sizeof buf, buf, sizeof buf)); /* killed before */
    proc_sleep_ms(300); /* the parent now waits in its read */
    struct result busy = result_ok();
    if (strcmp(part, "busy-then-input") == 0)
        busy = read_bytes(sizeof buf, buf, sizeof buf);
    send_bytes(CONSOLE_INPUT, "xyz", 3, 0);
    if (strcmp(part, "busy-then-input") == 0)
        return result_is_service(busy, SERVICE_BUSY) ? 0 : 1;
    return 0;
}

/* With no console: the shell reads end of file and must end with status 0. */
static int test_shell_eof(void)
{
    uint64_t pid = 0;
    int64_t status = -1;
    check_status("spawn the shell", proc_spawn("bin/shell", NULL, &pid), SERVICE_OK);
    if (pid) {
        check_status("wait for it", proc_wait(pid, &status), SERVICE_OK);
        printf("consoletest: eof: shell exited with status %lld\n", (long long)status);
        check("  status 0", (long)status, 0);
    }
    return check_report("eof");
}

int main(int argc, char **argv)
{
    check_init("consoletest");
    if (argc > 1 && strcmp(argv[1], "eof") == 0)
        return test_shell_eof();
    if (argc > 1)
        return helper(argv[1]);
    test_malformed();
    test_input_then_read();
    test_fuzz();
    test_waiting_read();
    test_killed_reader();
    return check_report(NULL);
}
