// SPDX-License-Identifier: MIT
/* strutil.c: small string helpers used everywhere, hosted or not. */
#include <tv/errno.h>
#include <tv/string.h>

size_t tv_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int tv_strcasecmp(const char *a, const char *b)
{
	while (*a && tv_tolower(*a) == tv_tolower(*b)) {
		a++;
		b++;
	}
	return tv_tolower((unsigned char)*a) - tv_tolower((unsigned char)*b);
}

int tv_parse_u64(const char *s, size_t len, u64 *out)
{
	unsigned base = 10;
	u64 v = 0;
	size_t i = 0;

	if (len == 0)
		return -EINVAL;
	if (len > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		base = 16;
		i = 2;
	}
	for (; i < len; i++) {
		unsigned d;

		if (tv_isdigit(s[i]))
			d = s[i] - '0';
		else if (base == 16 && tv_isxdigit(s[i]))
			d = tv_tolower(s[i]) - 'a' + 10;
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

const char *tv_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case 0: return "success";
	case EPERM: return "not permitted";
	case ENOENT: return "not found";
	case EIO: return "I/O error";
	case E2BIG: return "too big";
	case ENOEXEC: return "not an executable";
	case EAGAIN: return "try again";
	case ENOMEM: return "out of memory";
	case EFAULT: return "bad address";
	case EBUSY: return "busy";
	case EEXIST: return "already exists";
	case ENODEV: return "no such device";
	case EINVAL: return "invalid argument";
	case ENOSPC: return "no space left";
	case EROFS: return "read-only";
	case ERANGE: return "out of range";
	case ENOSYS: return "not implemented";
	case ENODATA: return "no data";
	case EOVERFLOW: return "overflow";
	case EBADMSG: return "corrupt data";
	case EILSEQ: return "illegal sequence";
	case EOPNOTSUPP: return "not supported";
	case ETIMEDOUT: return "timed out";
	default: return "unknown error";
	}
}
