/* SPDX-License-Identifier: MIT */
/*
 * kimg.h: the compressed kernel image format (docs/architecture.md).
 *
 * A 64-byte little-endian header followed by one zlib stream whose inflated
 * bytes are the kernel ELF file. Made by tools/mkkimg, read by the UEFI loader.
 */
#ifndef TV_KIMG_H
#define TV_KIMG_H

#include <tv/compiler.h>
#include <tv/types.h>

#define KIMG_MAGIC "TVKERNEL"
#define KIMG_VERSION 1
#define KIMG_HEADER_SIZE 64
/* Refuse absurd sizes before allocating anything: the kernel stays far below. */
#define KIMG_MAX_SIZE (64u << 20)

struct kimg_header {
	char magic[8];        /* 0x00 "TVKERNEL" */
	u16 version;          /* 0x08 KIMG_VERSION */
	u16 header_size;      /* 0x0a KIMG_HEADER_SIZE */
	u32 flags;            /* 0x0c must be 0 */
	u64 entry;            /* 0x10 ELF e_entry, cross-checked after inflating */
	u64 comp_size;        /* 0x18 bytes of zlib stream after the header */
	u64 uncomp_size;      /* 0x20 bytes of the inflated ELF */
	u32 comp_crc32;       /* 0x28 zlib crc32 of the zlib stream */
	u32 uncomp_crc32;     /* 0x2c zlib crc32 of the inflated ELF */
	u32 header_crc32;     /* 0x30 crc32 of these 64 bytes with this field 0 */
	u32 reserved[3];      /* 0x34 must be 0 */
} __packed;

_Static_assert(sizeof(struct kimg_header) == KIMG_HEADER_SIZE, "kimg header size");
_Static_assert(__builtin_offsetof(struct kimg_header, comp_crc32) == 0x28, "kimg layout");
_Static_assert(__builtin_offsetof(struct kimg_header, header_crc32) == 0x30, "kimg layout");

enum kimg_err {
	KIMG_OK = 0,
	KIMG_ETRUNC,          /* file shorter than header + comp_size */
	KIMG_EMAGIC,          /* not a thinvisor kernel image */
	KIMG_EVERSION,        /* a format version this loader does not know */
	KIMG_EHDRCRC,         /* header bytes corrupt */
	KIMG_ESIZE,           /* sizes out of range or file longer than declared */
	KIMG_ECOMPCRC,        /* compressed payload corrupt */
	KIMG_EINFLATE,        /* zlib refused the stream */
	KIMG_EUNCOMPSIZE,     /* inflated to a different size than declared */
	KIMG_EUNCOMPCRC,      /* inflated bytes corrupt */
	KIMG_ENOMEM,          /* no memory for zlib state */
	KIMG_NERR
};

/* One English sentence fragment per error, for "<file>: <reason>" messages. */
const char *kimg_strerror(enum kimg_err err);

/* crc32 of a header as stored (with header_crc32 treated as zero). */
u32 kimg_header_crc(const struct kimg_header *h);

/*
 * Check the header at the start of a file of file_size bytes (only the first
 * KIMG_HEADER_SIZE bytes are read) and copy it to *out.
 */
enum kimg_err kimg_check_header(const void *file, u64 file_size, struct kimg_header *out);

/* Check the compressed payload's CRC; hdr must have passed kimg_check_header. */
enum kimg_err kimg_check_payload(const struct kimg_header *hdr, const void *file);

/*
 * Callbacks around zlib. enter/leave bracket every call into zlib so the
 * caller can meet libz.a's needs (stack canary, no red-zone clobbering);
 * progress is called between chunks, outside that bracket.
 */
struct kimg_ops {
	void *ctx;
	void *(*alloc)(void *ctx, unsigned items, unsigned size);
	void (*free)(void *ctx, void *p);
	void (*enter)(void *ctx);
	void (*leave)(void *ctx);
	void (*progress)(void *ctx, u64 done, u64 total);
};

/*
 * Inflate the payload of a checked image into out (hdr->uncomp_size bytes)
 * and verify size and CRC. Returns KIMG_OK only if every byte is right.
 */
enum kimg_err kimg_inflate(const struct kimg_header *hdr, const void *file, void *out,
			   const struct kimg_ops *ops);

/* zlib crc32 over any length (crc32_z), bracketed by ops like inflate. */
u32 kimg_crc32(const void *buf, u64 len, const struct kimg_ops *ops);

#endif
