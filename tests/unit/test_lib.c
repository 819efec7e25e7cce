// SPDX-License-Identifier: MIT
/*
 * test_lib.c: the small shared libraries in lib/: cfglex.c (config lexer),
 * strutil.c, elf64.c (ELF checker) and vsnprintf.c (the formatter, compared
 * with glibc's snprintf).
 */
#include "test.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>

/*
 * Our formatter under other names, so glibc's stay usable for comparison.
 * <stdio.h> was included by test.h, so tv/printf.h's hosted include of it
 * is a no-op and only our definitions get renamed.
 */
#define vsnprintf tv_vsnprintf
#define snprintf tv_snprintf
#include "../../lib/vsnprintf.c"
#undef vsnprintf
#undef snprintf

#include <tv/cfglex.h>
#include <tv/elf64.h>
#include <tv/errno.h>
#include <tv/string.h>

/* The comparisons below use odd but valid formats on purpose. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-truncation"
#pragma GCC diagnostic ignored "-Wformat-overflow"

/* ======================================================================== */
/* cfglex                                                                    */
/* ======================================================================== */

struct lexed {
	int r;                 /* 1 entry, <0 error, 0 end */
	unsigned line;
	char key[80], value[600];
	const char *err;
};

/* Run the lexer over text to the end; returns the number of results. */
static int lex_all(const char *text, size_t len, struct lexed *out, int max)
{
	struct cfglex lx;
	struct cfg_entry e;
	int n = 0, r;

	cfglex_init(&lx, text, len);
	while ((r = cfglex_next(&lx, &e)) != 0 && n < max) {
		struct lexed *o = &out[n++];

		memset(o, 0, sizeof(*o));
		o->r = r;
		o->line = lx.line;
		if (r > 0) {
			CHECK_EQ(e.line, lx.line);
			memcpy(o->key, e.key, e.key_len < 79 ? e.key_len : 79);
			memcpy(o->value, e.value, e.value_len < 599 ? e.value_len : 599);
		} else {
			o->err = lx.err;
		}
	}
	/* The end is sticky. */
	if (n < max)
		CHECK_EQ(cfglex_next(&lx, &e), 0);
	return n;
}

#define LEX(text, out) lex_all(text, sizeof(text) - 1, out, (int)(sizeof(out) / sizeof(out[0])))

static void expect_entry(int line, const struct lexed *l, unsigned lno, const char *key,
			 const char *value)
{
	test_checks++;
	if (l->r != 1 || l->line != lno || strcmp(l->key, key) != 0 || strcmp(l->value, value) != 0) {
		test_failures++;
		fprintf(stderr, "test_lib.c:%d: [%s] got r=%d line %u '%s'='%s' (%s), want line %u "
			"'%s'='%s'\n", line, test_current, l->r, l->line, l->key, l->value,
			l->err ? l->err : "", lno, key, value);
	}
}

static void expect_error(int line, const struct lexed *l, unsigned lno, const char *why)
{
	test_checks++;
	if (l->r != -EINVAL || l->line != lno || !l->err || strcmp(l->err, why) != 0) {
		test_failures++;
		fprintf(stderr, "test_lib.c:%d: [%s] got r=%d line %u err '%s', want line %u '%s'\n",
			line, test_current, l->r, l->line, l->err ? l->err : "(null)", lno, why);
	}
}

#define ENTRY(l, lno, k, v) expect_entry(__LINE__, l, lno, k, v)
#define ERROR(l, lno, why) expect_error(__LINE__, l, lno, why)

