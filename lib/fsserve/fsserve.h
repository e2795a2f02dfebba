/*
 * The pure parts of the file server (servers/hmfs; lib/proto/fs.h): the map from lib/hmfs's
 * errors to the protocol's, checking and splitting the paths a request names, and the table
 * of handles by badge. No system calls: host unit tests (tests/unit/test_fsserve.c) compile
 * them unchanged. The block cache is bcache.h.
 */
#ifndef MISSIVE_FSSERVE_H
#define MISSIVE_FSSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/fs.h"

/* The protocol's status for an enum hmfs_error (0 for HMFS_OK). */
unsigned fsserve_error(int hmfs_error);

/* Copies a path of length bytes (from a client's buffer) into out (FS_PATH_MAX + 1 bytes),
   NUL-terminated: 0, FS_ERROR_NAME_TOO_LONG past FS_PATH_MAX, FS_ERROR_BAD_NAME for a NUL
   inside it. */
unsigned fsserve_path_copy(const char *path, size_t length, char *out);

/* Splits a copied path in place into its parent directory's path and its last component
   (trailing '/' dropped): 0, or FS_ERROR_BAD_NAME when there is no last component (the root)
   or it is "." or "..". *parent is "" for a name in the root. */
unsigned fsserve_path_split(char *path, const char **parent, const char **name);

/* A tree name of length bytes into out (FS_TREE_NAME_MAX + 1): 0, FS_ERROR_NAME_TOO_LONG,
   or FS_ERROR_BAD_NAME (empty, with '/' or NUL). */
unsigned fsserve_tree_name_copy(const char *name, size_t length, char *out);

/* Copies text (a client's path, a name from the disk) into out (size bytes, >= 1), cut to
   size - 1 and NUL-terminated, with every byte below 0x20 and 0x7f (DEL) as '?': so what a
   client names cannot move the console's cursor, start an escape sequence or forge a line. */
void fsserve_printable(const char *text, char *out, size_t size);

/* --- handles ------------------------------------------------------------------------------ */

struct fsserve_handle {
    bool used;
    uint32_t generation; /* bumped on every close, so an old number never matches again */
    uint64_t owner;      /* the client's badge */
    unsigned tree;
    uint64_t inode;
    unsigned flags; /* FS_OPEN_* */
    char path[FS_PROBLEM_PATH + 1];
};

struct fsserve_handles {
    struct fsserve_handle slots[FS_MAX_HANDLES];
};

/* A free handle for owner, its number in *id (never 0): the slot (the caller fills tree, inode,
   flags, path), or NULL when all FS_MAX_HANDLES are open or owner has FS_MAX_CLIENT_HANDLES
   open. */
struct fsserve_handle *fsserve_handle_new(struct fsserve_handles *t, uint64_t owner, uint64_t *id);
/* owner's open handle numbered id, or NULL (never opened, closed, or another owner's). */
struct fsserve_handle *fsserve_handle_get(struct fsserve_handles *t, uint64_t owner, uint64_t id);
void fsserve_handle_close(struct fsserve_handle *h);
/* Closes every handle of owner; returns how many. */
unsigned fsserve_handle_close_owner(struct fsserve_handles *t, uint64_t owner);
/* Whether a handle is open in tree. */
bool fsserve_handle_in_tree(const struct fsserve_handles *t, unsigned tree);

#endif
