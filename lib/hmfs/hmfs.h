/*
 * HMFS: a copy-on-write filesystem of hash maps (docs/hmfs.md). This is its whole library:
 * pure C11 (malloc and string.h only), no OS calls; the block device is a struct of callbacks
 * the user supplies (a file for the host tools, memory for the tests, the block protocol for
 * the server).
 *
 * A volume (struct hmfs) holds up to HMFS_MAX_TREES trees: tree 0 is the main tree; snapshots
 * are read-only forks of a tree, clones are writable forks of a snapshot. File operations name
 * the tree by its index and files by inode number; hmfs_resolve turns a path into one.
 *
 * Changes live in memory until a commit (hmfs_sync, hmfs_unmount, or on its own when the
 * cache fills): after a crash the volume is as the last commit left it. Not thread-safe: the
 * caller serialises calls on one volume. Every call returns 0 or an enum hmfs_error; after
 * HMFS_ERR_IO or HMFS_ERR_CORRUPT, hmfs_problem says which block (and inode) and what was
 * wrong. An I/O error or corruption found while changing the volume stops it (HMFS_ERR_STOPPED
 * from then on, nothing more is written): what was committed stays intact.
 */
#ifndef MISSIVE_HMFS_H
#define MISSIVE_HMFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmfs/format.h"

enum hmfs_error {
    HMFS_OK = 0,
    HMFS_ERR_NOSPC = 1,       /* no space left on the volume */
    HMFS_ERR_NOENT = 2,       /* no such file, directory or tree */
    HMFS_ERR_EXIST = 3,       /* the name is taken */
    HMFS_ERR_NOTDIR = 4,      /* not a directory */
    HMFS_ERR_ISDIR = 5,       /* is a directory */
    HMFS_ERR_NOTEMPTY = 6,    /* directory not empty */
    HMFS_ERR_NAMETOOLONG = 7, /* a name longer than HMFS_NAME_MAX (or a tree name too long) */
    HMFS_ERR_BADNAME = 8,     /* an empty name, ".", "..", or one with '/' */
    HMFS_ERR_ROFS = 9,        /* the tree is a read-only snapshot */
    HMFS_ERR_IO = 10,         /* the device failed: hmfs_problem names the block */
    HMFS_ERR_CORRUPT = 11,    /* a block is not what it must be: hmfs_problem says why */
    HMFS_ERR_INVAL = 12,      /* a bad argument (a rename into itself, a size out of range) */
    HMFS_ERR_NOMEM = 13,      /* out of memory */
    HMFS_ERR_FBIG = 14,       /* past HMFS_MAX_FILE_SIZE */
    HMFS_ERR_TOOMANY = 15,    /* HMFS_MAX_TREES trees already */
    HMFS_ERR_COLLISION = 16,  /* the name's 64-bit hash equals another name's in the directory */
    HMFS_ERR_STOPPED = 17,    /* the volume stopped after an error; remount it */
    HMFS_ERR_COUNT
};

/* A short name of an error ("no space"); "unknown error" for another value. */
const char *hmfs_error_name(int error);

/* The block device. Each callback returns 0 on success, anything else on failure. */
struct hmfs_device {
    void *context;
    uint64_t block_count; /* blocks of HMFS_BLOCK_SIZE bytes */
    int (*read)(void *context, uint64_t block, void *data);
    int (*write)(void *context, uint64_t block, const void *data);
    /* Writes and makes it durable before returning (Force Unit Access). */
    int (*write_fua)(void *context, uint64_t block, const void *data);
    /* Makes every completed write durable. */
    int (*flush)(void *context);
    /* Optional (NULL: read into the library's cache): the block's bytes in the device's own
       memory (a cache of its own), valid until the next call of the device; NULL if the read
       failed. A file's data is read through it, verified and copied straight to the caller,
       so the library's cache neither copies it a second time nor holds it. */
    const void *(*peek)(void *context, uint64_t block);
    /* Optional (NULL: write copies): write without the copy, the device's memory for block,
       which the library fills whole before its next call of the device (the block's checksum
       is computed as its bytes are copied there); NULL on failure. */
    void *(*write_buffer)(void *context, uint64_t block);
};