TEST(cfglex_good_lines)
{
	static const char text[] =
		"key = \"value\"\n"                          /* 1 */
		"k2=\"v2\"\n"                                /* 2 */
		"\t  spaced\t=\t\"a b  c\"\t \n"            /* 3 */
		"A.b_C:d-9 = \"x\"\n"                        /* 4 */
		"empty = \"\"\n"                             /* 5 */
		"hash = \"#not a comment\" # a comment\n"    /* 6 */
		"punct = \"!$%&'()*+,-./:;<=>?@[\\]^_`{|}~\"\n" /* 7 */
		"last = \"no newline\"";                     /* 8 */
	struct lexed l[10];

	CHECK_EQ(LEX(text, l), 8);
	ENTRY(&l[0], 1, "key", "value");
	ENTRY(&l[1], 2, "k2", "v2");
	ENTRY(&l[2], 3, "spaced", "a b  c");
	ENTRY(&l[3], 4, "A.b_C:d-9", "x");
	ENTRY(&l[4], 5, "empty", "");
	ENTRY(&l[5], 6, "hash", "#not a comment");
	ENTRY(&l[6], 7, "punct", "!$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
	ENTRY(&l[7], 8, "last", "no newline");
}

TEST(cfglex_comments_blank_crlf)
{
	static const char text[] =
		"# comment\r\n"              /* 1 */
		"\r\n"                       /* 2 */
		"   \t  \r\n"                /* 3 */
		"  # indented comment\n"     /* 4 */
		"#key = \"v\"\n"             /* 5 */
		"a = \"1\"\r\n"              /* 6 */
		"\n"                         /* 7 */
		"b = \"2\" \r\n"             /* 8 */
		"c = \"3\"#c\r\n";           /* 9 */
	struct lexed l[10];

	CHECK_EQ(LEX(text, l), 3);
	ENTRY(&l[0], 6, "a", "1");
	ENTRY(&l[1], 8, "b", "2");
	ENTRY(&l[2], 9, "c", "3");
	/* Empty input and input without entries. */
	CHECK_EQ(lex_all("", 0, l, 10), 0);
	CHECK_EQ(lex_all("\n\n\n", 3, l, 10), 0);
	CHECK_EQ(lex_all("#", 1, l, 10), 0);
	/* A lone CR at the very end is a CRLF without LF: stripped. */
	CHECK_EQ(lex_all("x = \"y\"\r", 8, l, 10), 1);
	ENTRY(&l[0], 1, "x", "y");
	/* A CR inside a line is a control character. */
	CHECK_EQ(lex_all("x = \"y\"\r\r\n", 10, l, 10), 1);
	ERROR(&l[0], 1, "control character in line");
}

TEST(cfglex_bom)
{
	struct lexed l[4];
	static const char bom1[] = "\xef\xbb\xbfkey = \"v\"\n";
	static const char bom_comment[] = "\xef\xbb\xbf# only a comment\nk = \"v\"\n";
	static const char bom_only[] = "\xef\xbb\xbf";
	static const char bom2[] = "a = \"1\"\n\xef\xbb\xbfkey = \"v\"\n";
	static const char half_bom[] = "\xef\xbbkey = \"v\"\n";

	CHECK_EQ(LEX(bom1, l), 1);
	ENTRY(&l[0], 1, "key", "v");
	CHECK_EQ(LEX(bom_comment, l), 1);
	ENTRY(&l[0], 2, "k", "v");
	CHECK_EQ(LEX(bom_only, l), 0);
	/* Only on the first line. */
	CHECK_EQ(LEX(bom2, l), 2);
	ENTRY(&l[0], 1, "a", "1");
	ERROR(&l[1], 2, "expected a key");
	CHECK_EQ(LEX(half_bom, l), 1);
	ERROR(&l[0], 1, "expected a key");
}

TEST(cfglex_every_error)
{
	char buf[2100];
	struct lexed l[4];
	int n;

	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "= \"v\"", "expected a key" },
		{ "\"k\" = \"v\"", "expected a key" },
		{ "\xc3\xa9t\xc3\xa9 = \"v\"", "expected a key" },
		{ "ke y = \"v\"", "illegal character in key or missing '='" },
		{ "key! = \"v\"", "illegal character in key or missing '='" },
		{ "key \"v\"", "illegal character in key or missing '='" },
		{ "key/x = \"v\"", "illegal character in key or missing '='" },
		{ "key", "expected '=' after key" },
		{ "key   \t", "expected '=' after key" },
		{ "key = v", "value must be in double quotes" },
		{ "key =", "value must be in double quotes" },
		{ "key = 'v'", "value must be in double quotes" },
		{ "key == \"v\"", "value must be in double quotes" },
		{ "key = \"a\tb\"", "value holds a tab or non-ASCII character" },
		{ "key = \"caf\xc3\xa9\"", "value holds a tab or non-ASCII character" },
		{ "key = \"\x7f\"", "value holds a tab or non-ASCII character" },
		{ "key = \"abc", "unterminated quoted value" },
		{ "key = \"", "unterminated quoted value" },
		{ "key = \"v\" x", "unexpected text after the value" },
		{ "key = \"v\"\"w\"", "unexpected text after the value" },
		{ "key = \"v\";", "unexpected text after the value" },
		{ "key = \"v\x01\"", "control character in line" },
		{ "\x1bkey = \"v\"", "control character in line" },
		{ "key = \"v\" \x0c", "control character in line" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = lex_all(cases[i].text, strlen(cases[i].text), l, 4);
		CHECK_EQ(n, 1);
		ERROR(&l[0], 1, cases[i].why);
	}
	/* NUL bytes (need explicit lengths). */
	n = lex_all("key = \"a\0b\"", 11, l, 4);
	CHECK_EQ(n, 1);
	ERROR(&l[0], 1, "NUL byte in line");
	n = lex_all("# comment \0 too\nk = \"v\"", 23, l, 4);
	CHECK_EQ(n, 2);
	ERROR(&l[0], 1, "NUL byte in line");
	ENTRY(&l[1], 2, "k", "v");

	/* Length limits: key 64 ok / 65 not; value 512 ok / 513 not; line 1024 / 1025. */
	memset(buf, 'k', 64);
	strcpy(buf + 64, " = \"v\"");
	CHECK_EQ(lex_all(buf, strlen(buf), l, 4), 1);
	CHECK_EQ(l[0].r, 1);
	memset(buf, 'k', 65);
	strcpy(buf + 65, " = \"v\"");
	CHECK_EQ(lex_all(buf, strlen(buf), l, 4), 1);
	ERROR(&l[0], 1, "key too long");
	strcpy(buf, "k = \"");
	memset(buf + 5, 'v', 512);
	strcpy(buf + 517, "\"");
	CHECK_EQ(lex_all(buf, strlen(buf), l, 4), 1);
	CHECK_EQ(l[0].r, 1);
	CHECK_EQ(strlen(l[0].value), 512);
	strcpy(buf, "k = \"");
	memset(buf + 5, 'v', 513);
	strcpy(buf + 518, "\"");
	CHECK_EQ(lex_all(buf, strlen(buf), l, 4), 1);
	ERROR(&l[0], 1, "value too long");
	/* A 1024-byte line (padded with blanks) is fine; one more byte is not. */
	strcpy(buf, "k = \"v\"");
	memset(buf + 7, ' ', 1024 - 7);
	buf[1024] = '\0';
	CHECK_EQ(lex_all(buf, 1024, l, 4), 1);
	CHECK_EQ(l[0].r, 1);
	/* ...even with a CRLF after it: the CR does not count. */
	buf[1024] = '\r';
	buf[1025] = '\n';
	CHECK_EQ(lex_all(buf, 1026, l, 4), 1);
	CHECK_EQ(l[0].r, 1);
	buf[1024] = ' ';
	CHECK_EQ(lex_all(buf, 1025, l, 4), 1);
	ERROR(&l[0], 1, "line too long");
	/* A long comment line is also too long. */
	buf[0] = '#';
	CHECK_EQ(lex_all(buf, 1025, l, 4), 1);
	ERROR(&l[0], 1, "line too long");
}

