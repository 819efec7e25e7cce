// SPDX-License-Identifier: MIT
/* cfglex.c: line lexer for thinvisor config files (syntax in cfglex.h). */
#include <tv/cfglex.h>
#include <tv/errno.h>
#include <tv/string.h>

void cfglex_init(struct cfglex *lx, const void *buf, size_t len)
{
	lx->buf = buf;
	lx->len = len;
	lx->pos = 0;
	lx->line = 0;
	lx->err = NULL;
}

static bool key_char(char c)
{
	return tv_isalnum(c) || c == '_' || c == '.' || c == ':' || c == '-';
}

static int fail(struct cfglex *lx, const char *why)
{
	lx->err = why;
	return -EINVAL;
}

/* Lex one line [s, s+n) with the terminator removed: 1 entry, 0 nothing, <0 error. */
static int lex_line(struct cfglex *lx, const char *s, size_t n, struct cfg_entry *e)
{
	size_t i = 0, k0, k1, v0;

	if (n > CFG_MAX_LINE)
		return fail(lx, "line too long");
	for (size_t j = 0; j < n; j++) {
		if (s[j] == '\0')
			return fail(lx, "NUL byte in line");
		if ((u8)s[j] < 0x20 && s[j] != '\t')
			return fail(lx, "control character in line");
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n || s[i] == '#')
		return 0;
	k0 = i;
	while (i < n && key_char(s[i]))
		i++;
	k1 = i;
	if (k1 == k0)
		return fail(lx, "expected a key");
	if (k1 - k0 > CFG_MAX_KEY)
		return fail(lx, "key too long");
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n || s[i] != '=')
		return fail(lx, i < n ? "illegal character in key or missing '='"
				      : "expected '=' after key");
	i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n || s[i] != '"')
		return fail(lx, "value must be in double quotes");
	v0 = ++i;
	while (i < n && s[i] != '"') {
		if (!tv_isprint(s[i]))
			return fail(lx, "value holds a tab or non-ASCII character");
		i++;
	}
	if (i == n)
		return fail(lx, "unterminated quoted value");
	if (i - v0 > CFG_MAX_VALUE)
		return fail(lx, "value too long");
	e->key = s + k0;
	e->key_len = k1 - k0;
	e->value = s + v0;
	e->value_len = i - v0;
	e->line = lx->line;
	i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] != '#')
		return fail(lx, "unexpected text after the value");
	return 1;
}

int cfglex_next(struct cfglex *lx, struct cfg_entry *e)
{
	while (lx->pos < lx->len) {
		const char *s = lx->buf + lx->pos;
		const char *nl = memchr(s, '\n', lx->len - lx->pos);
		size_t n = nl ? (size_t)(nl - s) : lx->len - lx->pos;
		int r;

		lx->pos += n + (nl ? 1 : 0);
		lx->line++;
		if (n && s[n - 1] == '\r')
			n--;
		/* A UTF-8 byte order mark on the first line is harmless; skip it. */
		if (lx->line == 1 && n >= 3 && (u8)s[0] == 0xef && (u8)s[1] == 0xbb && (u8)s[2] == 0xbf) {
			s += 3;
			n -= 3;
		}
		r = lex_line(lx, s, n, e);
		if (r != 0)
			return r;
	}
	return 0;
}

bool cfg_key_is(const struct cfg_entry *e, const char *key)
{
	size_t n = strlen(key);

	if (n != e->key_len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tv_tolower(e->key[i]) != tv_tolower(key[i]))
			return false;
	return true;
}

bool cfg_value_copy(const struct cfg_entry *e, char *out, size_t size)
{
	if (e->value_len >= size)
		return false;
	memcpy(out, e->value, e->value_len);
	out[e->value_len] = '\0';
	return true;
}

const char *cfg_path_check(const char *path, size_t len)
{
	size_t comp = 0;

	if (len == 0)
		return "empty path";
	if (len > CFG_MAX_PATH)
		return "path too long";
	if (path[0] == '/')
		return "path must be relative to the config's folder";
	for (size_t i = 0; i <= len; i++) {
		if (i == len || path[i] == '/') {
			size_t c = i - comp;

			if (c == 0)
				return "empty path component";
			if ((c == 1 && path[comp] == '.') ||
			    (c == 2 && path[comp] == '.' && path[comp + 1] == '.'))
				return "'.' and '..' are not allowed in paths";
			comp = i + 1;
			continue;
		}
		char ch = path[i];

		if (!tv_isalnum(ch) && ch != '.' && ch != '_' && ch != '-' && ch != '+')
			return "illegal character in path";
	}
	return NULL;
}

bool vmcfg_key_is_file(const struct cfg_entry *e)
{
	static const char *const file_keys[] = {
		"guest.kernel", "guest.initrd",
		"disk0.fileName", "disk1.fileName", "disk2.fileName", "disk3.fileName",
	};

	/* A disk given as "[datastore] path" is not on the stick. */
	if (e->value_len && e->value[0] == '[')
		return false;
	for (size_t i = 0; i < sizeof(file_keys) / sizeof(file_keys[0]); i++)
		if (cfg_key_is(e, file_keys[i]))
			return true;
	return false;
}
