/*
 * HMFS on-disk format (docs/hmfs.md describes every field and limit; keep the two in step).
 *
 * Every block is HMFS_BLOCK_SIZE bytes and starts with struct hmfs_header. Every pointer to a
 * block (struct hmfs_bptr) carries what the block must say about itself: its number, the
 * generation that wrote it, its type and map kind, and its CRC32C, so a stale, misdirected or
 * torn block is told apart from the right one when it is read. Integers are little-endian
 * (the only targets are x86_64 hosts and Missive itself).
 */
#ifndef MISSIVE_HMFS_FORMAT_H
#define MISSIVE_HMFS_FORMAT_H

#include <stdint.h>

#define HMFS_BLOCK_SIZE  4096u
#define HMFS_HEADER_SIZE 32u
#define HMFS_MAGIC       0x4d48u                      /* "HM", the header's magic */
#define HMFS_SUPER_MAGIC UINT64_C(0x31525053534d4648) /* "HMFSSPR1" */
#define HMFS_VERSION     1u

/* The superblock ring occupies blocks 0 .. HMFS_RING_SIZE-1; commit n writes slot n % size. */
#define HMFS_RING_SIZE 4u

/* Block types (hmfs_header.type and hmfs_bptr.type). */
enum hmfs_block_type {
    HMFS_TYPE_SUPER = 1,  /* a superblock of the ring */
    HMFS_TYPE_TABLE = 2,  /* a hash map's pointer table: 128 slots */
    HMFS_TYPE_BUCKET = 3, /* a hash map's bucket: records */
    HMFS_TYPE_DATA = 4,   /* file contents: HMFS_DATA_BYTES bytes after the header */
};

/* Which map a table or bucket belongs to (hmfs_header.kind); 0 for superblocks and data. */
enum hmfs_map_kind {
    HMFS_KIND_NONE = 0,
    HMFS_KIND_INODES = 1,  /* a tree's inode table: inode number -> struct hmfs_inode */
    HMFS_KIND_DIR = 2,     /* a directory: name -> struct hmfs_dirent_value */
    HMFS_KIND_FILEMAP = 3, /* a file's block map: block index -> struct hmfs_bptr */
};

/* The owner of inode-table blocks and superblocks; any other owner is an inode number. */
#define HMFS_OWNER_INODES UINT64_C(0)

struct hmfs_header {
    uint32_t crc;     /* CRC32C of bytes 4 .. HMFS_BLOCK_SIZE-1 of the block */
    uint16_t magic;   /* HMFS_MAGIC */
    uint8_t type;     /* enum hmfs_block_type */
    uint8_t kind;     /* enum hmfs_map_kind */
    uint64_t blockno; /* where the block belongs: a misdirected write shows here */
    uint64_t gen;     /* the generation (transaction) that wrote it */
    uint64_t owner;   /* inode number, or HMFS_OWNER_INODES */
};

/* A pointer to a block; blockno 0 (a superblock, never pointed to) is the null pointer. */
struct hmfs_bptr {
    uint64_t blockno;
    uint64_t gen;  /* the generation the block must carry (btrfs's parent_transid) */
    uint32_t crc;  /* the CRC32C the block must carry */
    uint8_t type;  /* the type it must have */
    uint8_t kind;  /* the map kind it must have */
    uint16_t zero; /* 0 */
};

/* A hash map's root as its owner holds it. */
struct hmfs_mapref {
    struct hmfs_bptr root; /* a table or a bucket of level 0; null for an empty map */
    uint64_t count;        /* records in the map */
};

/* Pointer tables: 2^7 slots, each a pointer to a bucket or a table of the next level. A bucket
   of local depth d covers 2^(7-d) consecutive, aligned slots, all holding the same pointer. */
#define HMFS_TABLE_BITS   7u
#define HMFS_TABLE_SLOTS  (1u << HMFS_TABLE_BITS)
#define HMFS_MAX_LEVEL    8u /* levels 0..8 use 63 bits of the hash */
#define HMFS_TABLE_OFFSET 64u

struct hmfs_table_body { /* at offset HMFS_HEADER_SIZE */
    uint8_t level;       /* 0 for a map's root */
    uint8_t zero[31];
};

/* Buckets: records packed from HMFS_BUCKET_OFFSET, each a struct hmfs_record then the key
   then the value. */
#define HMFS_BUCKET_OFFSET 48u
#define HMFS_BUCKET_SPACE  (HMFS_BLOCK_SIZE - HMFS_BUCKET_OFFSET)

