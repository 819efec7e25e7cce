// SPDX-License-Identifier: MIT
/* cmdline.c: kernel options (tv/cmdline.h). Pure; tested in tests/unit/test_cmdline.c. */
#include <tv/cmdline.h>
#include <tv/string.h>

static char all[CMDLINE_MAX];
static size_t used;
static bool overflow;
static char value_buf[CMDLINE_MAX];

void cmdline_reset(void)
{
	all[0] = '\0';
	used = 0;
	overflow = false;
}

void cmdline_add(const char *s)
{
	while (*s) {
		size_t n;

		while (*s == ' ' || *s == '\t')
			s++;
		for (n = 0; s[n] && s[n] != ' ' && s[n] != '\t'; n++)
			;
		if (!n)
			break;
		if (used + n + 2 > sizeof(all)) {
			overflow = true;
			return;
		}
		if (used)
			all[used++] = ' ';
		memcpy(all + used, s, n);
		used += n;
		all[used] = '\0';
		s += n;
	}
}

bool cmdline_overflowed(void)
{
	return overflow;
}

const char *cmdline_get(const char *key)
{
	size_t klen = strlen(key);
	const char *found = NULL, *p = all;
	size_t flen = 0;

	while (*p) {
		size_t n = 0;

		while (p[n] && p[n] != ' ')
			n++;
		if (n >= klen && strncmp(p, key, klen) == 0 && (n == klen || p[klen] == '=')) {
			found = n == klen ? p + n : p + klen + 1;
			flen = n == klen ? 0 : n - klen - 1;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	if (!found)
		return NULL;
	memcpy(value_buf, found, flen);
	value_buf[flen] = '\0';
	return value_buf;
}

bool cmdline_flag(const char *key)
{
	const char *v = cmdline_get(key);

	return v && (v[0] == '\0' || strcmp(v, "1") == 0 || strcmp(v, "on") == 0 ||
		     strcmp(v, "yes") == 0);
}

u64 cmdline_u64(const char *key, u64 dflt)
{
	const char *v = cmdline_get(key);
	u64 out;

	if (!v || tv_parse_u64(v, strlen(v), &out))
		return dflt;
	return out;
}

const char *cmdline_all(void)
{
	return all;
}
