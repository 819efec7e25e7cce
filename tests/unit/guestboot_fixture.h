/* SPDX-License-Identifier: MIT */
/*
 * guestboot_fixture.h: for the guest loading tests (test_guestboot.c: Linux
 * bzImages, zero page, e820, GDT, page tables; test_guestboot_elf.c: ELF64
 * test guests and the real Debian kernel): fake sparse guest RAM, bzImage
 * builders and the calls into vmm/boot/linux.c.
 */
#ifndef TESTS_UNIT_GUESTBOOT_FIXTURE_H
#define TESTS_UNIT_GUESTBOOT_FIXTURE_H

#include "test.h"

#include <sys/stat.h>

#include <tv/compiler.h>
#include <tv/elf64.h>
#include <tv/errno.h>
#include <tv/guestboot.h>

#define K4 0x1000ull
#define M1 0x100000ull
#define M2 0x200000ull
#define G1 0x40000000ull

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif
/* tests/data sits in the repository root; the guest kernel is kept beside it. */
#define REAL_KERNEL TEST_DATA_DIR "/../../assets/guest/vmlinuz"
#define REAL_INITRD TEST_DATA_DIR "/../../assets/guest/initrd.img"

/* ---- fake guest RAM: sparse 2 MiB chunks over [0, high end) ----------------- */

#define CHUNK M2

struct fakeram {
	u64 size;		/* guest RAM size, as struct guest_ram */
	u8 **chunk;
	size_t nchunks;
	unsigned calls;		/* write/zero calls that reached the backend */
	unsigned outside;	/* calls touching anything that is not RAM */
	u64 fail_gpa;		/* writes/zeroes covering this address fail (0: none) */
};

static struct fakeram fr;
static struct gmem_ops ops;

/* Own reading of the layout, independent of guest_ram_contains. */
static inline bool fr_is_ram(u64 gpa, u64 len)
{
	u64 low = fr.size < 0xc0000000ull ? fr.size : 0xc0000000ull;
	u64 high = fr.size > low ? 0x100000000ull + (fr.size - low) : 0;

	if (len == 0 || gpa + len < gpa)
		return false;
	if (gpa + len <= low)
		return true;
	return high && gpa >= 0x100000000ull && gpa + len <= high;
}

static inline u8 *fr_ptr(u64 gpa, bool alloc)
{
	size_t i = gpa / CHUNK;

	if (i >= fr.nchunks)
		return NULL;
	if (!fr.chunk[i]) {
		if (!alloc)
			return NULL;
		fr.chunk[i] = calloc(1, CHUNK);
	}
	return fr.chunk[i] + gpa % CHUNK;
}

enum { FR_READ, FR_WRITE, FR_ZERO };

/* Reads see untouched chunks as zero; writes and zeroes count and may fail. */
static inline int fr_access(u64 gpa, u8 *buf, u64 len, int op)
{
	if (op != FR_READ)
		fr.calls++;
	if (!fr_is_ram(gpa, len)) {
		fr.outside += op != FR_READ;
		return -EFAULT;
	}
	if (op != FR_READ && fr.fail_gpa && fr.fail_gpa >= gpa && fr.fail_gpa - gpa < len)
		return -EFAULT;
	while (len) {
		u64 n = CHUNK - gpa % CHUNK;
		u8 *p = fr_ptr(gpa, op == FR_WRITE);

		n = n < len ? n : len;
		if (op == FR_WRITE)
			memcpy(p, buf, n);
		else if (op == FR_ZERO && p)
			memset(p, 0, n);
		else if (op == FR_READ)
			p ? memcpy(buf, p, n) : memset(buf, 0, n);
		gpa += n;
		len -= n;
		buf = buf ? buf + n : NULL;
	}
	return 0;
}

static inline int fr_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	return fr_access(gpa, (u8 *)src, len, FR_WRITE);
}

static inline int fr_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	return fr_access(gpa, dst, len, FR_READ);
}

static inline int fr_zero(void *ctx, u64 gpa, u64 len)
{
	return fr_access(gpa, NULL, len, FR_ZERO);
}

