/*
 * Paths as libsys's POSIX calls see them (docs/userspace.md, "Files"): one name space with the
 * HMFS volume at "/" and the initrd's files, read-only, under "/initrd". This module makes an
 * absolute, normalised path of what a program passes (relative to the current directory; ".",
 * ".." and repeated slashes resolved), says which of the two it is in, and lists the initrd's
 * flat file names ("etc/motd") as directories. Pure: host unit tests compile it unchanged.
 */
#ifndef MISSIVE_FSPATH_H
#define MISSIVE_FSPATH_H

#include <stdbool.h>
#include <stddef.h>

#define FSPATH_MAX        1024      /* bytes of a normalised path, the NUL included */
#define FSPATH_INITRD_DIR "/initrd" /* where the initrd's files are */

enum fspath_error {
    FSPATH_OK = 0,
    FSPATH_EMPTY,    /* "" names nothing (POSIX: ENOENT) */
    FSPATH_TOO_LONG, /* the result does not fit in FSPATH_MAX bytes (ENAMETOOLONG) */
    FSPATH_RELATIVE, /* cwd is not absolute (a caller's bug; EINVAL) */
};

/* Writes into out (FSPATH_MAX bytes) the absolute path path names when the current directory
   is cwd (absolute, itself normalised or not): a leading '/' or not, components "." dropped,
   ".." removing the one before it ("/.." is "/"), slashes collapsed, no trailing slash but on
   "/". Returns FSPATH_OK, or an error with out unspecified. */
enum fspath_error fspath_normalize(const char *cwd, const char *path, char out[FSPATH_MAX]);

enum fspath_where {
    FSPATH_HMFS,   /* on the HMFS volume */
    FSPATH_INITRD, /* under /initrd */
};

/* Which file system the normalised absolute path is on, and *rest its path there: for HMFS the
   path itself ("/", "/a/b"); for the initrd the name within it without a leading slash ("" for
   /initrd itself, "etc/motd"). */
enum fspath_where fspath_where(const char *path, const char **rest);

#define FSPATH_SNAP_DIR "/.snap" /* the HMFS volume's snapshots and clones, each by name */

enum fspath_tree {
    FSPATH_MAIN,      /* the main tree */
    FSPATH_SNAP_TOP,  /* /.snap itself: the list of snapshots */
    FSPATH_SNAP_TREE, /* /.snap/NAME/...: inside the tree NAME */
};

/* Which tree of the HMFS volume the normalised HMFS path is in: for FSPATH_SNAP_TREE *name
   and *name_length name the tree and *inner is the path inside it ("" for its root, "/x/y");
   for FSPATH_MAIN *inner is path. */
enum fspath_tree fspath_tree(const char *path, const char **name, size_t *name_length,
                             const char **inner);

/* Whether the initrd file name file ("etc/motd") lies inside the initrd directory dir ("" the
   top, "etc" a directory): then *name is the first component of file below dir, *length its
   length, and *is_dir whether more components follow it (it is a directory of the initrd). */
bool fspath_child(const char *dir, const char *file, const char **name, size_t *length,
                  bool *is_dir);

/* The last component of the normalised absolute path (not "/"): *parent_length is the length
   of the directory before it (1 for a child of "/"); returns the component. */
const char *fspath_last(const char *path, size_t *parent_length);

#endif
