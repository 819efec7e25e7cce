// SPDX-License-Identifier: MIT
/*
 * test_kimg.c: lib/kimg.c, the compressed kernel image checker/inflater.
 *
 * Images are built here in memory with zlib (independently of kimg.c and
 * tools/mkkimg.c). Every zlib entry point kimg.c uses is wrapped at link time
 * (-Wl,--wrap=..., see objects.mk) so the test can see whether each call
 * sits inside the ops->enter/leave bracket the UEFI loader relies on.
 */
#include "test.h"

#include <zlib.h>

#include <tv/kimg.h>

/* ---- zlib wrappers: count calls and whether they are bracketed ------------ */

static int depth;            /* enter/leave nesting as seen by the callbacks */
static int zcalls;           /* zlib calls from kimg.c */
static int zcalls_unbracketed;

static void zcall(void)
{
	zcalls++;
	if (depth != 1)
		zcalls_unbracketed++;
}

int __real_inflateInit_(z_streamp s, const char *v, int size);
int __real_inflate(z_streamp s, int flush);
int __real_inflateEnd(z_streamp s);
uLong __real_crc32_z(uLong crc, const Bytef *buf, z_size_t len);
int __wrap_inflateInit_(z_streamp s, const char *v, int size);
int __wrap_inflate(z_streamp s, int flush);
int __wrap_inflateEnd(z_streamp s);
uLong __wrap_crc32_z(uLong crc, const Bytef *buf, z_size_t len);

int __wrap_inflateInit_(z_streamp s, const char *v, int size)
{
	zcall();
	return __real_inflateInit_(s, v, size);
}

int __wrap_inflate(z_streamp s, int flush)
{
	zcall();
	return __real_inflate(s, flush);
}

int __wrap_inflateEnd(z_streamp s)
{
	zcall();
	return __real_inflateEnd(s);
}

uLong __wrap_crc32_z(uLong crc, const Bytef *buf, z_size_t len)
{
	zcall();
	return __real_crc32_z(crc, buf, len);
}

/* ---- ops callbacks that record everything ------------------------------- */

struct rec {
	int enters, leaves, max_depth;
	int progress_calls, progress_in_bracket, progress_backwards, progress_bad_total;
	u64 last_done, total;
	int allocs, frees, alloc_outside;
	int fail_alloc_at;   /* 1-based allocation that fails; 0 = never */
	void *live[16];
	int nlive, bad_free;
};

static void rec_enter(void *ctx)
{
	struct rec *r = ctx;

	r->enters++;
	depth++;
	if (depth > r->max_depth)
		r->max_depth = depth;
}

static void rec_leave(void *ctx)
{
	struct rec *r = ctx;

	r->leaves++;
	depth--;
}

static void rec_progress(void *ctx, u64 done, u64 total)
{
	struct rec *r = ctx;

	if (depth != 0)
		r->progress_in_bracket++;
	if (r->progress_calls && done < r->last_done)
		r->progress_backwards++;
	if (total != r->total)
		r->progress_bad_total++;
	r->last_done = done;
	r->progress_calls++;
}

static void *rec_alloc(void *ctx, unsigned items, unsigned size)
{
	struct rec *r = ctx;
	void *p;

	r->allocs++;
	if (depth != 1)
		r->alloc_outside++;
	if (r->fail_alloc_at && r->allocs == r->fail_alloc_at)
		return NULL;
	p = calloc(items, size);
	if (p && r->nlive < 16)
		r->live[r->nlive++] = p;
	return p;
}

static void rec_free(void *ctx, void *p)
{
	struct rec *r = ctx;

	r->frees++;
	for (int i = 0; i < r->nlive; i++) {
		if (r->live[i] == p) {
			r->live[i] = r->live[--r->nlive];
			free(p);
			return;
		}
	}
	r->bad_free++;
}

static struct kimg_ops rec_ops(struct rec *r, u64 total)
{
	memset(r, 0, sizeof(*r));
	r->total = total;
	return (struct kimg_ops){
		.ctx = r, .alloc = rec_alloc, .free = rec_free, .enter = rec_enter,
		.leave = rec_leave, .progress = rec_progress,
	};
}

