/* SPDX-License-Identifier: MIT */
/*
 * errno.h: error numbers returned as negative values (the error policy in
 * docs/architecture.md). Values follow Linux so logs read familiar.
 */
#ifndef TV_ERRNO_H
#define TV_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define EROFS 30
#define ERANGE 34
#define ENOSYS 38
#define ENODATA 61
#define EOVERFLOW 75
#define EBADMSG 74
#define EILSEQ 84
#define EOPNOTSUPP 95
#define ETIMEDOUT 110

/* Short English text for an errno value (positive or negative). */
const char *tv_strerror(int err);

#endif
