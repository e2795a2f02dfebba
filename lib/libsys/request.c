/*
 * Packing and unpacking a request's bytes (service.h, where its words are, inline): no system
 * calls, so host tests compile it unchanged (they keep to the words in registers, MR0-MR9).
 */
#include "libsys/service.h"
#include "wordpack/wordpack.h"

/* The main thread's (and the root task's) frame until a thread is given its own (thread.c):
   the TLS template's value, so every thread that copies the template starts with it. */
_Thread_local struct ipc_buffer *libsys_ipc_buffer = (struct ipc_buffer *)USER_IPC_BUFFER;

bool request_put_bytes(struct request *r, unsigned first, const void *bytes, size_t n)
{
    if (first > MSG_MAX_LENGTH || n > (MSG_MAX_LENGTH - first) * 8)
        return false;
    const unsigned char *p = bytes;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t word;
        wordpack_pack(&word, p + i, n - i < 8 ? n - i : 8);
        request_set_word(r, first + (unsigned)(i / 8), word);
    }
    return true;
}

void request_get_bytes(const struct request *r, unsigned first, void *out, size_t n)
{
    unsigned char *p = out;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t word = request_word(r, first + (unsigned)(i / 8));
        wordpack_unpack(p + i, &word, n - i < 8 ? n - i : 8);
    }
}

struct result request_result(long kernel_error, const struct request *r)
{
    uint64_t answer[SERVICE_BAD_ARGUMENT_LENGTH];
    for (unsigned i = 0; i < SERVICE_BAD_ARGUMENT_LENGTH; i++)
        answer[i] = i < r->length ? request_word(r, i) : 0;
    return result_from_reply(kernel_error, r->label, answer);
}