/* ---- building images ------------------------------------------------------ */

static u32 rng_state = 12345;

static u32 rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* Partly compressible data, like an ELF file: text, zero runs and noise. */
static u8 *make_payload(size_t n)
{
	u8 *p = malloc(n ? n : 1);
	static const char words[] = "thinvisor kernel .text .data .bss vmx svm ept npt ";

	for (size_t i = 0; i < n;) {
		unsigned kind = rnd() % 3, run = 1 + rnd() % 200;

		for (unsigned k = 0; k < run && i < n; k++, i++)
			p[i] = kind == 0 ? 0 : kind == 1 ? (u8)words[(i + k) % (sizeof(words) - 1)]
							 : (u8)rnd();
	}
	return p;
}

static u32 zcrc(const void *p, size_t n)
{
	return (u32)crc32(0, p, (uInt)n);
}

/* The header CRC computed independently of kimg_header_crc. */
static void reseal(u8 *img)
{
	memset(img + 0x30, 0, 4);
	u32 c = zcrc(img, KIMG_HEADER_SIZE);

	memcpy(img + 0x30, &c, 4);
}

static struct kimg_header *hdr_of(u8 *img)
{
	return (struct kimg_header *)img;
}

struct image {
	u8 *buf;
	size_t len;
	u8 *data;       /* the uncompressed bytes */
	size_t dlen;
	size_t clen;
};

/* Header + zlib stream of data; extra bytes of room after it for tests. */
static struct image build(size_t dlen, int level)
{
	struct image im;
	uLongf clen = compressBound(dlen);
	struct kimg_header h;

	im.data = make_payload(dlen);
	im.dlen = dlen;
	im.buf = calloc(1, KIMG_HEADER_SIZE + clen + 64);
	if (compress2(im.buf + KIMG_HEADER_SIZE, &clen, im.data, dlen, level) != Z_OK) {
		fprintf(stderr, "compress2 failed\n");
		exit(2);
	}
	im.clen = clen;
	im.len = KIMG_HEADER_SIZE + clen;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, "TVKERNEL", 8);
	h.version = 1;
	h.header_size = 64;
	h.entry = 0xffffffff80001000ull;
	h.comp_size = clen;
	h.uncomp_size = dlen;
	h.comp_crc32 = zcrc(im.buf + KIMG_HEADER_SIZE, clen);
	h.uncomp_crc32 = zcrc(im.data, dlen);
	memcpy(im.buf, &h, sizeof(h));
	reseal(im.buf);
	return im;
}

static void drop(struct image *im)
{
	free(im->buf);
	free(im->data);
}

/* Check the header, then inflate into a buffer of exactly the declared size. */
static enum kimg_err check_and_inflate(const u8 *img, size_t len, const struct kimg_ops *ops,
				       u8 **out_ret)
{
	struct kimg_header h;
	enum kimg_err e = kimg_check_header(img, len, &h);
	u8 *out;

	*out_ret = NULL;
	if (e != KIMG_OK)
		return e;
	out = malloc(h.uncomp_size);
	e = kimg_inflate(&h, img, out, ops);
	*out_ret = out;
	return e;
}

/* ---- tests ---------------------------------------------------------------- */

TEST(layout_and_header_crc)
{
	struct image im = build(3000, 9);
	struct kimg_header h;
	u8 raw[64];

	/* Byte offsets of the on-disk format (kimg.h) against what we wrote. */
	memcpy(raw, im.buf, 64);
	CHECK(memcmp(raw, "TVKERNEL", 8) == 0);
	CHECK_EQ(raw[8] | raw[9] << 8, 1);
	CHECK_EQ(raw[10] | raw[11] << 8, 64);
	CHECK_EQ(hdr_of(im.buf)->comp_size, im.clen);
	CHECK_EQ(hdr_of(im.buf)->uncomp_size, 3000);
	/* kimg_header_crc agrees with plain zlib crc32 over the zeroed field... */
	CHECK_EQ(kimg_header_crc(hdr_of(im.buf)), hdr_of(im.buf)->header_crc32);
	/* ...ignores the stored field... */
	memcpy(&h, im.buf, 64);
	h.header_crc32 ^= 0xdeadbeef;
	CHECK_EQ(kimg_header_crc(&h), hdr_of(im.buf)->header_crc32);
	/* ...and covers every other byte. */
	h.entry ^= 1;
	CHECK(kimg_header_crc(&h) != hdr_of(im.buf)->header_crc32);
	drop(&im);
}