TEST(cfglex_recovery)
{
	static const char text[] =
		"good1 = \"a\"\n"        /* 1 */
		"bad line\n"             /* 2 */
		"\n"                     /* 3 */
		"good2 = \"b\"\r\n"      /* 4 */
		"bad2 = nope\r\n"        /* 5 */
		"bad3 = \"open\r\n"      /* 6 */
		"# fine\n"               /* 7 */
		"good3=\"c\"\n"          /* 8 */
		"\x01\n"                 /* 9 */
		"=\n"                    /* 10 */
		"good4 = \"d\"\n"        /* 11 */
		"bad4";                  /* 12 */
	struct lexed l[16];

	CHECK_EQ(LEX(text, l), 10);
	ENTRY(&l[0], 1, "good1", "a");
	ERROR(&l[1], 2, "illegal character in key or missing '='");
	ENTRY(&l[2], 4, "good2", "b");
	ERROR(&l[3], 5, "value must be in double quotes");
	ERROR(&l[4], 6, "unterminated quoted value");
	ENTRY(&l[5], 8, "good3", "c");
	ERROR(&l[6], 9, "control character in line");
	ERROR(&l[7], 10, "expected a key");
	ENTRY(&l[8], 11, "good4", "d");
	ERROR(&l[9], 12, "expected '=' after key");
}

TEST(cfg_key_and_value_helpers)
{
	struct cfg_entry e = { .key = "Guest.Kernel", .key_len = 12, .value = "abcdef",
			       .value_len = 6, .line = 1 };
	char out[16];

	CHECK(cfg_key_is(&e, "guest.kernel"));
	CHECK(cfg_key_is(&e, "GUEST.KERNEL"));
	CHECK(cfg_key_is(&e, "Guest.Kernel"));
	CHECK(!cfg_key_is(&e, "guest.kerne"));
	CHECK(!cfg_key_is(&e, "guest.kernel2"));
	CHECK(!cfg_key_is(&e, "guest_kernel"));
	CHECK(!cfg_key_is(&e, ""));
	CHECK(vmcfg_key_is_file(&e));
	e.key = "GUEST.INITRD";
	CHECK(vmcfg_key_is_file(&e));
	e.key = "guest.cmdlin";
	CHECK(!vmcfg_key_is_file(&e));
	e.key = "guest.kernelx";
	e.key_len = 13;
	CHECK(!vmcfg_key_is_file(&e));
	e.key = "guest.memsize";
	CHECK(!vmcfg_key_is_file(&e));
	e.key = "disk0.fileName";
	e.key_len = 14;
	CHECK(vmcfg_key_is_file(&e));
	e.key = "DISK3.FILENAME";
	CHECK(vmcfg_key_is_file(&e));
	e.key = "disk0.fileNamx";
	CHECK(!vmcfg_key_is_file(&e));
	e.key = "desk0.fileName";
	CHECK(!vmcfg_key_is_file(&e));
	e.key = "disk0.readOnly";
	CHECK(!vmcfg_key_is_file(&e));
	e.key = "disk0.fileName";
	e.value = "[ds1] a.img";                    /* on a datastore, not the stick */
	e.value_len = 11;
	CHECK(!vmcfg_key_is_file(&e));
	e.value = "abcdef";
	e.value_len = 6;
	/* Keys are not terminated: only key_len counts. */
	e.key = "guest.kernel=junk";
	e.key_len = 12;
	CHECK(cfg_key_is(&e, "guest.kernel"));
	CHECK(vmcfg_key_is_file(&e));

	memset(out, 'Z', sizeof(out));
	CHECK(cfg_value_copy(&e, out, 7));          /* exactly fits */
	CHECK_STR(out, "abcdef");
	CHECK_EQ(out[7], 'Z');
	memset(out, 'Z', sizeof(out));
	CHECK(!cfg_value_copy(&e, out, 6));         /* no room for the NUL */
	CHECK_EQ(out[0], 'Z');
	CHECK(!cfg_value_copy(&e, out, 1));
	CHECK(!cfg_value_copy(&e, out, 0));
	CHECK_EQ(out[0], 'Z');
	e.value_len = 0;
	CHECK(cfg_value_copy(&e, out, 1));
	CHECK_STR(out, "");
	CHECK(!cfg_value_copy(&e, out, 0));
}

