/*
 * The file protocol (docs/protocols.md, "The file protocol"): what servers/hmfs serves, so
 * libsys's file client (lib/libsys/fs_client.h) and through it the POSIX calls reach files.
 *
 * Requests are calls on the server's endpoint (found by name, FS_SERVER_NAME by default);
 * the badge the server sees is the caller's process id, and everything a client holds
 * (its connection, its handles) is kept by that badge.
 *
 * Data never travels in message registers: a client first connects (FS_CONNECT) with a
 * buffer: frames of RAM it shares once by capability (all 4 KiB or all 2 MiB), which the
 * server maps. A request then names an offset and a length in that buffer for what it
 * moves: the bytes a read fills or a write takes, the path(s) a request names, the entries
 * a readdir lists, the report fsck writes. The server copies a path out of the buffer before
 * looking at it, so a client changing its buffer meanwhile can only hurt itself.
 *
 * Status: the reply's label is SERVICE_OK, a SERVICE_* (lib/proto/service.h: bad label,
 * length or argument, not connected = SERVICE_DENIED, tables full = SERVICE_TOO_MANY) or
 * one of enum fs_error below, which start at FS_ERROR_BASE so they are never mistaken for a
 * SERVICE_* (struct result carries either as RESULT_SERVICE with that code; fs_error_name
 * names both). An error reply carries no words but for SERVICE_BAD_ARGUMENT; after
 * FS_ERROR_IO or FS_ERROR_CORRUPT, FS_PROBLEM tells that client what failed (the file,
 * the block).
 *
 * Paths: bytes in the buffer (not NUL-terminated; a NUL inside is FS_ERROR_BAD_NAME), at most
 * FS_PATH_MAX, components separated by '/' from the tree's root (a leading '/' and repeated
 * '/' are allowed; "." and ".." are followed as usual). A component is 1..FS_NAME_MAX bytes;
 * a component naming a file where a directory is needed is FS_ERROR_NOT_DIR. The last
 * component of a path that creates or removes (create, mkdir, unlink, rmdir, rename) may not
 * be "." or ".." (FS_ERROR_BAD_NAME).
 *
 * Trees: the volume holds up to FS_MAX_TREES trees: tree 0 is the main one; snapshots are
 * read-only forks of a tree and clones writable forks of one (docs/hmfs.md). Every request
 * that names a path names its tree by index; FS_SNAPSHOT_MOUNT turns a tree's name into its
 * index. Writing a read-only tree is FS_ERROR_READ_ONLY.
 *
 * Durability: a change is durable once FS_FSYNC (or FS_SYNC) answered: it commits the whole
 * volume. The server also commits on its own (a few seconds after data became dirty, when
 * its cache fills, and on shutdown); after a crash the volume is as its last commit left it.
 */
#ifndef MISSIVE_PROTO_FS_H
#define MISSIVE_PROTO_FS_H

#include <stdint.h>

#include "proto/service.h"

#define FS_SERVER_NAME "hmfs"

#define FS_PATH_MAX      1024u /* bytes of a path */
#define FS_NAME_MAX      255u  /* bytes of one component (HMFS_NAME_MAX) */
#define FS_TREE_NAME_MAX 39u   /* bytes of a snapshot's or clone's name (HMFS_TREE_NAME_MAX) */
#define FS_MAX_TREES     32u
#define FS_MAX_FRAMES    64u  /* frames of one client's buffer */
#define FS_MAX_CLIENTS   32u  /* connections at once */
#define FS_MAX_HANDLES   256u /* open handles at once, over all clients */
/* Open handles of one client at once: so one client cannot hold the whole table (POSIX
   programs have 64 descriptors, 3 of them the console's, so they never meet it). */
#define FS_MAX_CLIENT_HANDLES 64u
#define FS_IO_MAX             (16u << 20) /* bytes one FS_READ or FS_WRITE moves at most */

/* Labels from 0x60 on, apart from every other protocol's (block: 0x40). */
enum fs_label {
    /* MR0 the buffer's frame size in bits (12 or 21), MR1 its frame count
       (1..FS_MAX_FRAMES); capability 0: frame 0 (RAM, read-write) -> MR0 the server's
       instance (changes when it restarts: handles are gone then), MR1 the volume's block size.
       The other frames follow with FS_SHARE; requests that name the buffer wait for none of
       them but fail (SERVICE_BAD_ARGUMENT) for bytes past the frames received. A client that
       connects again (same badge) loses its old connection: its handles are closed.
       SERVICE_TOO_MANY: FS_MAX_CLIENTS are connected. */
    FS_CONNECT = 0x60,
    /* MR0 the frame's index (1..count-1, in order); capability 0: that frame -> MR0 frames
       received so far. */
    FS_SHARE = 0x61,
    /* Closes every handle of the caller and lets go of its buffer (unmapped, capabilities
       deleted). */
    FS_DISCONNECT = 0x62,