TEST(good_images_inflate_exactly)
{
	static const size_t sizes[] = { 1, 2, 100, 4096, 65536, 256 << 10, (256 << 10) + 1,
					1500000 };
	static const int levels[] = { 0, 1, 6, 9 };

	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		for (size_t li = 0; li < 4; li++) {
			struct image im = build(sizes[si], levels[li]);
			struct kimg_header h;
			u8 *out;

			memset(&h, 0xa5, sizeof(h));
			CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_OK);
			CHECK(memcmp(&h, im.buf, 64) == 0);
			CHECK_EQ(kimg_check_payload(&h, im.buf), KIMG_OK);
			out = malloc(im.dlen);
			memset(out, 0x5a, im.dlen);
			CHECK_EQ(kimg_inflate(&h, im.buf, out, NULL), KIMG_OK);
			CHECK(memcmp(out, im.data, im.dlen) == 0);
			free(out);
			drop(&im);
		}
	}
}

TEST(truncated)
{
	struct image im = build(20000, 6);
	struct kimg_header h;
	static const size_t short_lens[] = { 0, 1, 8, 32, 63 };

	for (size_t i = 0; i < 5; i++)
		CHECK_EQ(kimg_check_header(im.buf, short_lens[i], &h), KIMG_ETRUNC);
	/* Header alone, header + one byte, all but the last byte(s). */
	CHECK_EQ(kimg_check_header(im.buf, 64, &h), KIMG_ETRUNC);
	CHECK_EQ(kimg_check_header(im.buf, 65, &h), KIMG_ETRUNC);
	CHECK_EQ(kimg_check_header(im.buf, im.len / 2, &h), KIMG_ETRUNC);
	CHECK_EQ(kimg_check_header(im.buf, im.len - 4, &h), KIMG_ETRUNC);
	CHECK_EQ(kimg_check_header(im.buf, im.len - 1, &h), KIMG_ETRUNC);
	CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_OK);
	/* A short file with a bad magic is reported as short: nothing read past it. */
	im.buf[0] ^= 0xff;
	CHECK_EQ(kimg_check_header(im.buf, 63, &h), KIMG_ETRUNC);
	drop(&im);
}

TEST(trailing_bytes)
{
	struct image im = build(5000, 9);
	struct kimg_header h;

	CHECK_EQ(kimg_check_header(im.buf, im.len + 1, &h), KIMG_ESIZE);
	CHECK_EQ(kimg_check_header(im.buf, im.len + 64, &h), KIMG_ESIZE);
	CHECK_EQ(kimg_check_header(im.buf, (u64)-1, &h), KIMG_ESIZE);
	drop(&im);
}

TEST(bad_magic)
{
	struct image im = build(1000, 9);
	struct kimg_header h;

	for (int i = 0; i < 8; i++) {
		u8 save = im.buf[i];

		im.buf[i] = (u8)(save + 1);
		CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_EMAGIC);
		reseal(im.buf); /* even with a valid CRC */
		CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_EMAGIC);
		im.buf[i] = save;
		reseal(im.buf);
	}
	memcpy(im.buf, "tvkernel", 8);
	CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_EMAGIC);
	memcpy(im.buf, "\177ELF\2\1\1\0", 8);
	CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_EMAGIC);
	drop(&im);
}