TEST(cfg_path_rules)
{
	char longp[260];
	static const char *const good[] = {
		"bzImage", "linux/vmlinuz-6.1", "a+b_c-d.e", "...", ".hidden", "a/b/c/d/e",
		"A9", "x..y", "dir.d/file.tar.gz",
	};
	static const struct {
		const char *p, *why;
	} bad[] = {
		{ "", "empty path" },
		{ "/abs", "path must be relative to the config's folder" },
		{ "/", "path must be relative to the config's folder" },
		{ "a//b", "empty path component" },
		{ "a/", "empty path component" },
		{ ".", "'.' and '..' are not allowed in paths" },
		{ "..", "'.' and '..' are not allowed in paths" },
		{ "./a", "'.' and '..' are not allowed in paths" },
		{ "a/./b", "'.' and '..' are not allowed in paths" },
		{ "../x", "'.' and '..' are not allowed in paths" },
		{ "a/..", "'.' and '..' are not allowed in paths" },
		{ "a b", "illegal character in path" },
		{ "a\\b", "illegal character in path" },
		{ "a:b", "illegal character in path" },
		{ "caf\xc3\xa9", "illegal character in path" },
		{ "a*", "illegal character in path" },
		{ "~/x", "illegal character in path" },
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *why = cfg_path_check(good[i], strlen(good[i]));

		CHECK(why == NULL);
		if (why)
			fprintf(stderr, "  '%s' rejected: %s\n", good[i], why);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_STR(cfg_path_check(bad[i].p, strlen(bad[i].p)), bad[i].why);
	/* Length: up to CFG_MAX_PATH; len bounds the check, not a NUL. */
	memset(longp, 'a', sizeof(longp));
	CHECK(cfg_path_check(longp, CFG_MAX_PATH) == NULL);
	CHECK_STR(cfg_path_check(longp, CFG_MAX_PATH + 1), "path too long");
	CHECK(cfg_path_check("abc/def", 3) == NULL);
	CHECK_STR(cfg_path_check("abc/def", 4), "empty path component");
	CHECK_STR(cfg_path_check("a\0b", 3), "illegal character in path");
}

/* ======================================================================== */
/* strutil                                                                   */
/* ======================================================================== */

TEST(t_strlcpy)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(tv_strlcpy(buf, "hello", 0), 5);
	CHECK_EQ(buf[0], 'Z');
	CHECK_EQ(tv_strlcpy(buf, "hello", 1), 5);
	CHECK_STR(buf, "");
	CHECK_EQ(buf[1], 'Z');
	CHECK_EQ(tv_strlcpy(buf, "hello", 3), 5);
	CHECK_STR(buf, "he");
	CHECK_EQ(buf[3], 'Z');
	CHECK_EQ(tv_strlcpy(buf, "hello", 6), 5);   /* exact */
	CHECK_STR(buf, "hello");
	CHECK_EQ(tv_strlcpy(buf, "hello", 8), 5);
	CHECK_STR(buf, "hello");
	CHECK_EQ(tv_strlcpy(buf, "", 8), 0);
	CHECK_STR(buf, "");
	CHECK_EQ(tv_strlcpy(buf, "0123456789abcdef", 8), 16);
	CHECK_STR(buf, "0123456");
}

TEST(parse_u64)
{
	u64 v;
	static const struct {
		const char *s;
		int r;
		u64 v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "7", 0, 7 },
		{ "000123", 0, 123 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "0x0", 0, 0 },
		{ "0x1f", 0, 31 },
		{ "0X1F", 0, 31 },
		{ "0xDeadBeef", 0, 0xdeadbeef },
		{ "0x0001", 0, 1 },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "0x10000000000000000", -ERANGE, 0 },
		{ "0x", -EINVAL, 0 },
		{ "x1", -EINVAL, 0 },
		{ "0xg", -EINVAL, 0 },
		{ "0x-1", -EINVAL, 0 },
		{ "1f", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "1.0", -EINVAL, 0 },
		{ "1k", -EINVAL, 0 },
		{ "00x1", -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 0x5555;
		CHECK_EQ(tv_parse_u64(cases[i].s, strlen(cases[i].s), &v), cases[i].r);
		CHECK_EQ(v, cases[i].r ? 0x5555 : cases[i].v); /* untouched on failure */
	}
	v = 1;
	CHECK_EQ(tv_parse_u64("", 0, &v), -EINVAL);
	CHECK_EQ(tv_parse_u64("123", 0, &v), -EINVAL);
	CHECK_EQ(v, 1);
	/* Only [s, s+len) is parsed. */
	CHECK_EQ(tv_parse_u64("123abc", 3, &v), 0);
	CHECK_EQ(v, 123);
	CHECK_EQ(tv_parse_u64("0x1fzz", 4, &v), 0);
	CHECK_EQ(v, 31);
	CHECK_EQ(tv_parse_u64("0x12", 2, &v), -EINVAL); /* "0x" */
}

TEST(strerror_texts)
{
	CHECK_STR(tv_strerror(0), "success");
	CHECK_STR(tv_strerror(-ENOMEM), "out of memory");
	CHECK_STR(tv_strerror(ENOMEM), "out of memory");
	CHECK_STR(tv_strerror(-EINVAL), "invalid argument");
	CHECK_STR(tv_strerror(-ETIMEDOUT), "timed out");
	CHECK_STR(tv_strerror(-9999), "unknown error");
	CHECK_STR(tv_strerror(INT_MAX), "unknown error");
}

/* ======================================================================== */
/* elf64                                                                     */
/* ======================================================================== */

#define LO 0xffffffff80000000ull
#define HI 0xffffffffc0000000ull

