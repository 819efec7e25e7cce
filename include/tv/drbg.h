/* SPDX-License-Identifier: MIT */
/*
 * drbg.h: a ChaCha20-based deterministic random bit generator for
 * virtio-rng on hosts without RDRAND/RDSEED. Fast key erasure: every
 * generate call ends by replacing the key with fresh output, so a state
 * read later does not reveal earlier output. Pure (vmm/virtio/drbg.c).
 */
#ifndef TV_DRBG_H
#define TV_DRBG_H

#include <tv/types.h>

struct drbg {
	u32 key[8];
	u64 counter;                    /* block counter and nonce of the next block */
	bool seeded;
};

/* The ChaCha20 block function (RFC 8439 2.3): 64 bytes of key stream. */
void chacha20_block(const u32 key[8], u32 counter, const u32 nonce[3], u8 out[64]);
/* Mix seed material into the key (may be called again to reseed). */
void drbg_seed(struct drbg *g, const void *seed, u64 len);
/* n bytes of output; the key is replaced afterwards. */
void drbg_generate(struct drbg *g, void *out, u64 n);

#endif