    /* MR0 tree, MR1 flags (FS_OPEN_*), MR2 path offset, MR3 path length -> MR0 handle, MR1
       inode, MR2 size, MR3 type (enum fs_type). FS_OPEN_CREATE makes a missing file
       (FS_ERROR_EXISTS with FS_OPEN_EXCLUSIVE if it exists); FS_OPEN_TRUNCATE (needs
       FS_OPEN_WRITE) empties it; FS_OPEN_DIRECTORY opens only a directory (FS_ERROR_NOT_DIR),
       and a directory opens only so, read-only (FS_ERROR_IS_DIR otherwise): such a handle
       serves FS_READDIR and FS_FSTAT. Opening the root: path "" or "/". */
    FS_OPEN = 0x63,
    /* MR0 handle. FS_ERROR_BAD_HANDLE: not open, closed, or another client's. */
    FS_CLOSE = 0x64,
    /* MR0 handle, MR1 file offset, MR2 buffer offset, MR3 length (0..FS_IO_MAX) -> MR0 bytes
       read into the buffer (fewer at the end of the file). Needs FS_OPEN_READ. */
    FS_READ = 0x65,
    /* MR0 handle, MR1 file offset (ignored with FS_OPEN_APPEND: the end of the file), MR2
       buffer offset, MR3 length (0..FS_IO_MAX) -> MR0 bytes written (fewer when an error,
       such as FS_ERROR_NO_SPACE or FS_ERROR_IO, stopped the write after some bytes: it is
       then not reported, the next write meets it), MR1 the file offset written at, MR2 the
       file's size after. Needs FS_OPEN_WRITE. */
    FS_WRITE = 0x66,
    /* MR0 tree, MR1 path offset, MR2 path length -> struct fs_stat's words in MR0-MR5
       (enum fs_stat_mr). */
    FS_STAT = 0x67,
    /* MR0 handle -> as FS_STAT. */
    FS_FSTAT = 0x68,
    /* MR0 handle (a directory), MR1 cookie (0 to start), MR2 buffer offset (a multiple of 8),
       MR3 length, MR4 the most records wanted (1..) -> MR0 entries written there (struct fs_dirent
       records, back to back), MR1 the cookie to continue from, MR2 1 once the last entry has been
       listed (else 0). Entries come in hash order; a cookie stays valid across changes of the
       directory (an entry added or removed meanwhile may or may not be listed). The length must
       hold one record of the longest name (FS_DIRENT_MAX) at least. */
    FS_READDIR = 0x69,
    /* MR0 tree, MR1 path offset, MR2 path length -> MR0 inode. */
    FS_MKDIR = 0x6a,
    /* MR0 tree, MR1 path offset, MR2 path length: a file (FS_ERROR_IS_DIR for a directory).
       Open handles of it fail with FS_ERROR_NOT_FOUND from then on. */
    FS_UNLINK = 0x6b,
    /* MR0 tree, MR1 path offset, MR2 path length: an empty directory, not the root. */
    FS_RMDIR = 0x6c,
    /* MR0 tree, MR1 old path offset, MR2 its length, MR3 new path offset, MR4 its length.
       Replaces an existing file at the new path (an existing directory there:
       FS_ERROR_IS_DIR); a directory cannot move into itself or below (FS_ERROR_INVALID). */
    FS_RENAME = 0x6d,
    /* MR0 handle (opened for writing), MR1 the new size. */
    FS_TRUNCATE = 0x6e,
    /* MR0 handle: commits the volume (everything written before by anyone is durable). */
    FS_FSYNC = 0x6f,
    /* Commits the volume (FS_FSYNC without a handle). */
    FS_SYNC = 0x70,
    /* -> struct fs_statfs's words in MR0-MR7 (enum fs_statfs_mr). */
    FS_STATFS = 0x71,