struct elf {
	u8 buf[0x4000];
	u64 len;
};

static struct elf64_ehdr *eh(struct elf *e)
{
	return (struct elf64_ehdr *)e->buf;
}

static struct elf64_phdr *ph(struct elf *e, int i)
{
	return (struct elf64_phdr *)(e->buf + 64) + i;
}

/* A kernel-like image: text (R+X), data+bss (R+W), and a note. */
static void make_elf(struct elf *e)
{
	memset(e, 0, sizeof(*e));
	e->len = 0x3000;
	memcpy(e->buf, "\177ELF", 4);
	e->buf[4] = 2; /* 64-bit */
	e->buf[5] = 1; /* little endian */
	e->buf[6] = 1;
	eh(e)->e_type = ELF_ET_EXEC;
	eh(e)->e_machine = ELF_EM_X86_64;
	eh(e)->e_version = 1;
	eh(e)->e_entry = LO + 0x1010;
	eh(e)->e_phoff = 64;
	eh(e)->e_ehsize = 64;
	eh(e)->e_phentsize = 56;
	eh(e)->e_phnum = 3;
	*ph(e, 0) = (struct elf64_phdr){ ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0x1000, LO + 0x1000,
					 LO + 0x1000, 0x800, 0x800, 0x1000 };
	*ph(e, 1) = (struct elf64_phdr){ ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x2000, LO + 0x202000,
					 LO + 0x202000, 0x100, 0x5000, 0x1000 };
	/* A PT_NOTE pointing nowhere: not a loadable segment, so not checked. */
	*ph(e, 2) = (struct elf64_phdr){ 4, 0, 0xffffff, 0x1234, 0, 0x999999, 0x999999, 4 };
}

static const char *check(struct elf *e, struct elf64_image *img)
{
	return elf64_check(e->buf, e->len, LO, HI, img);
}

TEST(elf_good)
{
	struct elf e;
	struct elf64_image img;

	make_elf(&e);
	memset(&img, 0, sizeof(img));
	CHECK(check(&e, &img) == NULL);
	CHECK_EQ(img.entry, LO + 0x1010);
	CHECK_EQ(img.vbase, LO + 0x1000);
	CHECK_EQ(img.vend, LO + 0x207000);
	CHECK(img.phdrs == ph(&e, 0));
	CHECK_EQ(img.phnum, 3);
	/* Edges that are allowed: starting at lo, ending exactly at hi, entry
	 * at the first and last byte of the text, a zero-sized PT_LOAD anywhere. */
	ph(&e, 0)->p_vaddr = LO;
	ph(&e, 0)->p_offset = 0;
	eh(&e)->e_entry = LO;
	CHECK(check(&e, &img) == NULL);
	CHECK_EQ(img.vbase, LO);
	eh(&e)->e_entry = LO + 0x7ff;
	CHECK(check(&e, &img) == NULL);
	ph(&e, 1)->p_vaddr = HI - 0x5000;
	CHECK(check(&e, &img) == NULL);
	CHECK_EQ(img.vend, HI);
	ph(&e, 2)->p_type = ELF_PT_LOAD;
	ph(&e, 2)->p_memsz = 0;
	CHECK(check(&e, &img) == NULL);
	/* A segment that fills the file exactly. */
	make_elf(&e);
	ph(&e, 1)->p_filesz = 0x1000;
	CHECK(check(&e, &img) == NULL);
	/* Unaligned segments are fine as long as offset and address agree. */
	make_elf(&e);
	ph(&e, 1)->p_offset = 0x2123;
	ph(&e, 1)->p_vaddr = LO + 0x202123;
	CHECK(check(&e, &img) == NULL);
	CHECK_EQ(img.vend, LO + 0x208000);
}

#define REJECT(e, why) CHECK_STR(check(e, &img), why)

TEST(elf_header_rejections)
{
	struct elf e;
	struct elf64_image img;

	make_elf(&e);
	e.len = 63;
	REJECT(&e, "ELF file is truncated");
	e.len = 0;
	REJECT(&e, "ELF file is truncated");
	make_elf(&e);
	e.buf[0] = 0x7e;
	REJECT(&e, "not an ELF file");
	make_elf(&e);
	e.buf[3] = 'f';
	REJECT(&e, "not an ELF file");
	make_elf(&e);
	e.buf[4] = 1;
	REJECT(&e, "not a 64-bit little-endian ELF file");
	make_elf(&e);
	e.buf[5] = 2;
	REJECT(&e, "not a 64-bit little-endian ELF file");
	make_elf(&e);
	eh(&e)->e_type = 3; /* ET_DYN */
	REJECT(&e, "not an x86-64 executable");
	make_elf(&e);
	eh(&e)->e_type = 1; /* ET_REL */
	REJECT(&e, "not an x86-64 executable");
	make_elf(&e);
	eh(&e)->e_machine = 3; /* EM_386 */
	REJECT(&e, "not an x86-64 executable");
	make_elf(&e);
	eh(&e)->e_machine = 183; /* EM_AARCH64 */
	REJECT(&e, "not an x86-64 executable");
	make_elf(&e);
	eh(&e)->e_phentsize = 32;
	REJECT(&e, "bad program header table");
	make_elf(&e);
	eh(&e)->e_phnum = 0;
	REJECT(&e, "bad program header table");
	make_elf(&e);
	eh(&e)->e_phnum = 65;
	REJECT(&e, "bad program header table");
	make_elf(&e);
	e.len = 64 + 56 * 3 - 1;
	REJECT(&e, "program headers outside the file");
	make_elf(&e);
	eh(&e)->e_phoff = 0x3001;
	REJECT(&e, "program headers outside the file");
	make_elf(&e);
	eh(&e)->e_phoff = 0x3000 - 56 * 2;
	REJECT(&e, "program headers outside the file");
	make_elf(&e);
	eh(&e)->e_phoff = ~0ull - 8;
	REJECT(&e, "program headers outside the file");
	make_elf(&e);
	memmove(e.buf + 68, e.buf + 64, 56 * 3);
	eh(&e)->e_phoff = 68;
	REJECT(&e, "misaligned program headers");
}