TEST(header_bit_flips)
{
	struct image im = build(1000, 9);
	struct kimg_header h;
	int bad = 0;

	for (int bit = 0; bit < 64 * 8; bit++) {
		enum kimg_err want = bit < 64 ? KIMG_EMAGIC : KIMG_EHDRCRC, got;

		im.buf[bit / 8] ^= (u8)(1u << (bit % 8));
		got = kimg_check_header(im.buf, im.len, &h);
		im.buf[bit / 8] ^= (u8)(1u << (bit % 8));
		if (got != want) {
			bad++;
			fprintf(stderr, "header bit %d: got %d want %d\n", bit, got, want);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_OK);
	drop(&im);
}

/* Change a field, reseal the header so only the field's own check can fire. */
#define WITH_FIELD(im, field, value, expect) do { \
	struct kimg_header __h, __o; \
	memcpy(&__h, (im).buf, 64); \
	__h.field = (value); \
	u8 __copy[64]; \
	memcpy(__copy, (im).buf, 64); \
	memcpy((im).buf, &__h, 64); \
	reseal((im).buf); \
	CHECK_EQ(kimg_check_header((im).buf, (im).len, &__o), (expect)); \
	memcpy((im).buf, __copy, 64); \
} while (0)

TEST(unsupported_version_flags_reserved)
{
	struct image im = build(1000, 9);

	WITH_FIELD(im, version, 0, KIMG_EVERSION);
	WITH_FIELD(im, version, 2, KIMG_EVERSION);
	WITH_FIELD(im, version, 0x100, KIMG_EVERSION);
	WITH_FIELD(im, header_size, 0, KIMG_EVERSION);
	WITH_FIELD(im, header_size, 63, KIMG_EVERSION);
	WITH_FIELD(im, header_size, 128, KIMG_EVERSION);
	WITH_FIELD(im, flags, 1, KIMG_EVERSION);
	WITH_FIELD(im, flags, 0x80000000u, KIMG_EVERSION);
	WITH_FIELD(im, reserved[0], 1, KIMG_EVERSION);
	WITH_FIELD(im, reserved[1], 0x100, KIMG_EVERSION);
	WITH_FIELD(im, reserved[2], 0x80000000u, KIMG_EVERSION);
	/* Fields not checked by the header check are accepted when sealed. */
	WITH_FIELD(im, entry, 0, KIMG_OK);
	WITH_FIELD(im, comp_crc32, 0, KIMG_OK);
	WITH_FIELD(im, uncomp_crc32, 0, KIMG_OK);
	drop(&im);
}

TEST(size_fields)
{
	struct image im = build(1000, 9);

	WITH_FIELD(im, comp_size, 0, KIMG_ESIZE);
	WITH_FIELD(im, uncomp_size, 0, KIMG_ESIZE);
	WITH_FIELD(im, comp_size, (u64)KIMG_MAX_SIZE + 1, KIMG_ESIZE);
	WITH_FIELD(im, uncomp_size, (u64)KIMG_MAX_SIZE + 1, KIMG_ESIZE);
	WITH_FIELD(im, comp_size, ~0ull, KIMG_ESIZE);
	WITH_FIELD(im, uncomp_size, ~0ull, KIMG_ESIZE);
	WITH_FIELD(im, uncomp_size, 1ull << 32, KIMG_ESIZE);
	/* The limit itself is allowed for the inflated size. */
	WITH_FIELD(im, uncomp_size, (u64)KIMG_MAX_SIZE, KIMG_OK);
	/* comp_size larger than the file: truncated, not a size error. */
	WITH_FIELD(im, comp_size, im.clen + 1, KIMG_ETRUNC);
	WITH_FIELD(im, comp_size, (u64)KIMG_MAX_SIZE, KIMG_ETRUNC);
	/* comp_size smaller than the file: the file is longer than declared. */
	WITH_FIELD(im, comp_size, im.clen - 1, KIMG_ESIZE);
	drop(&im);
}

