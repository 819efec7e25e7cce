// SPDX-License-Identifier: MIT
/* test_drbg.c: ChaCha20 against RFC 8439's block test vector, and the generator's behaviour. */
#include "test.h"

#include <tv/drbg.h>

TEST(rfc8439_block)
{
	/* RFC 8439 2.3.2: key 00..1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00, counter 1. */
	static const u8 want[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20,
		0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a,
		0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2,
		0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9,
		0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	u32 key[8], nonce[3] = { 0x09000000, 0x4a000000, 0 };
	u8 out[64];

	for (int i = 0; i < 8; i++)
		key[i] = (u32)(4 * i) | (u32)(4 * i + 1) << 8 | (u32)(4 * i + 2) << 16 |
			 (u32)(4 * i + 3) << 24;
	chacha20_block(key, 1, nonce, out);
	CHECK(memcmp(out, want, 64) == 0);
}

TEST(generator)
{
	struct drbg a, b;
	u8 x[200], y[200], z[200];
	int ones = 0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	drbg_seed(&a, "seed one", 8);
	drbg_seed(&b, "seed one", 8);
	CHECK(a.seeded);
	drbg_generate(&a, x, sizeof(x));
	drbg_generate(&b, y, sizeof(y));
	CHECK(memcmp(x, y, sizeof(x)) == 0);          /* deterministic for a seed */
	drbg_generate(&a, z, sizeof(z));
	CHECK(memcmp(x, z, sizeof(x)) != 0);          /* never repeats itself */
	memset(&b, 0, sizeof(b));
	drbg_seed(&b, "seed two", 8);
	drbg_generate(&b, y, sizeof(y));
	CHECK(memcmp(x, y, sizeof(x)) != 0);          /* the seed matters */
	/* Reseeding changes the stream. */
	memset(&b, 0, sizeof(b));
	drbg_seed(&b, "seed one", 8);
	drbg_seed(&b, "more", 4);
	drbg_generate(&b, y, sizeof(y));
	CHECK(memcmp(x, y, sizeof(x)) != 0);
	/* Roughly balanced bits (1600 of them: far from 0 or all). */
	for (unsigned i = 0; i < sizeof(z); i++)
		ones += __builtin_popcount(z[i]);
	CHECK(ones > 700 && ones < 900);
	/* Odd lengths leave the bytes after them alone. */
	memset(y, 0xcc, sizeof(y));
	drbg_generate(&a, y, 13);
	CHECK_EQ(y[13], 0xcc);
}

TEST_MAIN({ "rfc8439_block", rfc8439_block }, { "generator", generator })