TEST(elf_segment_rejections)
{
	struct elf e;
	struct elf64_image img;

	make_elf(&e);
	ph(&e, 1)->p_filesz = 0x5001;
	REJECT(&e, "segment file size exceeds memory size");
	make_elf(&e);
	ph(&e, 1)->p_offset = 0x3001;
	ph(&e, 1)->p_vaddr = LO + 0x203001;
	REJECT(&e, "segment outside the file");
	make_elf(&e);
	ph(&e, 1)->p_filesz = 0x1001;
	REJECT(&e, "segment outside the file");
	make_elf(&e);
	ph(&e, 1)->p_offset = ~0ull - 0xfff;
	ph(&e, 1)->p_vaddr = LO + 0x202000 + (~0ull - 0xfff) % 4096;
	REJECT(&e, "segment outside the file");
	make_elf(&e);
	ph(&e, 0)->p_vaddr = LO - 0x1000;
	REJECT(&e, "segment outside the allowed address range");
	make_elf(&e);
	ph(&e, 1)->p_vaddr = HI;
	REJECT(&e, "segment outside the allowed address range");
	make_elf(&e);
	ph(&e, 1)->p_vaddr = HI - 0x4000;
	REJECT(&e, "segment outside the allowed address range");
	make_elf(&e);
	ph(&e, 1)->p_memsz = ~0ull;
	REJECT(&e, "segment outside the allowed address range");
	make_elf(&e);
	ph(&e, 0)->p_vaddr = 0x1000; /* user-space address */
	REJECT(&e, "segment outside the allowed address range");
	make_elf(&e);
	ph(&e, 1)->p_vaddr = LO + 0x202800;
	REJECT(&e, "segment offset and address disagree modulo the page size");
	make_elf(&e);
	ph(&e, 1)->p_offset = 0x2001;
	REJECT(&e, "segment offset and address disagree modulo the page size");
	/* Overlaps: partial, contained, identical, touching is fine. */
	make_elf(&e);
	ph(&e, 1)->p_offset = 0x2000;
	ph(&e, 1)->p_vaddr = LO + 0x0000;
	REJECT(&e, "segments overlap");
	make_elf(&e);
	ph(&e, 1)->p_vaddr = LO + 0x1000;
	REJECT(&e, "segments overlap");
	make_elf(&e);
	ph(&e, 1)->p_memsz = 0x100;
	ph(&e, 1)->p_vaddr = LO + 0x1000; /* inside the text */
	REJECT(&e, "segments overlap");
	make_elf(&e);
	ph(&e, 1)->p_vaddr = LO + 0x2000; /* text ends at 0x1800: touching not needed */
	CHECK(check(&e, &img) == NULL);
	make_elf(&e);
	ph(&e, 0)->p_memsz = 0x1000;
	ph(&e, 0)->p_filesz = 0x1000;
	ph(&e, 1)->p_vaddr = LO + 0x2000; /* exactly touching */
	CHECK(check(&e, &img) == NULL);
	ph(&e, 0)->p_memsz = 0x1001;
	REJECT(&e, "segments overlap");
}

TEST(elf_entry_and_loadables)
{
	struct elf e;
	struct elf64_image img;

	make_elf(&e);
	eh(&e)->e_entry = LO + 0x202010; /* in the data segment */
	REJECT(&e, "entry point outside executable segments");
	eh(&e)->e_entry = LO + 0x1800;   /* one past the text */
	REJECT(&e, "entry point outside executable segments");
	eh(&e)->e_entry = LO + 0xfff;    /* one before */
	REJECT(&e, "entry point outside executable segments");
	eh(&e)->e_entry = 0;
	REJECT(&e, "entry point outside executable segments");
	/* Text without the X flag. */
	make_elf(&e);
	ph(&e, 0)->p_flags = ELF_PF_R;
	REJECT(&e, "entry point outside executable segments");
	/* Data made executable: entry there is accepted. */
	make_elf(&e);
	ph(&e, 1)->p_flags |= ELF_PF_X;
	eh(&e)->e_entry = LO + 0x203000;
	CHECK(check(&e, &img) == NULL);
	/* No PT_LOAD at all, or only empty ones. */
	make_elf(&e);
	ph(&e, 0)->p_type = 6; /* PT_PHDR */
	ph(&e, 1)->p_type = 0x6474e551; /* PT_GNU_STACK */
	REJECT(&e, "no loadable segments");
	make_elf(&e);
	ph(&e, 0)->p_memsz = 0;
	ph(&e, 0)->p_filesz = 0;
	ph(&e, 1)->p_memsz = 0;
	ph(&e, 1)->p_filesz = 0;
	REJECT(&e, "no loadable segments");
}

