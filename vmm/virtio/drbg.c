// SPDX-License-Identifier: MIT
/* drbg.c: ChaCha20 (RFC 8439) and the fast-key-erasure generator of tv/drbg.h. Pure. */
#include <tv/drbg.h>
#include <tv/string.h>

static inline u32 rotl(u32 v, int n)
{
	return (v << n) | (v >> (32 - n));
}

/* The quarter rounds of a double round: four columns, then four diagonals. */
static const u8 qr_idx[8][4] = {
	{ 0, 4, 8, 12 }, { 1, 5, 9, 13 }, { 2, 6, 10, 14 }, { 3, 7, 11, 15 },
	{ 0, 5, 10, 15 }, { 1, 6, 11, 12 }, { 2, 7, 8, 13 }, { 3, 4, 9, 14 },
};

void chacha20_block(const u32 key[8], u32 counter, const u32 nonce[3], u8 out[64])
{
	u32 s[16], x[16];

	s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574;
	memcpy(s + 4, key, 32);
	s[12] = counter;
	memcpy(s + 13, nonce, 12);
	memcpy(x, s, sizeof(x));
	for (int i = 0; i < 80; i++) {
		const u8 *q = qr_idx[i & 7];
		u32 *a = &x[q[0]], *b = &x[q[1]], *c = &x[q[2]], *d = &x[q[3]];

		*a += *b; *d = rotl(*d ^ *a, 16);
		*c += *d; *b = rotl(*b ^ *c, 12);
		*a += *b; *d = rotl(*d ^ *a, 8);
		*c += *d; *b = rotl(*b ^ *c, 7);
	}
	for (int i = 0; i < 16; i++) {
		u32 v = x[i] + s[i];

		/* Little-endian words, as the RFC serializes them (and as x86 stores them). */
		memcpy(out + 4 * i, &v, 4);
	}
}

static inline void next_block(struct drbg *g, u8 out[64])
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
