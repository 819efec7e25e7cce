// SPDX-License-Identifier: MIT
/* drbg.c: ChaCha20 (RFC 8439) and the fast-key-erasure generator of tv/drbg.h. Pure. */
#include <tv/drbg.h>
#include <tv/string.h>

static inline u32 rotl(u32 v, int n)
{
	return (v << n) | (v >> (32 - n));
}

#define QR(a, b, c, d)                                   \
	do {                                             \
		a += b; d ^= a; d = rotl(d, 16);         \
		c += d; b ^= c; b = rotl(b, 12);         \
		a += b; d ^= a; d = rotl(d, 8);          \
		c += d; b ^= c; b = rotl(b, 7);          \
	} while (0)

void chacha20_block(const u32 key[8], u32 counter, const u32 nonce[3], u8 out[64])
{
	u32 s[16], x[16];

	s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574;
	for (int i = 0; i < 8; i++)
		s[4 + i] = key[i];
	s[12] = counter;
	s[13] = nonce[0]; s[14] = nonce[1]; s[15] = nonce[2];
	memcpy(x, s, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]); QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]); QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]); QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]); QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		u32 v = x[i] + s[i];

		out[4 * i] = (u8)v;
		out[4 * i + 1] = (u8)(v >> 8);
		out[4 * i + 2] = (u8)(v >> 16);
		out[4 * i + 3] = (u8)(v >> 24);
	}
}

static void next_block(struct drbg *g, u8 out[64])
{
	/* Counter in the block-counter word and the first nonce word: never repeats. */
	u32 nonce[3] = { (u32)(g->counter >> 32), 0x76726e67 /* "gnrv" */, 0 };

	chacha20_block(g->key, (u32)g->counter, nonce, out);
	g->counter++;
}

static void rekey(struct drbg *g)
{
	u8 b[64];

	next_block(g, b);
	memcpy(g->key, b, 32);
	memset(b, 0, sizeof(b));
}

void drbg_seed(struct drbg *g, const void *seed, u64 len)
{
	const u8 *p = seed;

	while (len) {
		u8 chunk[32] = { 0 };
		u64 n = len < 32 ? len : 32;

		memcpy(chunk, p, n);
		for (int i = 0; i < 8; i++) {
			u32 w;

			memcpy(&w, chunk + 4 * i, 4);
			g->key[i] ^= w;
		}
		rekey(g);
		p += n;
		len -= n;
	}
	g->seeded = true;
}

void drbg_generate(struct drbg *g, void *out, u64 n)
{
	u8 *o = out, b[64];

	while (n) {
		u64 k = n < 64 ? n : 64;

		next_block(g, b);
		memcpy(o, b, k);
		o += k;
		n -= k;
	}
	memset(b, 0, sizeof(b));
	rekey(g);
}