/* ======================================================================== */
/* vsnprintf, against glibc                                                  */
/* ======================================================================== */

static int fmt_mismatches;

/* Compare both formatters for one format at several buffer sizes. */
static void cmp(int line, const char *fmt, ...)
{
	char a[300], b[300];
	int ra, rb;
	va_list ap, c1, c2;
	size_t sizes[8];
	int nsizes = 0;

	va_start(ap, fmt);
	va_copy(c1, ap);
	rb = vsnprintf(b, sizeof(b), fmt, c1);
	va_end(c1);
	sizes[nsizes++] = sizeof(a);
	sizes[nsizes++] = 0;
	sizes[nsizes++] = 1;
	sizes[nsizes++] = 2;
	if (rb >= 0 && rb < 290) {
		sizes[nsizes++] = (size_t)rb;       /* one short: truncated */
		sizes[nsizes++] = (size_t)rb + 1;   /* exact */
		sizes[nsizes++] = (size_t)rb / 2 + 1;
	}
	for (int i = 0; i < nsizes; i++) {
		size_t sz = sizes[i];

		memset(a, 0x7e, sizeof(a));
		memset(b, 0x7e, sizeof(b));
		va_copy(c1, ap);
		va_copy(c2, ap);
		ra = tv_vsnprintf(sz ? a : NULL, sz, fmt, c1);
		rb = vsnprintf(sz ? b : NULL, sz, fmt, c2);
		va_end(c1);
		va_end(c2);
		test_checks++;
		/* Same return value, same bytes, nothing written past the size. */
		if (ra != rb || memcmp(a, b, sizeof(a)) != 0) {
			test_failures++;
			fmt_mismatches++;
			fprintf(stderr, "test_lib.c:%d: [%s] \"%s\" size %zu: ours %d \"%.*s\", glibc %d "
				"\"%.*s\"\n", line, test_current, fmt, sz, ra,
				(int)(sz ? strnlen(a, sz) : 0), a, rb, (int)(sz ? strnlen(b, sz) : 0), b);
			break;
		}
	}
	va_end(ap);
}

#define CMP(...) cmp(__LINE__, __VA_ARGS__)

TEST(printf_integers)
{
	static const int ints[] = { 0, 1, -1, 7, -7, 42, -42, 255, 4096, 123456789, INT_MAX, INT_MIN };
	static const char *const ifmts[] = {
		"%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+5d", "%-+5d|", "%+05d", "% 05d",
		"%.0d", "%.1d", "%.3d", "%8.3d", "%-8.3d|", "%08.3d", "%+.3d", "%1d", "%12d", "%-12d|",
		"%012d", "%.12d", "%+ d", "%- 6d|", "%-05d|", "%0-5d|", "%3.0d|",
		"%u", "%5u", "%-5u|", "%05u", "%.0u", "%.4u", "%+u", "% u",
		"%x", "%X", "%#x", "%#X", "%8x", "%-8x|", "%08x", "%#8x", "%#08x", "%#-8x|", "%.0x",
		"%#.0x", "%.6x", "%#.6x", "%#10.6x", "%+x", "% x", "%#5.0x|",
		"%o", "%#o", "%5o", "%#5o", "%05o", "%#05o", "%.0o", "%#.0o", "%.4o", "%#.4o",
		"%#.1o", "%#-6o|", "%+o",
		"%hd", "%hu", "%hx", "%hhd", "%hhu", "%hhx", "%#hho",
		"[%d|%x|%o|%u]",
	};

	for (size_t f = 0; f < sizeof(ifmts) / sizeof(ifmts[0]); f++) {
		for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
			if (strchr(ifmts[f], '['))
				CMP(ifmts[f], ints[i], ints[i], ints[i], ints[i]);
			else
				CMP(ifmts[f], ints[i]);
		}
	}
	/* Values that only fit the length modifiers. */
	CMP("%hd %hd %hu", 70000, -40000, 70000);
	CMP("%hhd %hhd %hhu %hhx", 300, -200, 511, 0x1ff);
	CMP("%ld %lu %lx %lo", LONG_MIN, ULONG_MAX, ULONG_MAX, ULONG_MAX);
	CMP("%lld %llu %llx %llX %llo", LLONG_MIN, ULLONG_MAX, ULLONG_MAX, 0xabcdefull, ULLONG_MAX);
	CMP("%lld %lli", LLONG_MAX, -1ll);
	CMP("%#llo %#llx %#22llo", ULLONG_MAX, ULLONG_MAX, 1ull);
	CMP("%+lld % lld %030lld", LLONG_MAX, LLONG_MIN, LLONG_MIN);
	CMP("%zu %zx %zd %zd", SIZE_MAX, (size_t)0x1234, (ssize_t)-1, (ssize_t)SSIZE_MAX);
	CMP("%jd %ju %td %tx", (intmax_t)INTMAX_MIN, (uintmax_t)UINTMAX_MAX, (ptrdiff_t)-5,
	    (ptrdiff_t)0x7f);
	CMP("%lu", 0ul);
	CMP("%.0lld|%#.0llx|%#.0llo", 0ll, 0ull, 0ull);
}

