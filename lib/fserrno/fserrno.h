/*
 * The one table from the file protocol's statuses (lib/proto/fs.h: the SERVICE_* and
 * FS_ERROR_* a file server answers) to POSIX's errno values, for libsys's POSIX calls. Pure:
 * it uses only <errno.h>'s names, so host unit tests compile it unchanged (with the host's
 * numbers).
 */
#ifndef MISSIVE_FSERRNO_H
#define MISSIVE_FSERRNO_H

/* The errno for a failed file request: status is the reply's label (a SERVICE_* or an
   FS_ERROR_*, not SERVICE_OK); EIO for a status it does not know. */
int fserrno_from_status(long status);

#endif