/* What went wrong, for HMFS_ERR_IO and HMFS_ERR_CORRUPT. */
struct hmfs_problem {
    int error;
    uint64_t block;   /* the block read or written */
    uint64_t inode;   /* the inode whose block it is, HMFS_OWNER_INODES for the inode table */
    const char *what; /* e.g. "checksum mismatch", static text */
};

struct hmfs;

struct hmfs_options {
    unsigned cache_blocks;   /* blocks the cache holds between operations: >= 32 (0: 256) */
    uint64_t (*clock)(void); /* seconds for mtime; NULL: 0 */
};

/* Makes an empty volume on dev: the superblock ring, and a main tree with an empty root
   directory. Needs dev->block_count in [HMFS_MIN_BLOCKS, HMFS_MAX_BLOCKS]. */
int hmfs_format(const struct hmfs_device *dev);

/* Mounts the volume on dev: the newest superblock whose checksum is valid and whose trees are
   complete (each tree's root block reads back with the checksum, generation and place the
   superblock expects). Then it walks every metadata block to count references; if one is
   damaged the volume mounts degraded: readable (but for what lies below the damage), every
   tree read-only (hmfs_statfs says so). options may be NULL. On success *out is the volume. */
int hmfs_mount(const struct hmfs_device *dev, const struct hmfs_options *options,
               struct hmfs **out);

/* Commits, then frees the volume (also after an error, then without committing). */
int hmfs_unmount(struct hmfs *fs);

/* Commits every change: the new blocks, a flush, the next superblock with FUA, a flush. */
int hmfs_sync(struct hmfs *fs);

/* The last I/O error or corruption found. */
struct hmfs_problem hmfs_problem(const struct hmfs *fs);

struct hmfs_stat {
    uint64_t ino;
    uint32_t type; /* enum hmfs_inode_type */
    uint32_t nlink;
    uint64_t size;
    uint64_t mtime;
    uint64_t blocks; /* blocks of its map and data */
};

struct hmfs_dirent {
    uint64_t ino;
    uint32_t type;
    char name[HMFS_NAME_MAX + 1];
};

struct hmfs_statfs {
    uint64_t block_count;
    uint64_t used_blocks; /* referenced by any tree, or waiting for the commit that frees them */
    uint64_t free_blocks;
    uint64_t generation; /* of the last commit */
    unsigned trees;
    bool degraded; /* the mount found damaged blocks: every tree is read-only (run fsck) */
};

/* Names: a component is 1..HMFS_NAME_MAX bytes, neither "." nor "..", without '/' (NUL ends
   it). Paths are '/'-separated components from the tree's root directory. */
/* Checks a name of length bytes (which may hold a NUL: refused): 0, HMFS_ERR_BADNAME or
   HMFS_ERR_NAMETOOLONG. */
int hmfs_name_check(const char *name, size_t length);
int hmfs_resolve(struct hmfs *fs, unsigned tree, const char *path, uint64_t *ino);
int hmfs_lookup(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name, uint64_t *ino);
int hmfs_create(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name, uint64_t *ino);
int hmfs_mkdir(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name, uint64_t *ino);
int hmfs_unlink(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name);
int hmfs_rmdir(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name);
/* Replaces an existing file new_name (not a directory: HMFS_ERR_EXIST if it is one). A directory
   cannot move into itself or below (HMFS_ERR_INVAL). */
int hmfs_rename(struct hmfs *fs, unsigned tree, uint64_t old_dir, const char *old_name,
                uint64_t new_dir, const char *new_name);
/* Reads up to length bytes at offset; *done is what was read (short at the end of the file). */
int hmfs_read(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t offset, void *buffer,
              size_t length, size_t *done);