TEST(printf_star)
{
	static const int widths[] = { 0, 1, 5, 12, -1, -5, -12 };
	static const int precs[] = { -1, -5, 0, 1, 3, 8 };

	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		CMP("%*d|", widths[w], 42);
		CMP("%*d|", widths[w], -42);
		CMP("%0*d|", widths[w], -42);
		CMP("%-*x|", widths[w], 0xbeef);
		CMP("%*s|", widths[w], "abc");
		CMP("%*c|", widths[w], 'q');
		for (size_t p = 0; p < sizeof(precs) / sizeof(precs[0]); p++) {
			CMP("%*.*d|", widths[w], precs[p], 42);
			CMP("%*.*d|", widths[w], precs[p], 0);
			CMP("%0*.*x|", widths[w], precs[p], 0xab);
			CMP("%*.*s|", widths[w], precs[p], "abcdefghij");
			CMP("%.*u|", precs[p], 7u);
		}
	}
}

TEST(printf_strings_chars)
{
	CMP("%s", "");
	CMP("%s", "hello");
	CMP("%10s|", "hello");
	CMP("%-10s|", "hello");
	CMP("%.3s|", "hello");
	CMP("%.0s|", "hello");
	CMP("%.10s|", "hello");
	CMP("%8.3s|", "hello");
	CMP("%-8.3s|", "hello");
	CMP("%2s|", "hello");
	CMP("%s", (const char *)NULL);
	CMP("%10s|", (const char *)NULL);
	CMP("%-10s|", (const char *)NULL);
	CMP("%c", 'x');
	CMP("%c%c%c", 'a', 'b', 'c');
	CMP("%5c|", 'x');
	CMP("%-5c|", 'x');
	CMP("%c", 0);          /* a NUL character is output and counted */
	CMP("a%cb", 0);
	CMP("%c", 0x141);      /* converted to unsigned char */
	CMP("%%");
	CMP("100%% sure%%");
	CMP("%s=%d (%s)", "key", -3, "x");
	CMP("");
	CMP("plain text, no conversions");
	CMP("%s", "a string that is rather longer than the small buffer sizes tried here");
	/* A string with the precision limiting how much of it is read. */
	static const char unterminated[3] = { 'a', 'b', 'c' };

	CMP("%.3s|", unterminated);
	CMP("%.2s|", unterminated);
}

TEST(printf_pointers)
{
	int x;

	CMP("%p", (void *)&x);
	CMP("%p", (void *)0x1);
	CMP("%p", (void *)0xffffffff80001234ull);
	CMP("%20p|", (void *)0x1234);
	CMP("%-20p|", (void *)0x1234);
	CMP("%.8p|", (void *)0x1234);
	CMP("%020p|", (void *)0x1234);
	CMP("%+p|", (void *)0x1234);
	/* glibc prints "(nil)" for NULL; ours prints the number, like the kernel wants. */
	char buf[32];

	CHECK_EQ(tv_snprintf(buf, sizeof(buf), "%p", (void *)0), 3);
	CHECK_STR(buf, "0x0");
	CHECK_EQ(tv_snprintf(buf, sizeof(buf), "%5p|", (void *)0), 6);
	CHECK_STR(buf, "  0x0|");
}

TEST(printf_truncation)
{
	char buf[16];

	/* size 0: nothing written, full length returned; NULL buffer allowed. */
	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(tv_snprintf(buf, 0, "hello %d", 12345), 11);
	CHECK_EQ(buf[0], 'Z');
	CHECK_EQ(tv_snprintf(NULL, 0, "%s%s", "abc", "def"), 6);
	/* size 1: only the terminator. */
	CHECK_EQ(tv_snprintf(buf, 1, "hello"), 5);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(buf[1], 'Z');
	/* Exact fit and one short. */
	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(tv_snprintf(buf, 6, "hello"), 5);
	CHECK_STR(buf, "hello");
	CHECK_EQ(buf[6], 'Z');
	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(tv_snprintf(buf, 5, "hello"), 5);
	CHECK_STR(buf, "hell");
	CHECK_EQ(buf[5], 'Z');
	/* Truncation inside padding and inside a number. */
	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(tv_snprintf(buf, 4, "%10d", 5), 10);
	CHECK_STR(buf, "   ");
	CHECK_EQ(tv_snprintf(buf, 4, "%d", -123456), 7);
	CHECK_STR(buf, "-12");
	/* Long output: the return value is not capped. */
	CHECK_EQ(tv_snprintf(buf, sizeof(buf), "%300d", 1), 300);
	CHECK_EQ(strlen(buf), sizeof(buf) - 1);
	CHECK_EQ(fmt_mismatches, 0);
}

TEST_MAIN({ "cfglex_good_lines", cfglex_good_lines },
	  { "cfglex_comments_blank_crlf", cfglex_comments_blank_crlf },
	  { "cfglex_bom", cfglex_bom },
	  { "cfglex_every_error", cfglex_every_error },
	  { "cfglex_recovery", cfglex_recovery },
	  { "cfg_key_and_value_helpers", cfg_key_and_value_helpers },
	  { "cfg_path_rules", cfg_path_rules },
	  { "strlcpy", t_strlcpy },
	  { "parse_u64", parse_u64 },
	  { "strerror_texts", strerror_texts },
	  { "elf_good", elf_good },
	  { "elf_header_rejections", elf_header_rejections },
	  { "elf_segment_rejections", elf_segment_rejections },
	  { "elf_entry_and_loadables", elf_entry_and_loadables },
	  { "printf_integers", printf_integers },
	  { "printf_star", printf_star },
	  { "printf_strings_chars", printf_strings_chars },
	  { "printf_pointers", printf_pointers },
	  { "printf_truncation", printf_truncation })