TEST(payload_bit_flips)
{
	struct image im = build(2000, 9);
	struct kimg_header h;
	u8 *out = malloc(im.dlen);
	int ok_wrong = 0, ok_same = 0, crc_missed = 0, errors = 0;

	CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_OK);
	for (size_t bit = 0; bit < im.clen * 8; bit++) {
		u8 *b = im.buf + KIMG_HEADER_SIZE + bit / 8;
		enum kimg_err e;

		*b ^= (u8)(1u << (bit % 8));
		if (kimg_check_payload(&h, im.buf) != KIMG_ECOMPCRC)
			crc_missed++;
		memset(out, 0, im.dlen);
		e = kimg_inflate(&h, im.buf, out, NULL);
		*b ^= (u8)(1u << (bit % 8));
		if (e == KIMG_OK) {
			/*
			 * A few bits do not change what inflates (block padding,
			 * unused code lengths): then the output must be exact.
			 * Only kimg_check_payload catches those, as it must.
			 */
			if (memcmp(out, im.data, im.dlen) == 0)
				ok_same++;
			else
				ok_wrong++;
		} else if (e != KIMG_EINFLATE && e != KIMG_EUNCOMPSIZE && e != KIMG_EUNCOMPCRC &&
			   e != KIMG_ESIZE) {
			errors++;
		}
	}
	CHECK_EQ(crc_missed, 0);
	CHECK_EQ(ok_wrong, 0);
	CHECK(ok_same * 100 < (int)im.clen * 8); /* rare */
	CHECK_EQ(errors, 0);
	/* The untouched image still passes. */
	CHECK_EQ(kimg_check_payload(&h, im.buf), KIMG_OK);
	/* The adler32 trailer: a corrupt one is caught by zlib. */
	im.buf[im.len - 1] ^= 0x01;
	CHECK_EQ(kimg_inflate(&h, im.buf, out, NULL), KIMG_EINFLATE);
	im.buf[im.len - 1] ^= 0x01;
	CHECK_EQ(kimg_inflate(&h, im.buf, out, NULL), KIMG_OK);
	free(out);
	drop(&im);
}

/* Declared inflated size differs from the stream's real one. */
static void try_uncomp_size(size_t dlen, s64 delta)
{
	struct image im = build(dlen, 6);
	u8 *out;

	hdr_of(im.buf)->uncomp_size = (u64)((s64)dlen + delta);
	reseal(im.buf);
	CHECK_EQ(check_and_inflate(im.buf, im.len, NULL, &out), KIMG_EUNCOMPSIZE);
	free(out);
	drop(&im);
}

TEST(wrong_uncomp_size)
{
	static const size_t sizes[] = { 1000, 300000, 1100000 };

	for (size_t i = 0; i < 3; i++) {
		try_uncomp_size(sizes[i], -1);
		try_uncomp_size(sizes[i], +1);
		try_uncomp_size(sizes[i], -(s64)sizes[i] / 2);
		try_uncomp_size(sizes[i], +4096);
		try_uncomp_size(sizes[i], +(256 << 10));
	}
	try_uncomp_size(1000, -999);
}

TEST(wrong_uncomp_crc)
{
	struct image im = build(50000, 6);
	u8 *out;

	hdr_of(im.buf)->uncomp_crc32 ^= 0x10000;
	reseal(im.buf);
	CHECK_EQ(check_and_inflate(im.buf, im.len, NULL, &out), KIMG_EUNCOMPCRC);
	/* The bytes themselves are right: only the declared CRC is off. */
	CHECK(memcmp(out, im.data, im.dlen) == 0);
	free(out);
	drop(&im);
}

/* Cut the zlib stream to clen bytes and seal the image as if that were all. */
static void recut(struct image *im, size_t clen)
{
	hdr_of(im->buf)->comp_size = clen;
	hdr_of(im->buf)->comp_crc32 = zcrc(im->buf + KIMG_HEADER_SIZE, clen);
	reseal(im->buf);
	im->len = KIMG_HEADER_SIZE + clen;
}

