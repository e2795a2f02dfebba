/*
 * disks and blk: the block servers' disks (lib/libsys/block.h). disks lists every disk of every
 * block server (found through PROC_LIST's flags); blk reads sectors as hex, copies an initrd
 * file onto a disk, compares a disk with a file, and prints a server's counters. The data goes
 * through the client library's blocking calls, so a driver restarted meanwhile is reopened
 * without the user seeing it. See shell.h.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "libsys/block.h"
#include "libsys/invoke.h"
#include "libsys/service.h"
#include "shell.h"

#define BLK_REGION     (64u * 1024) /* the session's region: blk moves at most this at once */
#define BLK_READ_MAX   8            /* sectors blk read dumps at most */
#define BLK_SECTOR_MAX 4096

/* What a negative answer of the block library means, for a line. */
static const char *blk_error(long e)
{
    if (e <= -(long)BLOCK_STATUS_BASE)
        return block_status_name((uint32_t)(-e - BLOCK_STATUS_BASE));
    return service_error_name((unsigned long)-e);
}

/* A size in bytes as "N MiB" or "N KiB". */
static void format_size(char *out, size_t cap, uint64_t bytes)
{
    if (bytes >= (10ull << 30))
        snprintf(out, cap, "%llu GiB", (unsigned long long)(bytes >> 30));
    else if (bytes >= (10ull << 20))
        snprintf(out, cap, "%llu MiB", (unsigned long long)(bytes >> 20));
    else
        snprintf(out, cap, "%llu KiB", (unsigned long long)(bytes >> 10));
}

void cmd_disks(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    char server[PROTO_NAME_MAX + 1];
    unsigned disks = 0;
    for (unsigned n = 0; block_server_name(n, server); n++) {
        struct block_disk_info info;
        long e;
        for (unsigned d = 0; (e = block_disk_info(server, d, &info)) == 0; d++, disks++) {
            char size[24];
            format_size(size, sizeof size, info.sectors * info.sector_size);
            printf("%-10s %u  %-40s %-20s %10s  %llu x %u%s%s%s%s%s%s\n", server, d, info.model,
                   info.serial, size, (unsigned long long)info.sectors, info.sector_size,
                   info.flags & BLOCK_INFO_RAM ? " ram" : "",
                   info.flags & BLOCK_INFO_NCQ ? " ncq" : "",
                   info.flags & BLOCK_INFO_WRITE_CACHE ? " cache" : "",
                   info.flags & BLOCK_INFO_FUA ? " fua" : "",
                   info.flags & BLOCK_INFO_READ_ONLY ? " read-only" : "",
                   info.flags & BLOCK_INFO_FAILED ? " FAILED" : "");
        }
        if (e != -(long)SERVICE_NOT_FOUND)
            printf("disks: %s: %s\n", server, blk_error(e));
    }
    printf("disks: %u disk%s\n", disks, disks == 1 ? "" : "s");
}

/* Opens server's disk (argv[2], argv[3]) for blk; NULL after saying why. */
static struct block_session *blk_open(char **argv)
{
    uint64_t disk;
    if (!args_parse_u64(argv[3], &disk) || disk > 1000) {
        printf("blk: not a disk index: '%s'\n", argv[3]);
        return 0;
    }
    struct block_session *s = 0;
    long e = block_open(argv[2], (unsigned)disk, BLK_REGION, &s);
    if (e != 0)
        printf("blk: %s disk %s: %s\n", argv[2], argv[3], blk_error(e));
    return s;
}

/* blk read SERVER DISK LBA [COUNT]: the sectors as hex and text, 16 bytes a line. */
static void blk_read(struct block_session *s, uint64_t lba, uint64_t count)
{
    static uint8_t sector[BLK_SECTOR_MAX];
    uint32_t size = block_info(s)->sector_size;
    for (uint64_t n = 0; n < count; n++) {
        long e = block_read(s, lba + n, sector, size);
        if (e != 0) {
            printf("blk: sector %llu: %s\n", (unsigned long long)(lba + n), blk_error(e));
            return;
        }
        for (uint32_t at = 0; at < size; at += 16) {
            printf("%08llx ", (unsigned long long)((lba + n) * size + at));
            for (unsigned i = 0; i < 16; i++)
                printf("%s%02x", i == 8 ? "  " : " ", sector[at + i]);
            printf("  |");
            for (unsigned i = 0; i < 16; i++) {
                uint8_t c = sector[at + i];
                printf("%c", c >= 32 && c < 127 ? c : '.');
            }
            printf("|\n");
        }
    }
}

