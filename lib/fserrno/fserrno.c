/*
 * File protocol statuses to errno (fserrno.h). Pure.
 */
#include "fserrno/fserrno.h"

#include <errno.h>

#include "proto/fs.h"

int fserrno_from_status(long status)
{
    switch (status) {
    case SERVICE_BAD_LABEL:
        return ENOSYS;
    case SERVICE_BAD_LENGTH:
    case SERVICE_BAD_ARGUMENT:
        return EINVAL;
    case SERVICE_NO_MEMORY:
    case FS_ERROR_NO_MEMORY:
        return ENOMEM;
    case SERVICE_QUOTA:
        return EDQUOT;
    case SERVICE_NOT_FOUND:
    case FS_ERROR_NOT_FOUND:
        return ENOENT;
    case SERVICE_EXISTS:
    case FS_ERROR_EXISTS:
        return EEXIST;
    case SERVICE_DENIED:
    case FS_ERROR_ACCESS:
        return EACCES;
    case SERVICE_BUSY:
        return EBUSY;
    case SERVICE_TOO_MANY:
    case FS_ERROR_TOO_MANY:
        return ENFILE;
    case FS_ERROR_NO_SPACE:
        return ENOSPC;
    case FS_ERROR_NOT_DIR:
        return ENOTDIR;
    case FS_ERROR_IS_DIR:
        return EISDIR;
    case FS_ERROR_NOT_EMPTY:
        return ENOTEMPTY;
    case FS_ERROR_NAME_TOO_LONG:
        return ENAMETOOLONG;
    case FS_ERROR_BAD_NAME:
    case FS_ERROR_INVALID:
    case FS_ERROR_COLLISION: /* the name cannot be stored beside another: EINVAL, as for a
                                name a file system refuses */
        return EINVAL;
    case FS_ERROR_READ_ONLY:
        return EROFS;
    case FS_ERROR_BAD_HANDLE:
        return EBADF;
    case FS_ERROR_TOO_BIG:
        return EFBIG;
    case FS_ERROR_IO:
    case FS_ERROR_CORRUPT:
    case FS_ERROR_STOPPED:
    case SERVICE_INTERNAL:
    default:
        return EIO;
    }
}