TEST(stream_ends_early)
{
	static const size_t sizes[] = { 20000, 600000 };

	for (size_t si = 0; si < 2; si++) {
		struct image im = build(sizes[si], 6);
		size_t full = im.clen;
		static const size_t cuts[] = { 1, 2, 10 };
		u8 *out;

		for (size_t c = 0; c < 3; c++) {
			recut(&im, cuts[c]);
			CHECK_EQ(check_and_inflate(im.buf, im.len, NULL, &out), KIMG_EINFLATE);
			free(out);
		}
		/* Middle of the deflate data: output runs short of the declared size. */
		recut(&im, full / 2);
		CHECK_EQ(check_and_inflate(im.buf, im.len, NULL, &out), KIMG_EINFLATE);
		free(out);
		/* Only the adler32 trailer missing: every byte came out, yet no stream end. */
		recut(&im, full - 4);
		CHECK(check_and_inflate(im.buf, im.len, NULL, &out) != KIMG_OK);
		free(out);
		recut(&im, full - 1);
		CHECK(check_and_inflate(im.buf, im.len, NULL, &out) != KIMG_OK);
		free(out);
		recut(&im, full);
		CHECK_EQ(check_and_inflate(im.buf, im.len, NULL, &out), KIMG_OK);
		free(out);
		drop(&im);
	}
}

TEST(bytes_after_stream_end)
{
	struct image im = build(30000, 6);
	u8 *out;

	/* Garbage inside comp_size after the stream's end (CRCs all valid). */
	memset(im.buf + im.len, 0x77, 16);
	recut(&im, im.clen + 16);
	CHECK_EQ(check_and_inflate(im.buf, im.len, NULL, &out), KIMG_ESIZE);
	free(out);
	/* A second complete zlib stream appended is also refused. */
	memcpy(im.buf + KIMG_HEADER_SIZE + im.clen, im.buf + KIMG_HEADER_SIZE, 16);
	recut(&im, im.clen + 1);
	CHECK_EQ(check_and_inflate(im.buf, im.len, NULL, &out), KIMG_ESIZE);
	free(out);
	drop(&im);
}

TEST(not_zlib)
{
	struct image im = build(10000, 6);
	u8 *out;

	/* A raw deflate / gzip header instead of a zlib header. */
	im.buf[KIMG_HEADER_SIZE] = 0x1f;
	im.buf[KIMG_HEADER_SIZE + 1] = 0x8b;
	recut(&im, im.clen);
	CHECK_EQ(check_and_inflate(im.buf, im.len, NULL, &out), KIMG_EINFLATE);
	free(out);
	/* A zlib header asking for a preset dictionary. */
	im.buf[KIMG_HEADER_SIZE] = 0x78;
	im.buf[KIMG_HEADER_SIZE + 1] = 0xbb; /* FDICT, and 0x78bb % 31 == 0 */
	recut(&im, im.clen);
	CHECK_EQ(check_and_inflate(im.buf, im.len, NULL, &out), KIMG_EINFLATE);
	free(out);
	drop(&im);
}

TEST(ops_bracketing_and_progress)
{
	static const size_t sizes[] = { 100, 256 << 10, 1500000, 3u << 20 };

	for (size_t si = 0; si < 4; si++) {
		struct image im = build(sizes[si], 9);
		struct kimg_header h;
		struct rec r;
		struct kimg_ops ops = rec_ops(&r, im.dlen);
		u8 *out = malloc(im.dlen);
		u64 slices = (im.dlen + (256 << 10) - 1) / (256 << 10);

		CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_OK);
		depth = 0;
		zcalls = zcalls_unbracketed = 0;
		CHECK_EQ(kimg_inflate(&h, im.buf, out, &ops), KIMG_OK);
		CHECK(memcmp(out, im.data, im.dlen) == 0);
		/* enter/leave balanced, never nested, one pair per zlib call. */
		CHECK_EQ(r.enters, r.leaves);
		CHECK_EQ(depth, 0);
		CHECK_EQ(r.max_depth, 1);
		CHECK(zcalls >= 4); /* init, inflate, end, crc */
		CHECK_EQ(zcalls_unbracketed, 0);
		CHECK_EQ(r.enters, zcalls);
		/* progress: outside the bracket, monotonic, ending at the total. */
		CHECK(r.progress_calls >= 1);
		CHECK((u64)r.progress_calls >= slices);
		CHECK_EQ(r.progress_in_bracket, 0);
		CHECK_EQ(r.progress_backwards, 0);
		CHECK_EQ(r.progress_bad_total, 0);
		CHECK_EQ(r.last_done, im.dlen);
		/* zlib's memory came from ops, inside the bracket, all returned. */
		CHECK(r.allocs >= 1);
		CHECK_EQ(r.alloc_outside, 0);
		CHECK_EQ(r.allocs, r.frees);
		CHECK_EQ(r.nlive, 0);
		CHECK_EQ(r.bad_free, 0);
		free(out);
		drop(&im);
	}
}

