// SPDX-License-Identifier: MIT
/* vsnprintf.c: the one formatter behind the kernel log and panic screens. */
#include <tv/printf.h>
#include <tv/string.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum {
	F_LEFT = 1,
	F_ZERO = 2,
	F_ALT = 4,
	F_PLUS = 8,
	F_SPACE = 16,
	F_UPPER = 32,
	F_PTR = 64,     /* %p: the 0x prefix even for zero */
};

static void put_num(struct out *o, unsigned long long v, bool neg, unsigned base, int flags,
		    int width, int prec)
{
	const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	char sign = 0;
	const char *prefix = "";
	int plen = 0;
	bool zero = v == 0;

	/* C99: a zero value with precision 0 has no digits at all. */
	if (!zero || prec != 0) {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	/* '-' overrides '0', and so does a precision. */
	if (prec >= 0 || (flags & F_LEFT))
		flags &= ~F_ZERO;
	if (prec < 0)
		prec = 1;
	if (neg)
		sign = '-';
	else if (flags & F_PLUS)
		sign = '+';
	else if (flags & F_SPACE)
		sign = ' ';
	if ((flags & F_ALT) && base == 16 && (!zero || (flags & F_PTR))) {
		prefix = (flags & F_UPPER) ? "0X" : "0x";
		plen = 2;
	} else if ((flags & F_ALT) && base == 8 && prec <= n && (n == 0 || tmp[n - 1] != '0')) {
		/* '#' with o raises the precision just enough for a leading 0. */
		prec = n + 1;
	}

	int digits_len = n > prec ? n : prec;
	int total = digits_len + plen + (sign ? 1 : 0);

	if (!(flags & (F_LEFT | F_ZERO)))
		pad(o, ' ', width - total);
	if (sign)
		put(o, sign);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (flags & F_ZERO)
		pad(o, '0', width - total);
	pad(o, '0', prec - n);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		pad(o, ' ', width - total);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int flags = 0, width = 0, prec = -1, lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (;;) {
			char f = *++fmt;

			if (f == '-')
				flags |= F_LEFT;
			else if (f == '0')
				flags |= F_ZERO;
			else if (f == '#')
				flags |= F_ALT;
			else if (f == '+')
				flags |= F_PLUS;
			else if (f == ' ')
				flags |= F_SPACE;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (tv_isdigit(*fmt))
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (tv_isdigit(*fmt))
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* lng: -2 hh, -1 h, 0 int, 1 long, 2 long long */
		for (;; fmt++) {
			if (*fmt == 'h')
				lng--;
			else if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
				lng = 2;
			else
				break;
		}

		unsigned long long u;
		long long s;
		unsigned base = 10;

		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng >= 2)
				s = va_arg(ap, long long);
			else if (lng == 1)
				s = va_arg(ap, long);
			else
				s = va_arg(ap, int);
			if (lng == -1)
				s = (short)s;
			else if (lng <= -2)
				s = (signed char)s;
			put_num(&o, s < 0 ? -(unsigned long long)s : (unsigned long long)s, s < 0, 10,
				flags, width, prec);
			break;
		case 'X':
			flags |= F_UPPER;
			/* fall through */
		case 'x':
			base = 16;
			goto unsigned_arg;
		case 'o':
			base = 8;
			/* fall through */
		case 'u':
unsigned_arg:
			if (lng >= 2)
				u = va_arg(ap, unsigned long long);
			else if (lng == 1)
				u = va_arg(ap, unsigned long);
			else
				u = va_arg(ap, unsigned int);
			if (lng == -1)
				u = (unsigned short)u;
			else if (lng <= -2)
				u = (unsigned char)u;
			/* '+' and ' ' apply to signed conversions only. */
			put_num(&o, u, false, base, flags & ~(F_PLUS | F_SPACE), width, prec);
			break;
		case 'p':
			put_num(&o, (unsigned long long)(uintptr_t)va_arg(ap, void *), false, 16,
				flags | F_ALT | F_PTR, width, prec);
			break;
		case 'c':
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - 1);
			put(&o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				pad(&o, ' ', width - 1);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			int len;

			if (!str)
				str = "(null)";
			len = prec >= 0 ? (int)strnlen(str, prec) : (int)strlen(str);
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - len);
			for (int i = 0; i < len; i++)
				put(&o, str[i]);
			if (flags & F_LEFT)
				pad(&o, ' ', width - len);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
