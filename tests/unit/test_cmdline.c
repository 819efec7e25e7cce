// SPDX-License-Identifier: MIT
/* test_cmdline.c: kernel options (kernel/cmdline.c). */
#include "test.h"

#include <tv/cmdline.h>

/* cmdline_get returns a buffer the next call reuses: compare right away. */
#define GET_IS(key, want) CHECK_STR(cmdline_get(key), want)
#define ABSENT(key) CHECK(cmdline_get(key) == NULL)

TEST(empty)
{
	cmdline_reset();
	CHECK_STR(cmdline_all(), "");
	ABSENT("a");
	ABSENT("");
	CHECK(!cmdline_flag("a"));
	CHECK_EQ(cmdline_u64("a", 77), 77);
	CHECK(!cmdline_overflowed());
	cmdline_add("");
	cmdline_add("   \t  ");
	CHECK_STR(cmdline_all(), "");
}

TEST(words_and_values)
{
	cmdline_reset();
	cmdline_add("  quiet log=debug\tserial=0x3f8  nosmp=  a=b=c  ");
	CHECK_STR(cmdline_all(), "quiet log=debug serial=0x3f8 nosmp= a=b=c");
	GET_IS("quiet", "");
	GET_IS("log", "debug");
	GET_IS("serial", "0x3f8");
	GET_IS("nosmp", "");      /* empty value */
	GET_IS("a", "b=c");       /* only the first '=' splits */
	ABSENT("lo");             /* a prefix of a key is not the key */
	ABSENT("logx");
	ABSENT("Quiet");          /* case matters */
	ABSENT("debug");          /* values are not keys */
	ABSENT("");
	CHECK(cmdline_flag("quiet"));
	CHECK(cmdline_flag("nosmp"));
	CHECK(!cmdline_flag("log"));
	CHECK(!cmdline_flag("missing"));
	CHECK(!cmdline_overflowed());
}

TEST(flags_values)
{
	cmdline_reset();
	cmdline_add("f1=1 f2=on f3=yes f4=0 f5=off f6=no f7=true f8=YES f9");
	CHECK(cmdline_flag("f1"));
	CHECK(cmdline_flag("f2"));
	CHECK(cmdline_flag("f3"));
	CHECK(!cmdline_flag("f4"));
	CHECK(!cmdline_flag("f5"));
	CHECK(!cmdline_flag("f6"));
	CHECK(!cmdline_flag("f7"));
	CHECK(!cmdline_flag("f8"));
	CHECK(cmdline_flag("f9"));
}

TEST(last_occurrence_wins)
{
	cmdline_reset();
	cmdline_add("log=info verbose log=debug");
	GET_IS("log", "debug");
	/* A later call (the settings key kernel.cmdline) overrides too. */
	cmdline_add("log=trace");
	GET_IS("log", "trace");
	CHECK_STR(cmdline_all(), "log=info verbose log=debug log=trace");
	/* Flag then value, value then flag. */
	cmdline_add("verbose=0");
	CHECK(!cmdline_flag("verbose"));
	cmdline_add("verbose");
	CHECK(cmdline_flag("verbose"));
	GET_IS("verbose", "");
}

TEST(prefix_keys)
{
	cmdline_reset();
	cmdline_add("mem=1G memtest=4 me mem.x=5 m");
	GET_IS("mem", "1G");
	GET_IS("memtest", "4");
	GET_IS("me", "");
	GET_IS("mem.x", "5");
	GET_IS("m", "");
	ABSENT("memt");
	ABSENT("mem.");
	/* Longer key first on the line. */
	cmdline_reset();
	cmdline_add("timeout_ms=5 timeout=7");
	GET_IS("timeout", "7");
	GET_IS("timeout_ms", "5");
	CHECK_EQ(cmdline_u64("timeout", 0), 7);
	CHECK_EQ(cmdline_u64("timeout_ms", 0), 5);
}