    /* MR0 tree, MR1 name offset, MR2 name length (1..FS_TREE_NAME_MAX, no '/'): commits, then
       makes a read-only snapshot of the tree, O(1) -> MR0 the snapshot's tree index. */
    FS_SNAPSHOT_CREATE = 0x72,
    /* MR0 index (0, 1, ...) -> the tree at or after that index: MR0 its index, MR1 flags
       (FS_TREE_*), MR2 the generation that created it, MR3 its name's length, MR4-MR8 the
       name (packed bytes, lib/proto/service.h); FS_ERROR_NOT_FOUND past the last. Tree 0
       (the main tree) has the empty name. */
    FS_SNAPSHOT_LIST = 0x73,
    /* MR0 name offset, MR1 name length: deletes that snapshot or clone (not the main tree)
       and commits; the blocks only it held are free. SERVICE_BUSY while a handle is open in
       it. */
    FS_SNAPSHOT_DELETE = 0x74,
    /* MR0 name offset, MR1 name length -> MR0 the tree's index, MR1 flags (FS_TREE_*): the
       index to name in path requests (read-only for a snapshot). */
    FS_SNAPSHOT_MOUNT = 0x75,
    /* MR0 source tree, MR1 name offset, MR2 name length: a writable fork of the source
       (a snapshot, usually), O(1) -> MR0 the clone's tree index. */
    FS_SNAPSHOT_CLONE = 0x76,

    /* MR0 buffer offset, MR1 length (may be 0): commits, then checks the committed volume as
       fsck.hmfs -n does (every block read and verified, no repair) -> MR0 errors found, MR1
       blocks read, MR2 inodes checked, MR3 bytes of report written to the buffer (one line per
       finding, '\n'-separated, cut to the length). */
    FS_FSCK = 0x77,
    /* -> the last FS_ERROR_IO or FS_ERROR_CORRUPT this client met: MR0 its error, MR1 the
       block, MR2 the inode (0 if none), MR3 the tree, MR4 what was wrong (packed bytes from
       MR5, length in MR4, at most FS_PROBLEM_TEXT), then the path the client opened the file
       by (length in MR10, bytes from MR11, cut to FS_PROBLEM_PATH); FS_ERROR_NOT_FOUND if it
       met none. */
    FS_PROBLEM = 0x78,
    /* MR0 disk, MR1-MR4 a block server's name: the server commits, then goes on with the
       volume on that disk (the same image attached to another controller: an NVMe namespace
       beside an AHCI disk, share-rw=on) -> -. SERVICE_BAD_ARGUMENT (1) for no name, SERVICE_
       DENIED for a volume in memory; the block library's answer (SERVICE_NOT_FOUND, BUSY,
       BAD_ARGUMENT: another size, or another image) if the move failed, the volume then still on
       its disk. */
    FS_MOVE = 0x79,
};

/* FS_OPEN flags. */
#define FS_OPEN_READ      0x01u
#define FS_OPEN_WRITE     0x02u
#define FS_OPEN_CREATE    0x04u
#define FS_OPEN_EXCLUSIVE 0x08u /* with FS_OPEN_CREATE: fail if it exists */
#define FS_OPEN_TRUNCATE  0x10u
#define FS_OPEN_APPEND    0x20u /* every write at the end (needs FS_OPEN_WRITE) */
#define FS_OPEN_DIRECTORY 0x40u
#define FS_OPEN_ALL       0x7fu

/* FS_SNAPSHOT_LIST and FS_SNAPSHOT_MOUNT flags. */
#define FS_TREE_READ_ONLY 1u

#define FS_PROBLEM_TEXT 40u  /* bytes of FS_PROBLEM's "what" */
#define FS_PROBLEM_PATH 400u /* bytes of FS_PROBLEM's path */

