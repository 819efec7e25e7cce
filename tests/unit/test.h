/* SPDX-License-Identifier: MIT */
/*
 * test.h: the host unit-test harness. Each tests/unit/test_*.c is its own
 * program built against the real sources it tests; it prints one line per
 * failed check and a summary, and exits non-zero if anything failed.
 */
#ifndef TESTS_UNIT_TEST_H
#define TESTS_UNIT_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int test_failures, test_checks;
extern const char *test_current;

#define CHECK(cond) do { \
	test_checks++; \
	if (!(cond)) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: [%s] CHECK failed: %s\n", __FILE__, __LINE__, test_current, #cond); \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	unsigned long long __a = (unsigned long long)(a), __b = (unsigned long long)(b); \
	test_checks++; \
	if (__a != __b) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: [%s] CHECK_EQ failed: %s == %s (%#llx != %#llx)\n", \
			__FILE__, __LINE__, test_current, #a, #b, __a, __b); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *__a = (a), *__b = (b); \
	test_checks++; \
	if (!__a || !__b || strcmp(__a, __b) != 0) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: [%s] CHECK_STR failed: %s == %s (\"%s\" != \"%s\")\n", \
			__FILE__, __LINE__, test_current, #a, #b, __a ? __a : "(null)", __b ? __b : "(null)"); \
	} \
} while (0)

typedef void (*test_fn)(void);
struct test_case {
	const char *name;
	test_fn fn;
};

#define TEST(name) static void name(void)

/* In each test file: TEST_MAIN({"a", a}, {"b", b}) */
#define TEST_MAIN(...) \
	int test_failures, test_checks; \
	const char *test_current; \
	int main(void) \
	{ \
		static const struct test_case cases[] = { __VA_ARGS__ }; \
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) { \
			test_current = cases[i].name; \
			cases[i].fn(); \
		} \
		printf("%s: %d checks, %d failed\n", __FILE__, test_checks, test_failures); \
		return test_failures ? 1 : 0; \
	}

/* Read a whole file (test data); exits the test program if it cannot. */
static inline void *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

#endif
