/*
 * libsys's low-level file client (lib/proto/fs.h, docs/protocols.md "The file protocol"):
 * one call per request, plain C, each returning a struct result (lib/result/result.h) as
 * service.h's calls do. A failed request is RESULT_SERVICE with code a SERVICE_* or an
 * FS_ERROR_* (fs_error_name names both), so the POSIX layer maps errors with one table.
 *
 * A connection owns the buffer shared with the server: reads and writes are copied through
 * it in chunks of at most its size (fs_read and fs_write loop), paths and names are copied
 * into it before each request. Not thread-safe: one thread per connection (the buffer is
 * the connection's).
 */
#ifndef MISSIVE_LIBSYS_FS_CLIENT_H
#define MISSIVE_LIBSYS_FS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libsys/service.h"
#include "proto/fs.h"

struct fs_client; /* opaque: libsys/fs_client.c */

#define FS_CLIENT_DEFAULT_BUFFER (128u << 10) /* bytes fs_default's connection shares */

/* Connects to the file server registered as server (NULL: FS_SERVER_NAME) with a buffer of
   buffer_bytes (rounded up: 4 KiB frames up to 128 KiB, 2 MiB frames past it; at least
   8 KiB, at most FS_MAX_FRAMES frames): *out is the connection. */
struct result fs_connect(const char *server, size_t buffer_bytes, struct fs_client **out);
/* This process's shared connection to FS_SERVER_NAME, made on first use with
   FS_CLIENT_DEFAULT_BUFFER (what the POSIX calls use). */
struct result fs_default(struct fs_client **out);
/* Closes every handle, lets go of the buffer, frees c. */
void fs_disconnect(struct fs_client *c);
/* The server's instance from the connect (handles die with the instance). */
uint64_t fs_instance(const struct fs_client *c);
/* The shared buffer (*bytes long) and the server's endpoint, for a request this library does
   not make (tests sending what the library never would: a NUL inside a path, a range past the
   buffer). */
void *fs_buffer(struct fs_client *c, size_t *bytes);
uint64_t fs_endpoint(const struct fs_client *c);

struct fs_stat {
    uint64_t inode;
    uint32_t type; /* enum fs_type */
    uint32_t links;
    uint64_t size, mtime, blocks;
};

/* Opens path in tree with flags (FS_OPEN_*): *handle, and st (may be NULL) with the inode,
   type and size (links, mtime and blocks 0: use fs_fstat). */
struct result fs_open(struct fs_client *c, unsigned tree, const char *path, unsigned flags,
                      uint64_t *handle, struct fs_stat *st);
struct result fs_close(struct fs_client *c, uint64_t handle);
/* Reads up to n bytes at offset into buf: *got bytes (fewer only at the end of the file). */
struct result fs_read(struct fs_client *c, uint64_t handle, uint64_t offset, void *buf, size_t n,
                      size_t *got);
/* Writes n bytes at offset (the end of the file for an FS_OPEN_APPEND handle): *done bytes
   (fewer only when the disk filled; the result is then FS_ERROR_NO_SPACE if none at all).
   end (may be NULL): the file offset after the last byte written. */
struct result fs_write(struct fs_client *c, uint64_t handle, uint64_t offset, const void *buf,
                       size_t n, size_t *done, uint64_t *end);
struct result fs_stat(struct fs_client *c, unsigned tree, const char *path, struct fs_stat *out);
struct result fs_fstat(struct fs_client *c, uint64_t handle, struct fs_stat *out);

/* One directory entry as fs_readdir gives it. */
struct fs_entry {
    uint64_t inode;
    uint32_t type; /* enum fs_type */
    char name[FS_NAME_MAX + 1];
};
/* Up to max entries of the directory handle from *cookie (0 to start): *count of them into
   out, *cookie advanced; *count 0 only at the end. */
struct result fs_readdir(struct fs_client *c, uint64_t handle, uint64_t *cookie,
                         struct fs_entry *out, unsigned max, unsigned *count);

/* inode (may be NULL): the new directory's. */
struct result fs_mkdir(struct fs_client *c, unsigned tree, const char *path, uint64_t *inode);
struct result fs_unlink(struct fs_client *c, unsigned tree, const char *path);
struct result fs_rmdir(struct fs_client *c, unsigned tree, const char *path);
struct result fs_rename(struct fs_client *c, unsigned tree, const char *old_path,
                        const char *new_path);
struct result fs_truncate(struct fs_client *c, uint64_t handle, uint64_t size);
struct result fs_fsync(struct fs_client *c, uint64_t handle);
struct result fs_sync(struct fs_client *c);
/* FS_MOVE: the server commits and goes on with the volume on disk of server (the same image
   attached to another controller). */
struct result fs_move(struct fs_client *c, const char *server, unsigned disk);

struct fs_statfs {
    uint64_t block_size, blocks, used, free, generation, trees, flags; /* FS_STATFS_* */
    uint64_t data_bytes; /* file bytes per data block */
};
struct result fs_statfs(struct fs_client *c, struct fs_statfs *out);

/* Trees: tree 0 is the main one; the others are snapshots (read-only) and clones. */
struct fs_tree {
    unsigned index;
    unsigned flags; /* FS_TREE_* */
    uint64_t created_generation;
    char name[FS_TREE_NAME_MAX + 1];
};
/* index (may be NULL): the snapshot's tree index. */
struct result fs_snapshot_create(struct fs_client *c, unsigned tree, const char *name,
                                 unsigned *index);
/* The tree at or after index into out (then out->index + 1 continues);
   FS_ERROR_NOT_FOUND past the last. */
struct result fs_snapshot_list(struct fs_client *c, unsigned index, struct fs_tree *out);
struct result fs_snapshot_delete(struct fs_client *c, const char *name);
/* The tree named name: *index to pass as tree, *flags (may be NULL) its FS_TREE_*. */
struct result fs_snapshot_mount(struct fs_client *c, const char *name, unsigned *index,
                                unsigned *flags);
/* A writable fork of tree source named name; index (may be NULL): its tree index. */
struct result fs_snapshot_clone(struct fs_client *c, unsigned source, const char *name,
                                unsigned *index);

struct fs_fsck_result {
    uint64_t errors, blocks, inodes;
};
/* A read-only check of the committed volume; report (may be NULL, size bytes) gets its
   findings, one per line, NUL-terminated and cut to fit. */
struct result fs_fsck(struct fs_client *c, char *report, size_t size, struct fs_fsck_result *out);

/* The last FS_ERROR_IO or FS_ERROR_CORRUPT this client met. */
struct fs_problem {
    uint64_t error; /* FS_ERROR_IO or FS_ERROR_CORRUPT */
    uint64_t block, inode, tree;
    char what[FS_PROBLEM_TEXT + 1];
    char path[FS_PROBLEM_PATH + 1]; /* as the file was opened ("" if none) */
};
struct result fs_problem(struct fs_client *c, struct fs_problem *out);

#endif