/* Statuses of the file protocol (the reply's label), past the SERVICE_* ones. */
#define FS_ERROR_BASE 0x20
enum fs_error {
    FS_ERROR_NO_SPACE = FS_ERROR_BASE, /* the volume is full (nothing was lost) */
    FS_ERROR_NOT_FOUND,                /* no such file, directory, snapshot or problem */
    FS_ERROR_EXISTS,                   /* the name is taken */
    FS_ERROR_NOT_DIR,                  /* a component or the target is not a directory */
    FS_ERROR_IS_DIR,                   /* a directory where a file is needed */
    FS_ERROR_NOT_EMPTY,                /* rmdir of a directory with entries */
    FS_ERROR_NAME_TOO_LONG,            /* a component past FS_NAME_MAX, a path past FS_PATH_MAX,
                                          a tree name past FS_TREE_NAME_MAX */
    FS_ERROR_BAD_NAME,                 /* empty, ".", "..", or with '/' or NUL where a name is
                                          made or removed */
    FS_ERROR_READ_ONLY,                /* the tree is a snapshot, or the volume is degraded */
    FS_ERROR_IO,                       /* the disk failed: FS_PROBLEM names the block */
    FS_ERROR_CORRUPT,                  /* a block is damaged: FS_PROBLEM names it and the file */
    FS_ERROR_INVALID,                  /* a rename into itself, a size out of range */
    FS_ERROR_BAD_HANDLE,               /* not open, closed, or another client's */
    FS_ERROR_ACCESS,                   /* the handle was not opened for that (read, write) */
    FS_ERROR_TOO_BIG,                  /* past the largest file */
    FS_ERROR_TOO_MANY,                 /* FS_MAX_TREES trees, FS_MAX_HANDLES handles, or
                                          FS_MAX_CLIENT_HANDLES of this client's */
    FS_ERROR_COLLISION,                /* the name's hash equals another's in the directory */
    FS_ERROR_STOPPED,                  /* the volume stopped after an I/O error: nothing more
                                          is written until it is mounted again */
    FS_ERROR_NO_MEMORY,                /* the server is out of memory */
    FS_ERROR_END
};

/* A short name of a status: a SERVICE_* or an FS_ERROR_*. */
static inline const char *fs_error_name(unsigned long status)
{
    static const char *const names[FS_ERROR_END - FS_ERROR_BASE] = {
        "no space left",       "not found",      "exists",        "not a directory",
        "is a directory",      "not empty",      "name too long", "bad name",
        "read-only",           "I/O error",      "corrupt",       "invalid argument",
        "bad handle",          "not permitted",  "file too big",  "too many",
        "name hash collision", "volume stopped", "out of memory"};
    if (status >= FS_ERROR_BASE && status < FS_ERROR_END)
        return names[status - FS_ERROR_BASE];
    return service_error_name(status);
}

enum fs_type {
    FS_TYPE_FILE = 1,
    FS_TYPE_DIR = 2,
};

/* FS_STAT / FS_FSTAT answer. */
enum fs_stat_mr {
    FS_STAT_MR_INODE = 0,
    FS_STAT_MR_TYPE = 1, /* enum fs_type */
    FS_STAT_MR_LINKS = 2,
    FS_STAT_MR_SIZE = 3,   /* bytes */
    FS_STAT_MR_MTIME = 4,  /* seconds (since boot on Missive; since 1970 from the host tools) */
    FS_STAT_MR_BLOCKS = 5, /* blocks of FS_STATFS's block size it uses (map and data) */
    FS_STAT_WORDS = 6,
};

/* FS_STATFS answer. */
enum fs_statfs_mr {
    FS_STATFS_MR_BLOCK_SIZE = 0,
    FS_STATFS_MR_BLOCKS = 1, /* the volume's */
    FS_STATFS_MR_USED = 2,
    FS_STATFS_MR_FREE = 3,
    FS_STATFS_MR_GENERATION = 4, /* of the last commit */
    FS_STATFS_MR_TREES = 5,
    FS_STATFS_MR_FLAGS = 6,      /* FS_STATFS_* */
    FS_STATFS_MR_DATA_BYTES = 7, /* file bytes one data block holds */
    FS_STATFS_WORDS = 8,
};
#define FS_STATFS_DEGRADED 1u /* the mount found damage: the volume is read-only (run fsck) */
#define FS_STATFS_STOPPED  2u /* an I/O error stopped the volume */

/* One FS_READDIR record: 8-byte aligned, record_length bytes long (the next starts there). */
struct fs_dirent {
    uint64_t inode;
    uint32_t type;          /* enum fs_type */
    uint16_t name_length;   /* 1..FS_NAME_MAX */
    uint16_t record_length; /* 16 + name_length + 1 rounded up to 8 */
    char name[];            /* name_length bytes and a NUL */
};
#define FS_DIRENT_HEADER            16u
#define FS_DIRENT_SIZE(name_length) ((FS_DIRENT_HEADER + (name_length) + 1u + 7u) & ~7u)
#define FS_DIRENT_MAX               FS_DIRENT_SIZE(FS_NAME_MAX)

_Static_assert(sizeof(struct fs_dirent) == FS_DIRENT_HEADER, "dirent layout");

#endif