/* blk write SERVER DISK LBA FILE (the initrd file onto the disk, the last sector padded with
   zeros) and blk cmp SERVER DISK LBA FILE (the disk against the file). */
static void blk_file(struct block_session *s, uint64_t lba, const char *file, bool write)
{
    static uint8_t chunk[BLK_REGION], disk[BLK_REGION];
    uint32_t size = block_info(s)->sector_size;
    const char *path = args_file_path(file);
    uint64_t offset = 0;
    for (;;) {
        size_t got = 0, want = sizeof chunk;
        while (got < want) { /* fill a whole chunk (procsrv answers PROC_FILE_CHUNK at most) */
            size_t n = 0;
            struct result e = proc_file_read(path, offset + got, chunk + got, want - got, &n);
            if (!result_is_ok(e)) {
                shell_report("blk", file, e);
                return;
            }
            if (n == 0)
                break;
            got += n;
        }
        if (got == 0)
            break;
        size_t padded = (got + size - 1) / size * size;
        memset(chunk + got, 0, padded - got);
        uint64_t at = lba + offset / size;
        long e = write ? block_write(s, at, chunk, padded, false) : block_read(s, at, disk, padded);
        if (e != 0) {
            printf("blk: sectors %llu+%zu: %s\n", (unsigned long long)at, padded / size,
                   blk_error(e));
            return;
        }
        for (size_t i = 0; !write && i < got; i++) {
            if (disk[i] != chunk[i]) {
                printf("blk: differs from %s at byte %llu\n", file,
                       (unsigned long long)(offset + i));
                return;
            }
        }
        offset += got;
        if (got < want)
            break;
    }
    if (write && block_flush(s) != 0)
        printf("blk: the flush failed\n");
    printf("blk: %s %llu bytes of %s at sector %llu\n", write ? "wrote" : "same",
           (unsigned long long)offset, file, (unsigned long long)lba);
}

/* blk stats SERVER: the server's counters (BLOCK_STATS). */
static void blk_stats(const char *server)
{
    static uint64_t endpoint; /* one slot, used again */
    if (!endpoint)
        endpoint = libsys_alloc_slot();
    cspace_delete(PROC_SLOT_CSPACE, endpoint);
    struct result e = proc_lookup(server, endpoint);
    struct request r = {.label = BLOCK_STATS};
    if (result_is_ok(e))
        e = request_result(request_call(endpoint, &r, 0, 0, 0), &r);
    if (!result_is_ok(e)) {
        shell_report("blk", server, e);
        return;
    }
    printf("blk: %s: %llu disks, %llu sessions, %llu requests done, %llu failed, %llu retries, "
           "%llu resets, %llu sessions cut off\n",
           server, (unsigned long long)request_word(&r, 0), (unsigned long long)request_word(&r, 1),
           (unsigned long long)request_word(&r, 2), (unsigned long long)request_word(&r, 3),
           (unsigned long long)request_word(&r, 4), (unsigned long long)request_word(&r, 5),
           (unsigned long long)request_word(&r, 6));
}

void cmd_blk(int argc, char **argv, bool background)
{
    (void)background;
    const char *what = argv[1];
    if (strcmp(what, "stats") == 0 && argc == 3) {
        blk_stats(argv[2]);
        return;
    }
    bool read = strcmp(what, "read") == 0 && (argc == 5 || argc == 6);
    bool file = (strcmp(what, "write") == 0 || strcmp(what, "cmp") == 0) && argc == 6;
    if (!read && !file) {
        printf("blk: usage: blk read SERVER DISK LBA [COUNT] | write SERVER DISK LBA FILE | cmp "
               "SERVER DISK LBA FILE | stats SERVER\n");
        return;
    }
    uint64_t lba, count = 1;
    if (!args_parse_u64(argv[4], &lba) ||
        (read && argc == 6 &&
         (!args_parse_u64(argv[5], &count) || count < 1 || count > BLK_READ_MAX))) {
        printf("blk: LBA a number, COUNT 1..%u\n", BLK_READ_MAX);
        return;
    }
    struct block_session *s = blk_open(argv);
    if (!s)
        return;
    if (read)
        blk_read(s, lba, count);
    else
        blk_file(s, lba, argv[5], what[0] == 'w');
    block_close(s);
}