TEST(ops_on_error_paths)
{
	struct image im = build(400000, 6);
	struct kimg_header h;
	struct rec r;
	struct kimg_ops ops;
	u8 *out = malloc(im.dlen + 4096);

	/* Corrupt stream: still balanced, everything freed. */
	im.buf[KIMG_HEADER_SIZE + im.clen / 3] ^= 0xff;
	CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_OK);
	ops = rec_ops(&r, im.dlen);
	depth = zcalls_unbracketed = 0;
	CHECK(kimg_inflate(&h, im.buf, out, &ops) != KIMG_OK);
	CHECK_EQ(r.enters, r.leaves);
	CHECK_EQ(zcalls_unbracketed, 0);
	CHECK_EQ(r.allocs, r.frees);
	CHECK_EQ(r.nlive, 0);
	CHECK_EQ(r.progress_backwards, 0);
	im.buf[KIMG_HEADER_SIZE + im.clen / 3] ^= 0xff;

	/* The first allocation fails: inflateInit reports no memory. */
	ops = rec_ops(&r, im.dlen);
	r.fail_alloc_at = 1;
	depth = zcalls_unbracketed = 0;
	CHECK_EQ(kimg_inflate(&h, im.buf, out, &ops), KIMG_ENOMEM);
	CHECK_EQ(r.enters, r.leaves);
	CHECK_EQ(zcalls_unbracketed, 0);
	CHECK_EQ(r.nlive, 0);

	/* The second one (the window, allocated by inflate itself) fails. */
	ops = rec_ops(&r, im.dlen);
	r.fail_alloc_at = 2;
	depth = zcalls_unbracketed = 0;
	CHECK_EQ(kimg_inflate(&h, im.buf, out, &ops), KIMG_ENOMEM);
	CHECK_EQ(r.enters, r.leaves);
	CHECK_EQ(zcalls_unbracketed, 0);
	CHECK_EQ(r.allocs, 2);
	CHECK_EQ(r.nlive, 0);
	CHECK_EQ(r.bad_free, 0);

	/* Size mismatch: balanced too, and progress never exceeds the real output. */
	hdr_of(im.buf)->uncomp_size = im.dlen + 4096;
	reseal(im.buf);
	CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_OK);
	ops = rec_ops(&r, im.dlen + 4096);
	depth = zcalls_unbracketed = 0;
	CHECK_EQ(kimg_inflate(&h, im.buf, out, &ops), KIMG_EUNCOMPSIZE);
	CHECK_EQ(r.enters, r.leaves);
	CHECK_EQ(r.last_done, im.dlen);
	CHECK_EQ(r.nlive, 0);
	free(out);
	drop(&im);
}

TEST(ops_partial)
{
	/* Only some callbacks set: the others are skipped, default zlib allocator. */
	struct image im = build(70000, 6);
	struct kimg_header h;
	struct rec r;
	struct kimg_ops ops = rec_ops(&r, im.dlen);
	u8 *out = malloc(im.dlen);

	ops.alloc = NULL;
	ops.free = NULL;
	ops.progress = NULL;
	CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_OK);
	depth = zcalls_unbracketed = 0;
	CHECK_EQ(kimg_inflate(&h, im.buf, out, &ops), KIMG_OK);
	CHECK(memcmp(out, im.data, im.dlen) == 0);
	CHECK_EQ(r.allocs, 0);
	CHECK_EQ(r.progress_calls, 0);
	CHECK_EQ(r.enters, r.leaves);
	CHECK(r.enters >= 3);
	CHECK_EQ(zcalls_unbracketed, 0);
	free(out);
	drop(&im);
}