TEST(u64_values)
{
	cmdline_reset();
	cmdline_add("a=0 b=42 c=0x10 d=0XfF e=18446744073709551615 f=18446744073709551616 "
		    "g=-1 h=12k i= j k=0x l=1.5 m=0x10000000000000000 n=007");
	CHECK_EQ(cmdline_u64("a", 9), 0);
	CHECK_EQ(cmdline_u64("b", 9), 42);
	CHECK_EQ(cmdline_u64("c", 9), 16);
	CHECK_EQ(cmdline_u64("d", 9), 255);
	CHECK_EQ(cmdline_u64("e", 9), 18446744073709551615ull);
	CHECK_EQ(cmdline_u64("f", 9), 9);  /* overflow */
	CHECK_EQ(cmdline_u64("g", 9), 9);
	CHECK_EQ(cmdline_u64("h", 9), 9);
	CHECK_EQ(cmdline_u64("i", 9), 9);  /* empty */
	CHECK_EQ(cmdline_u64("j", 9), 9);  /* bare flag */
	CHECK_EQ(cmdline_u64("k", 9), 9);
	CHECK_EQ(cmdline_u64("l", 9), 9);
	CHECK_EQ(cmdline_u64("m", 9), 9);
	CHECK_EQ(cmdline_u64("n", 9), 7);
	CHECK_EQ(cmdline_u64("zz", 123456), 123456);
}

TEST(overflow)
{
	char word[64];
	size_t len;
	int added = 0;

	cmdline_reset();
	cmdline_add("first=1");
	/* 19-character words until the buffer is full. */
	for (int i = 0; i < 100; i++) {
		snprintf(word, sizeof(word), "key%03d=value%07d", i, i);
		cmdline_add(word);
		if (cmdline_overflowed())
			break;
		added++;
	}
	CHECK(cmdline_overflowed());
	len = strlen(cmdline_all());
	CHECK(len < CMDLINE_MAX);
	CHECK(len + 1 + 19 + 1 > CMDLINE_MAX); /* the dropped word really did not fit */
	CHECK_EQ(added, (CMDLINE_MAX - 1 - 7) / 20); /* a space and 19 characters each */
	CHECK_EQ(len, 7 + 20 * (size_t)added);
	/* Earlier words are kept intact. */
	GET_IS("first", "1");
	GET_IS("key000", "value0000000");
	snprintf(word, sizeof(word), "key%03d", added - 1);
	snprintf(word + 32, 32, "value%07d", added - 1);
	GET_IS(word, word + 32);
	snprintf(word, sizeof(word), "key%03d", added);
	ABSENT(word);
	/*
	 * The flag stays set. (A later add whose words still fit is appended:
	 * only what does not fit is dropped, never a partial word.)
	 */
	cmdline_add("x=1");
	CHECK(cmdline_overflowed());
	cmdline_add("y=0123456789012345678901234567890");
	CHECK(strlen(cmdline_all()) < CMDLINE_MAX);
	ABSENT("y");
	GET_IS("first", "1");
	GET_IS("key000", "value0000000");

	/* A single word longer than the buffer. */
	cmdline_reset();
	CHECK(!cmdline_overflowed());
	char *huge = malloc(CMDLINE_MAX * 2);

	memset(huge, 'k', CMDLINE_MAX * 2 - 1);
	huge[CMDLINE_MAX * 2 - 1] = '\0';
	cmdline_add("a=1");
	cmdline_add(huge);
	CHECK(cmdline_overflowed());
	CHECK_STR(cmdline_all(), "a=1");
	/* In one call: words before the one that overflows are kept. */
	cmdline_reset();
	memset(huge, 'v', CMDLINE_MAX - 10);
	memcpy(huge, "big=", 4);
	huge[CMDLINE_MAX - 10] = '\0';
	cmdline_add(huge);
	CHECK(!cmdline_overflowed());
	cmdline_add("small=1 toolong=0123456789 after=2");
	CHECK(cmdline_overflowed());
	GET_IS("small", "1");
	ABSENT("toolong");
	ABSENT("after");
	CHECK_EQ(strlen(cmdline_get("big")), CMDLINE_MAX - 10 - 4);
	free(huge);
}

TEST(reset)
{
	cmdline_reset();
	cmdline_add("a=1 b");
	GET_IS("a", "1");
	cmdline_reset();
	ABSENT("a");
	ABSENT("b");
	CHECK_STR(cmdline_all(), "");
	CHECK(!cmdline_overflowed());
	cmdline_add("c=3");
	CHECK_STR(cmdline_all(), "c=3");
	GET_IS("c", "3");
}

TEST_MAIN({ "empty", empty },
	  { "words_and_values", words_and_values },
	  { "flags_values", flags_values },
	  { "last_occurrence_wins", last_occurrence_wins },
	  { "prefix_keys", prefix_keys },
	  { "u64_values", u64_values },
	  { "overflow", overflow },
	  { "reset", reset })
