// SPDX-License-Identifier: MIT
/* kimg.c: checking and inflating compressed kernel images (format in kimg.h). */
#include <tv/kimg.h>
#include <tv/string.h>
#include <zlib.h>

/* Inflate in slices so the loader can redraw its progress bar between them. */
#define KIMG_SLICE (256u << 10)

static const char *const kimg_reasons[KIMG_NERR] = {
	[KIMG_OK] = "ok",
	[KIMG_ETRUNC] = "image is truncated",
	[KIMG_EMAGIC] = "not a thinvisor kernel image (bad magic)",
	[KIMG_EVERSION] = "unsupported image format version",
	[KIMG_EHDRCRC] = "image header is corrupt (header CRC mismatch)",
	[KIMG_ESIZE] = "image sizes are inconsistent",
	[KIMG_ECOMPCRC] = "compressed kernel is corrupt (CRC mismatch)",
	[KIMG_EINFLATE] = "compressed kernel cannot be inflated",
	[KIMG_EUNCOMPSIZE] = "inflated kernel has the wrong size",
	[KIMG_EUNCOMPCRC] = "inflated kernel is corrupt (CRC mismatch)",
	[KIMG_ENOMEM] = "out of memory while inflating",
};

const char *kimg_strerror(enum kimg_err err)
{
	if ((unsigned)err >= KIMG_NERR)
		return "unknown image error";
	return kimg_reasons[err];
}

static void bracket_enter(const struct kimg_ops *ops)
{
	if (ops && ops->enter)
		ops->enter(ops->ctx);
}

static void bracket_leave(const struct kimg_ops *ops)
{
	if (ops && ops->leave)
		ops->leave(ops->ctx);
}

u32 kimg_crc32(const void *buf, u64 len, const struct kimg_ops *ops)
{
	u32 crc;

	bracket_enter(ops);
	crc = (u32)crc32_z(0, buf, (z_size_t)len);
	bracket_leave(ops);
	return crc;
}

/*
 * The header CRC is computed bit by bit here rather than with zlib: the
 * loader checks the header before any enter/leave bracket exists, and
 * libz.a's crc32_z uses the red zone (see boot/libcall.c). Same CRC-32.
 */
u32 kimg_header_crc(const struct kimg_header *h)
{
	struct kimg_header tmp = *h;
	const u8 *p = (const u8 *)&tmp;
	u32 crc = 0xffffffffu;

	tmp.header_crc32 = 0;
	for (size_t i = 0; i < sizeof(tmp); i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

enum kimg_err kimg_check_header(const void *file, u64 file_size, struct kimg_header *out)
{
	struct kimg_header h;

	if (file_size < KIMG_HEADER_SIZE)
		return KIMG_ETRUNC;
	memcpy(&h, file, sizeof(h));
	if (memcmp(h.magic, KIMG_MAGIC, sizeof(h.magic)) != 0)
		return KIMG_EMAGIC;
	/* A damaged header is reported as such before trusting any field. */
	if (kimg_header_crc(&h) != h.header_crc32)
		return KIMG_EHDRCRC;
	if (h.version != KIMG_VERSION || h.header_size != KIMG_HEADER_SIZE || h.flags)
		return KIMG_EVERSION;
	if (h.reserved[0] || h.reserved[1] || h.reserved[2])
		return KIMG_EVERSION;
	if (h.comp_size == 0 || h.uncomp_size == 0 || h.comp_size > KIMG_MAX_SIZE ||
	    h.uncomp_size > KIMG_MAX_SIZE)
		return KIMG_ESIZE;
	if (file_size - KIMG_HEADER_SIZE < h.comp_size)
		return KIMG_ETRUNC;
	if (file_size - KIMG_HEADER_SIZE > h.comp_size)
		return KIMG_ESIZE;
	*out = h;
	return KIMG_OK;
}

enum kimg_err kimg_check_payload(const struct kimg_header *hdr, const void *file)
{
	const u8 *payload = (const u8 *)file + KIMG_HEADER_SIZE;

	if (kimg_crc32(payload, hdr->comp_size, NULL) != hdr->comp_crc32)
		return KIMG_ECOMPCRC;
	return KIMG_OK;
}

static voidpf zalloc_cb(voidpf opaque, uInt items, uInt size)
{
	const struct kimg_ops *ops = opaque;

	return ops->alloc(ops->ctx, items, size);
}

static void zfree_cb(voidpf opaque, voidpf p)
{
	const struct kimg_ops *ops = opaque;

	ops->free(ops->ctx, p);
}

enum kimg_err kimg_inflate(const struct kimg_header *hdr, const void *file, void *out,
			   const struct kimg_ops *ops)
{
	z_stream zs;
	enum kimg_err err = KIMG_OK;
	int zr;

	memset(&zs, 0, sizeof(zs));
	if (ops && ops->alloc) {
		zs.zalloc = zalloc_cb;
		zs.zfree = zfree_cb;
		zs.opaque = (voidpf)ops;
	}
	zs.next_in = (Bytef *)file + KIMG_HEADER_SIZE;
	zs.avail_in = 0;
	zs.next_out = out;
	zs.avail_out = 0;

	bracket_enter(ops);
	zr = inflateInit(&zs);
	bracket_leave(ops);
	if (zr != Z_OK)
		return zr == Z_MEM_ERROR ? KIMG_ENOMEM : KIMG_EINFLATE;

	u64 in_left = hdr->comp_size, out_left = hdr->uncomp_size;

	do {
		uInt in_slice = in_left > KIMG_SLICE ? KIMG_SLICE : (uInt)in_left;
		uInt out_slice = out_left > KIMG_SLICE ? KIMG_SLICE : (uInt)out_left;

		zs.avail_in += in_slice;
		in_left -= in_slice;
		zs.avail_out += out_slice;
		out_left -= out_slice;
		bracket_enter(ops);
		zr = inflate(&zs, Z_NO_FLUSH);
		bracket_leave(ops);
		if (ops && ops->progress)
			ops->progress(ops->ctx, zs.total_out, hdr->uncomp_size);
		if (zr == Z_MEM_ERROR) {
			err = KIMG_ENOMEM;
			break;
		}
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			err = KIMG_EINFLATE;
			break;
		}
		if (zr == Z_BUF_ERROR && in_left == 0 && out_left == 0) {
			/* Input and output exhausted without a stream end. */
			err = zs.avail_out == 0 ? KIMG_EUNCOMPSIZE : KIMG_EINFLATE;
			break;
		}
	} while (zr != Z_STREAM_END);

	bracket_enter(ops);
	inflateEnd(&zs);
	bracket_leave(ops);
	if (err != KIMG_OK)
		return err;
	if (zs.total_out != hdr->uncomp_size)
		return KIMG_EUNCOMPSIZE;
	if (zs.avail_in != 0 || in_left != 0)
		return KIMG_ESIZE; /* bytes after the end of the zlib stream */
	if (kimg_crc32(out, hdr->uncomp_size, ops) != hdr->uncomp_crc32)
		return KIMG_EUNCOMPCRC;
	return KIMG_OK;
}