static inline void fr_reset(u64 size)
{
	u64 top = size > 0xc0000000ull ? 0x100000000ull + size - 0xc0000000ull : size;

	for (size_t i = 0; i < fr.nchunks; i++)
		free(fr.chunk[i]);
	free(fr.chunk);
	memset(&fr, 0, sizeof(fr));
	fr.size = size;
	fr.nchunks = (top + CHUNK - 1) / CHUNK;
	fr.chunk = calloc(fr.nchunks ? fr.nchunks : 1, sizeof(*fr.chunk));
	ops = (struct gmem_ops){ .ctx = &fr, .write = fr_write, .read = fr_read, .zero = fr_zero };
}

/* Fill [gpa, gpa+len) with junk, as recycled host memory might hold. */
static inline void fr_dirty(u64 gpa, u64 len)
{
	u8 junk[4096];

	memset(junk, 0xa5, sizeof(junk));
	for (u64 off = 0; off < len; off += sizeof(junk))
		fr_write(NULL, gpa + off, junk, len - off < sizeof(junk) ? len - off : sizeof(junk));
	fr.calls = 0;
}

static inline u64 peek(u64 gpa, unsigned size)
{
	u8 b[8] = { 0 };
	u64 v = 0;

	CHECK_EQ(fr_read(NULL, gpa, b, size), 0);
	for (unsigned i = 0; i < size; i++)
		v |= (u64)b[i] << (8 * i);
	return v;
}

/* Guest bytes [gpa, gpa+len) equal want, or are all zero when want is NULL. */
static inline bool mem_check(u64 gpa, const void *want, u64 len)
{
	u8 *got = malloc(len ? len : 1);
	bool ok = fr_read(NULL, gpa, got, len) == 0;

	for (u64 i = 0; ok && i < len; i++)
		ok = got[i] == (want ? ((const u8 *)want)[i] : 0);
	free(got);
	return ok;
}

#define mem_equals(gpa, want, len) mem_check(gpa, want, len)
#define mem_is_zero(gpa, len) mem_check(gpa, NULL, len)

/* Little-endian store of size bytes. */
static inline void le(u8 *p, u64 v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (u8)(v >> (8 * i));
}

#define le16(p, v) le(p, v, 2)
#define le32(p, v) le(p, v, 4)
#define le64(p, v) le(p, v, 8)

/* ---- synthetic bzImages ------------------------------------------------------- */

struct bzopts {
	u16 version;
	u8 setup_sects;		/* raw byte: 0 means 4 */
	u32 payload;		/* bytes of protected-mode code (multiple of 16) */
	u8 loadflags;
	u16 xloadflags;
	u8 relocatable;
	u32 kernel_alignment;
	u32 init_size;
	u32 cmdline_size;
	u32 initrd_addr_max;
	u64 pref_address;
	u8 jump;		/* header ends at 0x202 + jump */
	u16 boot_flag;
	const char *magic;
};

static inline struct bzopts bz_default(void)
{
	return (struct bzopts){
		.version = 0x020f, .setup_sects = 30, .payload = 0x10000,
		/* the file's stray bits (CAN_USE_HEAP, KEEP_SEGMENTS, QUIET) must not survive */
		.loadflags = 0x01 | 0x20 | 0x40 | 0x80,
		.xloadflags = BZ_XLF_KERNEL_64 | BZ_XLF_CAN_BE_LOADED_ABOVE_4G,
		.relocatable = 1, .kernel_alignment = M2, .init_size = 16 * M1,
		.cmdline_size = 2047, .initrd_addr_max = 0x7fffffff, .pref_address = 16 * M1,
		.jump = 0x6a, .boot_flag = 0xaa55, .magic = "HdrS",
	};
}

static inline u64 bz_setup_len(const struct bzopts *o)
{
	return ((u64)(o->setup_sects ? o->setup_sects : 4) + 1) * 512;
}