/* Writes length bytes at offset, growing the file; *done is what was written (less only with
   an error, e.g. HMFS_ERR_NOSPC). */
int hmfs_write(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t offset, const void *buffer,
               size_t length, size_t *done);
int hmfs_truncate(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t size);
int hmfs_stat(struct hmfs *fs, unsigned tree, uint64_t ino, struct hmfs_stat *out);
/* The entry after *cookie (0 to start) in hash order; HMFS_ERR_NOENT after the last. */
int hmfs_readdir(struct hmfs *fs, unsigned tree, uint64_t dir, uint64_t *cookie,
                 struct hmfs_dirent *out);
/* The entries of dir from *cookie on (0 for the first), in the order hmfs_readdir gives them,
   each handed to visit with the cookie that continues after it (the entry is valid during
   the call only) until visit returns false:
   HMFS_OK with *cookie naming the refused entry (the next call starts with it), or
   HMFS_ERR_NOENT after the last entry (*cookie then past the end), or an error with *cookie
   unchanged. Reads each of the directory's buckets once, where hmfs_readdir reads one per
   entry; visit must not change the volume. */
int hmfs_readdir_many(struct hmfs *fs, unsigned tree, uint64_t dir, uint64_t *cookie,
                      bool (*visit)(void *context, const struct hmfs_dirent *entry,
                                    uint64_t next_cookie),
                      void *context);
int hmfs_statfs(struct hmfs *fs, struct hmfs_statfs *out);

/* Trees. Names are 1..HMFS_TREE_NAME_MAX bytes without '/'; the main tree is "". */
struct hmfs_tree_info {
    unsigned index;
    char name[HMFS_TREE_NAME_MAX + 1];
    bool readonly;
    uint64_t created_gen;
};
int hmfs_tree_find(struct hmfs *fs, const char *name, unsigned *index);
/* The used tree at or after *index (then *index is its index); HMFS_ERR_NOENT if none. */
int hmfs_tree_next(struct hmfs *fs, unsigned *index, struct hmfs_tree_info *out);
/* Commits, then makes a read-only snapshot of tree: O(1), it shares every block. */
int hmfs_snapshot_create(struct hmfs *fs, unsigned tree, const char *name);
/* A writable fork of a snapshot (or of any tree), as O(1) as a snapshot. */
int hmfs_clone(struct hmfs *fs, unsigned source, const char *name);
/* Deletes a snapshot or fork (not the main tree) and commits; the blocks only it held are free
   from then on. */
int hmfs_tree_delete(struct hmfs *fs, const char *name);

/* The full check behind fsck.hmfs (check.c): every block of every tree read and verified
   (data included), every invariant of docs/hmfs.md "Invariants" checked; with repair, what can
   be repaired is, and committed. report (may be NULL) gets one line per finding. */
struct hmfs_check_options {
    bool repair;
    void (*report)(void *context, const char *message);
    void *context;
    unsigned cache_blocks; /* for the mount (0: the default) */
};
struct hmfs_check_result {
    unsigned errors;    /* found */
    unsigned repaired;  /* of those, repaired */
    uint64_t blocks;    /* distinct blocks read */
    uint64_t inodes;    /* inodes checked, over all trees */
    unsigned remaining; /* errors a second check (after repairs) still finds */
    bool mounted;       /* a superblock with complete trees was found */
};
/* Returns 0 when the check ran (its findings are in *out), else an error that kept it from
   running (e.g. HMFS_ERR_NOMEM). A volume that does not mount is a finding, not an error. */
int hmfs_check(const struct hmfs_device *dev, const struct hmfs_check_options *options,
               struct hmfs_check_result *out);

/* For tests: whether the reference counts in memory equal those a walk of the trees finds
   (0, or HMFS_ERR_CORRUPT naming the first block that differs). */
int hmfs_check_refs(struct hmfs *fs);

#endif
