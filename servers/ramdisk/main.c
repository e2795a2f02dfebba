/*
 * The ramdisk: one disk of memory from memsrv, served with the block protocol (lib/proto/block.h)
 * through the block server library (libsys/block_server.h), of which it is the reference
 * driver: it copies between its memory and each session's region (mapped here), so every
 * request completes at once.
 *
 * Arguments (the manifest's, after --): SIZE (bytes, with a K, M or G suffix; a multiple of
 * 512, at most 1 GiB), then optionally an initrd file whose bytes fill the disk from sector 0
 * (for tests). The contents go with the server: a restarted or swapped ramdisk starts empty
 * (BLOCK_INFO_RAM says so).
 */
#include <stdio.h>
#include <string.h>

#include "libsys/block_server.h"
#include "libsys/service.h"

#define RAMDISK_BASE      0x30000000000ul /* above the heap (proto/proc.h) */
#define RAMDISK_MAX       (1ul << 30)
#define RAMDISK_MAP_PIECE (4ul << 20) /* memsrv's largest block */
#define RAMDISK_MAX_BYTES (1u << 20)  /* the largest request it declares */
#define RAMDISK_SECTOR    512

static uint8_t *const memory = (uint8_t *)RAMDISK_BASE;
static struct block_disk_info disk = {.sector_size = RAMDISK_SECTOR,
                                      .flags = BLOCK_INFO_RAM | BLOCK_INFO_FUA,
                                      .depth = BLOCK_RING_ENTRIES,
                                      .max_bytes = RAMDISK_MAX_BYTES,
                                      .model = "Missive ramdisk"};

/* Parses "16M"-style sizes: true with *bytes, or false. */
static bool parse_size(const char *s, uint64_t *bytes)
{
    uint64_t n = 0;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (n > RAMDISK_MAX)
            return false;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    unsigned shift = *s == 'K' ? 10 : *s == 'M' ? 20 : *s == 'G' ? 30 : 0;
    if (shift)
        s++;
    if (*s || n > (RAMDISK_MAX >> shift))
        return false;
    *bytes = n << shift;
    return true;
}

/* Copies the initrd file path to the start of the disk; false if it cannot be read. */
static bool fill_from(const char *path, uint64_t size)
{
    uint64_t offset = 0;
    for (;;) {
        size_t got = 0;
        size_t want = size - offset < PROC_FILE_CHUNK ? size - offset : PROC_FILE_CHUNK;
        if (want == 0)
            return true;
        if (!result_is_ok(proc_file_read(path, offset, memory + offset, want, &got)))
            return false;
        if (got == 0)
            return true;
        offset += got;
    }
}

/* The driver's start hook: the copy, then the completion. */
static bool ramdisk_start(struct block_server *bs, const struct block_server_request *r)
{
    uint8_t *at = memory + r->lba * RAMDISK_SECTOR;
    if (r->op == BLOCK_OP_READ)
        memcpy(r->data, at, r->bytes);
    else if (r->op == BLOCK_OP_WRITE)
        memcpy(at, r->data, r->bytes);
    block_server_complete(bs, r->id, BLOCK_OK); /* a flush has nothing to do */
    return true;
}

static const struct block_server_driver driver = {
    .name = "ramdisk",
    .disks = &disk,
    .disk_count = 1,
    .map_regions = true,
    .start = ramdisk_start,
};

int main(int argc, char **argv)
{
    uint64_t size = 0;
    if (argc < 2 || !parse_size(argv[1], &size) || size == 0 || size % RAMDISK_SECTOR) {
        printf("ramdisk: usage: ramdisk SIZE [FILE] (SIZE a multiple of 512 up to 1G, e.g. "
               "16M)\n");
        return 1;
    }
    for (uint64_t at = 0; at < size; at += RAMDISK_MAP_PIECE) {
        uint64_t piece = size - at < RAMDISK_MAP_PIECE ? size - at : RAMDISK_MAP_PIECE;
        struct result e =
            mem_map(RAMDISK_BASE + at, (piece + 4095) & ~4095ul, CAP_RIGHT_READ | CAP_RIGHT_WRITE);
        if (!result_is_ok(e)) {
            printf("ramdisk: no memory for %llu bytes (the manifest's quota=)\n",
                   (unsigned long long)size);
            return 1;
        }
    }
    if (argc > 2 && !fill_from(argv[2], size)) {
        printf("ramdisk: cannot read %s\n", argv[2]);
        return 1;
    }
    disk.sectors = size / RAMDISK_SECTOR;
    snprintf(disk.serial, sizeof disk.serial, "RAM%llu",
             (unsigned long long)libsys_proc_info()->pid);
    struct block_server *bs = block_server_create(&driver);
    if (!bs)
        return 1;
    printf("ramdisk: %llu KiB\n", (unsigned long long)(size >> 10));
    block_server_run(bs);
}