static inline u8 *make_bz(const struct bzopts *o, size_t *len)
{
	u64 setup = bz_setup_len(o);
	size_t n = setup + o->payload;
	u8 *b = malloc(n);

	memset(b, 0xcc, setup);			/* real-mode code: never to be copied */
	for (u32 i = 0; i < o->payload; i++)
		b[setup + i] = (u8)(i * 7 + (i >> 8));
	memset(b + 0x1e0, 0, 0x1f1 - 0x1e0);
	b[0x1ef] = 0xff;			/* sentinel: the loader must not copy it */
	b[0x1f1] = o->setup_sects;
	le16(b + 0x1f2, 1);			/* root_flags */
	le32(b + 0x1f4, o->payload / 16);	/* syssize */
	le16(b + 0x1f8, 0);
	le16(b + 0x1fa, 0xffff);		/* vid_mode */
	le16(b + 0x1fc, 0);
	le16(b + 0x1fe, o->boot_flag);
	b[0x200] = 0xeb;
	b[0x201] = o->jump;
	memcpy(b + 0x202, o->magic, 4);
	le16(b + 0x206, o->version);
	memset(b + 0x208, 0, 0x290 - 0x208);
	le16(b + 0x20e, 0x3c0);			/* kernel_version */
	b[0x210] = 0x00;			/* type_of_loader */
	b[0x211] = o->loadflags;
	le32(b + 0x214, 0x100000);		/* code32_start */
	le32(b + 0x218, 0x12345678);		/* stale ramdisk_image */
	le16(b + 0x224, 0x9e00);		/* heap_end_ptr */
	b[0x226] = 7;				/* ext_loader_ver */
	le32(b + 0x22c, o->initrd_addr_max);
	le32(b + 0x230, o->kernel_alignment);
	b[0x234] = o->relocatable;
	b[0x235] = 21;				/* min_alignment */
	le16(b + 0x236, o->xloadflags);
	le32(b + 0x238, o->cmdline_size);
	le32(b + 0x23c, 3);			/* hardware_subarch: junk for a PC */
	le64(b + 0x240, 0x1111);
	le32(b + 0x248, 0x3a0);			/* payload_offset */
	le32(b + 0x24c, 0x1000);		/* payload_length */
	le64(b + 0x250, 0xdeadbeef);		/* setup_data: junk */
	le64(b + 0x258, o->pref_address);
	le32(b + 0x260, o->init_size);
	le32(b + 0x264, 0x190);			/* handover_offset */
	if (0x202u + o->jump >= 0x26c)
		le32(b + 0x268, 0x1234);	/* kernel_info_offset */
	if (0x202u + o->jump < 0x290)
		memset(b + 0x202 + o->jump, 0xee, 0x290 - 0x202 - o->jump);
	*len = n;
	return b;
}

static char why[256];
static struct guest_boot_state st;

static inline int boot(const void *k, size_t klen, const void *initrd, size_t ilen,
		const char *cmdline, u64 ram)
{
	struct guest_boot_args a = {
		.kernel = k, .kernel_len = klen, .initrd = initrd, .initrd_len = ilen,
		.cmdline = cmdline, .ram_size = ram, .ncpus = 2,
	};

	memset(why, 0, sizeof(why));
	return guest_boot_prepare(&a, &ops, &st, why, sizeof(why));
}

/* Boot a bzImage with these options; returns the error and keeps *filep for checks. */
static inline int boot_bz(const struct bzopts *o, u64 ram, size_t ilen, const char *cmdline,
			  u8 **filep, u8 **initrdp)
{
	size_t len;
	u8 *f = make_bz(o, &len), *rd = NULL;
	int err;

	if (ilen) {
		rd = malloc(ilen);
		for (size_t i = 0; i < ilen; i++)
			rd[i] = (u8)(i * 13 + 1);
	}
	fr_reset(ram);
	err = boot(f, len, rd, ilen, cmdline, ram);
	if (filep)
		*filep = f;
	else
		free(f);
	if (initrdp)
		*initrdp = rd;
	else
		free(rd);
	return err;
}

/* ---- guest RAM and e820 -------------------------------------------------------- */

#endif