TEST(crc32_helper)
{
	struct rec r;
	struct kimg_ops ops = rec_ops(&r, 0);
	u8 *data = make_payload(100000);

	depth = zcalls = zcalls_unbracketed = 0;
	CHECK_EQ(kimg_crc32(data, 100000, &ops), zcrc(data, 100000));
	CHECK_EQ(r.enters, 1);
	CHECK_EQ(r.leaves, 1);
	CHECK_EQ(zcalls, 1);
	CHECK_EQ(zcalls_unbracketed, 0);
	CHECK_EQ(kimg_crc32(data, 0, NULL), 0);
	CHECK_EQ(kimg_crc32("123456789", 9, NULL), 0xcbf43926u); /* the CRC-32 check value */
	CHECK(kimg_crc32(data, 100000, NULL) != kimg_crc32(data, 99999, NULL));
	free(data);
}

TEST(header_check_calls_no_unbracketed_zlib)
{
	/*
	 * The loader calls kimg_check_header before any bracket exists (it has
	 * no ops argument), so the check must not call into libz.a, whose
	 * crc32_z uses the red zone that a UEFI timer interrupt clobbers.
	 */
	struct image im = build(1000, 9);
	struct kimg_header h;

	depth = zcalls = zcalls_unbracketed = 0;
	CHECK_EQ(kimg_check_header(im.buf, im.len, &h), KIMG_OK);
	CHECK_EQ(kimg_header_crc(&h), h.header_crc32);
	CHECK_EQ(zcalls_unbracketed, 0);
	drop(&im);
}

TEST(strerror_all)
{
	const char *seen[KIMG_NERR];

	for (int e = 0; e < KIMG_NERR; e++) {
		const char *s = kimg_strerror((enum kimg_err)e);

		CHECK(s != NULL);
		if (!s)
			continue;
		CHECK(s[0] != '\0');
		CHECK(strcmp(s, "unknown image error") != 0);
		seen[e] = s;
		for (int j = 0; j < e; j++)
			CHECK(strcmp(seen[j], s) != 0);
	}
	CHECK_STR(kimg_strerror(KIMG_OK), "ok");
	CHECK_STR(kimg_strerror(KIMG_NERR), "unknown image error");
	CHECK_STR(kimg_strerror((enum kimg_err)1000), "unknown image error");
	CHECK_STR(kimg_strerror((enum kimg_err)-1), "unknown image error");
	CHECK_STR(kimg_strerror((enum kimg_err)0x7fffffff), "unknown image error");
}

TEST_MAIN({ "layout_and_header_crc", layout_and_header_crc },
	  { "good_images_inflate_exactly", good_images_inflate_exactly },
	  { "truncated", truncated },
	  { "trailing_bytes", trailing_bytes },
	  { "bad_magic", bad_magic },
	  { "header_bit_flips", header_bit_flips },
	  { "unsupported_version_flags_reserved", unsupported_version_flags_reserved },
	  { "size_fields", size_fields },
	  { "payload_bit_flips", payload_bit_flips },
	  { "wrong_uncomp_size", wrong_uncomp_size },
	  { "wrong_uncomp_crc", wrong_uncomp_crc },
	  { "stream_ends_early", stream_ends_early },
	  { "bytes_after_stream_end", bytes_after_stream_end },
	  { "not_zlib", not_zlib },
	  { "ops_bracketing_and_progress", ops_bracketing_and_progress },
	  { "ops_on_error_paths", ops_on_error_paths },
	  { "ops_partial", ops_partial },
	  { "crc32_helper", crc32_helper },
	  { "header_check_calls_no_unbracketed_zlib", header_check_calls_no_unbracketed_zlib },
	  { "strerror_all", strerror_all })