struct hmfs_bucket_body { /* at offset HMFS_HEADER_SIZE */
    uint8_t level;        /* the level of the table whose slots point here */
    uint8_t depth;        /* local depth 0..7: covers 2^(7-depth) slots */
    uint8_t prefix;       /* the first slot it covers (a multiple of 2^(7-depth)) */
    uint8_t zero;
    uint16_t count; /* records */
    uint16_t bytes; /* bytes of records from HMFS_BUCKET_OFFSET */
    uint8_t pad[8];
};

struct hmfs_record {
    uint64_t hash;
    uint16_t key_len;
    uint16_t value_len;
};
#define HMFS_RECORD_SIZE 12u /* packed: hash, key_len, value_len, then key and value */

/* Inode types. */
enum hmfs_inode_type {
    HMFS_INODE_FILE = 1,
    HMFS_INODE_DIR = 2,
};

#define HMFS_ROOT_INO UINT64_C(1)

/* The value of a record of a tree's inode table (key: the inode number, 8 bytes). */
struct hmfs_inode {
    uint64_t ino;
    uint32_t type;   /* enum hmfs_inode_type */
    uint32_t nlink;  /* file: names; directory: 2 + subdirectories */
    uint64_t size;   /* file: bytes; directory: entries */
    uint64_t parent; /* directory: its parent (the root is its own); file: 0 */
    uint64_t mtime;  /* set by the user's clock, seconds; 0 without one */
    uint64_t reserved;
    struct hmfs_mapref map; /* directory: entries; file: block map */
};

/* The value of a directory record (key: the name, 1..HMFS_NAME_MAX bytes). */
struct hmfs_dirent_value {
    uint64_t ino;
    uint32_t type; /* the inode's type, for readdir */
    uint32_t zero;
};

#define HMFS_NAME_MAX   255u
#define HMFS_DATA_BYTES (HMFS_BLOCK_SIZE - HMFS_HEADER_SIZE) /* file bytes per data block */
/* File block indexes are below 2^32: a file holds at most 2^32 * 4064 bytes (~15.9 TiB). */
#define HMFS_MAX_FILE_BLOCKS (UINT64_C(1) << 32)
#define HMFS_MAX_FILE_SIZE   (HMFS_MAX_FILE_BLOCKS * HMFS_DATA_BYTES)

/* Trees: the main tree (index 0, name ""), snapshots (read-only) and forks (writable clones). */
#define HMFS_MAX_TREES     32u
#define HMFS_TREE_NAME_MAX 39u
#define HMFS_TREE_USED     1u
#define HMFS_TREE_READONLY 2u

struct hmfs_tree_entry {
    char name[HMFS_TREE_NAME_MAX + 1]; /* NUL-terminated and NUL-padded */
    uint32_t flags;                    /* HMFS_TREE_* */
    uint32_t zero;
    uint64_t created_gen; /* the generation it was made in */
    uint64_t next_ino;    /* the next inode number it hands out */
    struct hmfs_mapref inodes;
};

struct hmfs_super {
    struct hmfs_header header; /* type SUPER, blockno = the ring slot, gen = the commit */
    uint64_t magic;            /* HMFS_SUPER_MAGIC */
    uint32_t version;          /* HMFS_VERSION */
    uint32_t ring_size;        /* HMFS_RING_SIZE */
    uint64_t block_count;      /* blocks in the volume */
    uint64_t used_blocks;      /* blocks referenced (superblocks included) */
    uint64_t zero[4];
    struct hmfs_tree_entry trees[HMFS_MAX_TREES];
};

/* Volumes: at least 16 blocks, at most 2^32 blocks (16 TiB). */
#define HMFS_MIN_BLOCKS UINT64_C(16)
#define HMFS_MAX_BLOCKS (UINT64_C(1) << 32)

_Static_assert(sizeof(struct hmfs_header) == HMFS_HEADER_SIZE, "header layout");
_Static_assert(sizeof(struct hmfs_bptr) == 24, "pointer layout");
_Static_assert(sizeof(struct hmfs_mapref) == 32, "mapref layout");
_Static_assert(sizeof(struct hmfs_inode) == 80, "inode layout");
_Static_assert(sizeof(struct hmfs_bucket_body) == HMFS_BUCKET_OFFSET - HMFS_HEADER_SIZE,
               "bucket layout");
_Static_assert(HMFS_TABLE_OFFSET + HMFS_TABLE_SLOTS * sizeof(struct hmfs_bptr) <= HMFS_BLOCK_SIZE,
               "table fits");
_Static_assert(sizeof(struct hmfs_tree_entry) == 96, "tree entry layout");
_Static_assert(sizeof(struct hmfs_super) <= HMFS_BLOCK_SIZE, "superblock fits");

#endif
