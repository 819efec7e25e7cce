// SPDX-License-Identifier: MIT
/*
 * test_guestboot.c: Linux guest loading, zero page, e820, GDT and page
 * tables (vmm/boot/linux.c). ELF64 guests and the real kernel are in
 * test_guestboot_elf.c.
 */
#include "guestboot_fixture.h"

TEST(ram_layout)
{
	struct guest_ram r = { .size = 512 * M1 };

	CHECK_EQ(guest_ram_low_end(&r), 512 * M1);
	CHECK_EQ(guest_ram_high_end(&r), 0x100000000ull);
	CHECK(guest_ram_contains(&r, 0, 512 * M1));
	CHECK(!guest_ram_contains(&r, 0, 512 * M1 + 1));
	CHECK(!guest_ram_contains(&r, 512 * M1 - 1, 2));
	CHECK(!guest_ram_contains(&r, 0x1000, 0));
	CHECK(!guest_ram_contains(&r, 0x100000000ull, 1));

	r.size = 6 * G1;
	CHECK_EQ(guest_ram_low_end(&r), 0xc0000000ull);
	CHECK_EQ(guest_ram_high_end(&r), 0x100000000ull + 3 * G1);
	CHECK(guest_ram_contains(&r, 0xbffff000ull, 0x1000));
	CHECK(!guest_ram_contains(&r, 0xbffff000ull, 0x1001));	/* into the MMIO hole */
	CHECK(!guest_ram_contains(&r, 0xfee00000ull, 4));
	CHECK(guest_ram_contains(&r, 0x100000000ull, 3 * G1));
	CHECK(!guest_ram_contains(&r, 0x100000000ull, 3 * G1 + 1));
	CHECK(!guest_ram_contains(&r, ~0ull - 4, 16));		/* wraps */
}

static void check_e820(u64 size, const struct guest_e820_entry *want, unsigned nwant)
{
	struct guest_ram r = { .size = size };
	struct guest_e820_entry map[GUEST_E820_MAX];
	unsigned n;

	memset(map, 0x5a, sizeof(map));
	n = guest_e820_build(&r, map);
	CHECK_EQ(n, nwant);
	for (unsigned i = 0; i < n && i < nwant; i++) {
		CHECK_EQ(map[i].addr, want[i].addr);
		CHECK_EQ(map[i].size, want[i].size);
		CHECK_EQ(map[i].type, want[i].type);
	}
}

TEST(e820_sizes)
{
	const u64 ebda = 0x9fc00;
	/* RAM size -> what lies above 1 MiB below 4 GiB, and above 4 GiB */
	static const struct { u64 size, mid, high; } c[] = {
		{ 2 * M1, M1, 0 },
		{ 512 * M1, 511 * M1, 0 },
		{ 3 * G1, 3 * G1 - M1, 0 },		/* exactly 3 GiB: nothing above 4 GiB */
		{ 3 * G1 + M2, 3 * G1 - M1, M2 },	/* the last 2 MiB continue at 4 GiB */
		{ 8 * G1, 3 * G1 - M1, 5 * G1 },
	};

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct guest_e820_entry w[] = {
			{ 0, ebda, 1 }, { ebda, M1 - ebda, 2 }, { M1, c[i].mid, 1 },
			{ 4 * G1, c[i].high, 1 } };

		check_e820(c[i].size, w, c[i].high ? 4 : 3);
	}
	{	/* below 1 MiB everything is clipped to what exists */
		struct guest_e820_entry w[] = { { 0, 0x80000, 1 } };
		check_e820(0x80000, w, 1);
	}
}

/* ---- bzImage: the zero page and where everything went ------------------------- */

static void expect_e820(u8 *bp, u64 ram)
{
	const u64 ebda = 0x9fc00, low = ram < 3 * G1 ? ram : 3 * G1;
	u8 *e = bp + 0x2d0;
	unsigned n = 3;

	le64(e + 0, 0), le64(e + 8, ebda), le32(e + 16, 1);
	le64(e + 20, ebda), le64(e + 28, M1 - ebda), le32(e + 36, 2);
	le64(e + 40, M1), le64(e + 48, low - M1), le32(e + 56, 1);
	if (ram > 3 * G1) {
		le64(e + 60, 4 * G1), le64(e + 68, ram - 3 * G1), le32(e + 76, 1);
		n = 4;
	}
	bp[0x1e8] = (u8)n;
}

/* Compare the whole zero page with what the 64-bit boot protocol asks for. */
static void check_zero_page(const u8 *file, u32 hdr_end, u64 load, u64 initrd, u64 ilen, u64 ram)
{
	u8 want[4096], got[4096];

	memset(want, 0, sizeof(want));
	memcpy(want + 0x1f1, file + 0x1f1, hdr_end - 0x1f1);
	want[0x210] = 0xff;			/* type_of_loader */
	want[0x211] = 0x01;			/* loadflags: LOADED_HIGH only */
	le32(want + 0x214, (u32)load);		/* code32_start */
	le32(want + 0x218, (u32)initrd);
	le32(want + 0x21c, (u32)ilen);
	le16(want + 0x224, 0);			/* heap_end_ptr */
	want[0x226] = want[0x227] = 0;
	le32(want + 0x228, 0x20000);		/* cmd_line_ptr */
	le32(want + 0x23c, 0);
	le64(want + 0x240, 0);
	le64(want + 0x250, 0);
	le32(want + 0xc0, (u32)(initrd >> 32));
	le32(want + 0xc4, (u32)(ilen >> 32));
	le32(want + 0xc8, 0);
	le64(want + 0x70, 0xe0000);		/* acpi_rsdp_addr */
	expect_e820(want, ram);

	CHECK_EQ(fr_read(NULL, 0x7000, got, sizeof(got)), 0);
	for (unsigned i = 0; i < sizeof(got); i++) {
		if (got[i] != want[i]) {
			fprintf(stderr, "zero page differs at %#x: %#x, want %#x\n", i, got[i], want[i]);
			CHECK_EQ(got[i], want[i]);
			break;
		}
	}
}

TEST(bz_load)
{
	struct bzopts o = bz_default();
	const char *cmd = "console=ttyS0 root=/dev/vda rw";
	const u64 ram = 512 * M1, ilen = 3 * M1 + 123;
	u8 *f, *rd;

	CHECK_EQ(boot_bz(&o, ram, ilen, cmd, &f, &rd), 0);
	CHECK_STR(why, "");
	CHECK_EQ(st.kind, GUEST_KERNEL_BZIMAGE);
	CHECK_EQ(st.bz.version, 0x020f);
	CHECK_EQ(st.bz.setup_sects, 30);
	CHECK_EQ(st.bz.payload_off, 31 * 512);
	CHECK_EQ(st.bz.payload_len, 0x10000);
	CHECK_EQ(st.bz.hdr_end, 0x26c);
	CHECK_EQ(st.bz.init_size, 16 * M1);
	CHECK(st.bz.relocatable);

	/* Relocatable: loaded at the first 2 MiB-aligned address above 1 MiB. */
	CHECK(mem_equals(M2, f + 31 * 512, 0x10000));
	CHECK_EQ(st.rip, M2 + 0x200);
	/* It runs from pref_address (16 MiB) and needs init_size from there. */
	CHECK_EQ(st.kernel_start, M2);
	CHECK_EQ(st.kernel_end, 32 * M1);

	/* Command line, NUL-terminated. */
	CHECK(mem_equals(0x20000, cmd, strlen(cmd) + 1));
	CHECK_EQ(st.cmdline_len, strlen(cmd));

	/* initrd: highest page-aligned spot in RAM, its data intact. */
	CHECK_EQ(st.initrd_addr, (ram - ilen) & ~(K4 - 1));
	CHECK_EQ(st.initrd_size, ilen);
	CHECK(st.initrd_addr % K4 == 0 && st.initrd_addr + ilen <= ram);
	CHECK(st.initrd_addr >= st.kernel_end);
	CHECK(mem_equals(st.initrd_addr, rd, ilen));

	check_zero_page(f, 0x26c, M2, st.initrd_addr, ilen, ram);
	CHECK(mem_equals(0xe0000, "RSD PTR ", 8));
	CHECK_EQ(st.rsdp, 0xe0000);
	CHECK_EQ(fr.outside, 0);
	free(f);
	free(rd);
}

TEST(bz_out_state)
{
	struct bzopts o = bz_default();

	CHECK_EQ(boot_bz(&o, 256 * M1, 0, "", NULL, NULL), 0);
	CHECK_EQ(st.rip, M2 + 0x200);
	CHECK_EQ(st.rsi, 0x7000);
	CHECK_EQ(st.rflags, 0x2);
	CHECK(st.rsp <= 0x7000 && st.rsp > 0x500 + 32 && st.rsp % 16 == 0);
	/* PE, MP, ET, NE, WP, PG */
	CHECK_EQ(st.cr0, 0x80010033ull);
	CHECK_EQ(st.cr3, 0x9000);
	CHECK_EQ(st.cr4, 0x30);			/* PSE | PAE */
	CHECK_EQ(st.efer, 0x500);		/* LME | LMA */
	CHECK_EQ(st.gdt_base, 0x500);
	CHECK_EQ(st.gdt_limit, 31);
	CHECK_EQ(st.idt_limit, 0);

	CHECK_EQ(st.cs.selector, 0x10);
	CHECK_EQ(st.cs.attrib, 0xa9b);		/* type b, S, P, L, G; D clear */
	CHECK_EQ(st.cs.base, 0);
	CHECK_EQ(st.cs.limit, 0xffffffff);
	const struct guest_seg *data[] = { &st.ds, &st.es, &st.ss, &st.fs, &st.gs };
	for (unsigned i = 0; i < 5; i++) {
		CHECK_EQ(data[i]->selector, 0x18);
		CHECK_EQ(data[i]->attrib, 0xc93);
		CHECK_EQ(data[i]->base, 0);
		CHECK_EQ(data[i]->limit, 0xffffffff);
	}
	CHECK_EQ(st.tr.attrib & 0x9f, 0x8b);	/* busy TSS, system, present */
	CHECK(st.tr.limit >= 0x67);
	CHECK_EQ(st.ldtr.attrib & 0x80, 0);	/* not present: unusable */
	CHECK_EQ(st.initrd_addr, 0);
	CHECK_EQ(peek(0x7000 + 0x218, 4), 0);
	CHECK_EQ(peek(0x7000 + 0x21c, 4), 0);
	CHECK_EQ(peek(0x20000, 1), 0);		/* empty command line */
}

/* The descriptor bytes must say what the out-state says. */
TEST(gdt_bytes)
{
	struct bzopts o = bz_default();
	static const u8 want[32] = {
		0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 0, 0x9b, 0xaf, 0,	/* 0x10: 64-bit code */
		0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0,	/* 0x18: data */
	};

	CHECK_EQ(boot_bz(&o, 64 * M1, 0, NULL, NULL, NULL), 0);
	CHECK(mem_equals(0x500, want, sizeof(want)));
	for (unsigned sel = 0x10; sel <= 0x18; sel += 8) {
		u64 d = peek(0x500 + sel, 8);
		const struct guest_seg *s = sel == 0x10 ? &st.cs : &st.ds;
		u16 attrib = (u16)(((d >> 40) & 0xff) | ((d >> 52) & 0xf) << 8);
		u32 limit = (u32)((d & 0xffff) | ((d >> 48) & 0xf) << 16);

		if (d & (1ull << 55))
			limit = limit << 12 | 0xfff;
		CHECK_EQ(attrib, s->attrib);
		CHECK_EQ(limit, s->limit);
		CHECK_EQ((d >> 16 & 0xffffff) | (d >> 56) << 24, s->base);
	}
}

/* Walk CR3 like the MMU: [0, 4 GiB) identity with 2 MiB pages, nothing else. */
static u64 walk(u64 cr3, u64 va, u64 *flags)
{
	u64 e;

	CHECK(cr3 >= 0x9000 && cr3 < 0xf000);
	e = peek((cr3 & ~0xfffull) + ((va >> 39) & 511) * 8, 8);
	if (!(e & 1))
		return ~0ull;
	CHECK((e & ~0xfffull) >= 0x9000 && (e & ~0xfffull) < 0xf000);
	e = peek((e & ~0xfffull) + ((va >> 30) & 511) * 8, 8);
	if (!(e & 1))
		return ~0ull;
	CHECK_EQ(e & 0x80, 0);			/* no 1 GiB pages */
	CHECK((e & ~0xfffull) >= 0x9000 && (e & ~0xfffull) < 0xf000);
	e = peek((e & ~0xfffull) + ((va >> 21) & 511) * 8, 8);
	if (!(e & 1))
		return ~0ull;
	*flags = e & 0xfff;
	return (e & ~0x1fffffull & ((1ull << 52) - 1)) | (va & 0x1fffff);
}

TEST(page_tables)
{
	struct bzopts o = bz_default();
	u64 flags = 0;
	unsigned bad = 0;

	fr_reset(64 * M1);
	fr_dirty(0x9000, 0x6000);		/* stale bytes must not leak into the tables */
	{
		size_t len;
		u8 *f = make_bz(&o, &len);

		CHECK_EQ(boot(f, len, NULL, 0, "", 64 * M1), 0);
		free(f);
	}
	for (u64 va = 0; va < 4 * G1; va += M2) {
		u64 pa = walk(st.cr3, va + 0x1234, &flags);

		if (pa != va + 0x1234 || flags != 0x83)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(walk(st.cr3, 0xfee00000ull, &flags), 0xfee00000ull);
	CHECK_EQ(walk(st.cr3, 4 * G1, &flags), ~0ull);
	CHECK_EQ(walk(st.cr3, 512 * G1, &flags), ~0ull);
	CHECK_EQ(walk(st.cr3, 0xffffffff80000000ull, &flags), ~0ull);
	/* Everything is inside [GUEST_PT_BASE, GUEST_PT_END). */
	CHECK(mem_is_zero(0x9000 + 8, K4 - 8));
	CHECK(mem_is_zero(0xa000 + 32, K4 - 32));
}

TEST(bz_setup_sects_zero_means_four)
{
	struct bzopts o = bz_default();
	u8 *f;

	o.setup_sects = 0;
	CHECK_EQ(boot_bz(&o, 64 * M1, 0, "", &f, NULL), 0);
	CHECK_EQ(st.bz.setup_sects, 4);
	CHECK_EQ(st.bz.payload_off, 5 * 512);
	CHECK(mem_equals(M2, f + 5 * 512, o.payload));
	free(f);
}

TEST(bz_fixed_address)
{
	struct bzopts o = bz_default();

	/* Not relocatable: loaded at 1 MiB, runs from pref_address. */
	o.relocatable = 0;
	o.kernel_alignment = 12345;		/* ignored when not relocatable */
	CHECK_EQ(boot_bz(&o, 64 * M1, 0, "", NULL, NULL), 0);
	CHECK_EQ(st.rip, M1 + 0x200);
	CHECK_EQ(st.kernel_start, M1);
	CHECK_EQ(st.kernel_end, 32 * M1);
	CHECK_EQ(peek(0x7000 + 0x214, 4), M1);

	o.pref_address = 0;			/* no preference: runs where it is */
	CHECK_EQ(boot_bz(&o, 64 * M1, 0, "", NULL, NULL), 0);
	CHECK_EQ(st.kernel_end, 17 * M1);

	o.pref_address = 0x10000;
	CHECK_EQ(boot_bz(&o, 64 * M1, 0, "", NULL, NULL), -ENOEXEC);
	CHECK(strstr(why, "below 1 MiB") != NULL);

	/* A relocatable kernel with a large alignment loads there. */
	o = bz_default();
	o.kernel_alignment = 16 * M1;
	CHECK_EQ(boot_bz(&o, 64 * M1, 0, "", NULL, NULL), 0);
	CHECK_EQ(st.rip, 16 * M1 + 0x200);
}

/* ---- initrd placement ----------------------------------------------------------- */

TEST(initrd_placement)
{
	struct bzopts o = bz_default();
	u8 *f, *rd;

	/* Below initrd_addr_max (the last byte it may use), page-aligned. */
	o.initrd_addr_max = 0x0fffffff;
	CHECK_EQ(boot_bz(&o, 512 * M1, 5000, "", &f, &rd), 0);
	CHECK_EQ(st.initrd_addr, 0x10000000ull - 2 * K4);
	CHECK_EQ(peek(0x7000 + 0x218, 4), 0x10000000ull - 2 * K4);
	CHECK_EQ(peek(0x7000 + 0x21c, 4), 5000);
	CHECK(mem_equals(st.initrd_addr, rd, 5000));
	free(f);
	free(rd);

	/* RAM above 4 GiB is not used while low RAM has room. */
	o = bz_default();
	CHECK_EQ(boot_bz(&o, 6 * G1, 16 * M1, "", NULL, NULL), 0);
	CHECK_EQ(st.initrd_addr, 0x80000000ull - 16 * M1);
	CHECK_EQ(peek(0x7000 + 0xc0, 4), 0);

	/* Exactly filling the gap between the kernel and the limit still fits. */
	o.initrd_addr_max = 48 * M1 - 1;
	CHECK_EQ(boot_bz(&o, 512 * M1, 16 * M1, "", NULL, NULL), 0);
	CHECK_EQ(st.initrd_addr, 32 * M1);
	CHECK_EQ(boot_bz(&o, 512 * M1, 16 * M1 + 1, "", NULL, NULL), -ENOSPC);
	CHECK(strstr(why, "initrd") != NULL);

	/* No room low, but the kernel takes it above 4 GiB: top of high RAM. */
	o.initrd_addr_max = 33 * M1 - 1;
	CHECK_EQ(boot_bz(&o, 3 * G1 + 64 * M1, 8 * M1 + 100, "", &f, &rd), 0);
	CHECK_EQ(st.initrd_addr, (4 * G1 + 64 * M1 - (8 * M1 + 100)) & ~(K4 - 1));
	CHECK_EQ(peek(0x7000 + 0x218, 4), (u32)st.initrd_addr);
	CHECK_EQ(peek(0x7000 + 0xc0, 4), 1);	/* ext_ramdisk_image: bits 32-63 */
	CHECK_EQ(peek(0x7000 + 0x21c, 4), 8 * M1 + 100);
	CHECK_EQ(peek(0x7000 + 0xc4, 4), 0);
	CHECK(mem_equals(st.initrd_addr, rd, 8 * M1 + 100));
	CHECK_EQ(fr.outside, 0);
	free(f);
	free(rd);

	/* ... but not for a kernel without XLF_CAN_BE_LOADED_ABOVE_4G. */
	o.xloadflags = BZ_XLF_KERNEL_64;
	CHECK_EQ(boot_bz(&o, 3 * G1 + 64 * M1, 8 * M1, "", NULL, NULL), -ENOSPC);
	CHECK(strstr(why, "initrd of 8388608 bytes does not fit below") != NULL);

	/* Too big for any RAM. */
	o = bz_default();
	CHECK_EQ(boot_bz(&o, 64 * M1, 48 * M1, "", NULL, NULL), -ENOSPC);
	CHECK(strstr(why, "initrd") != NULL);
	CHECK_EQ(fr.calls, 0);			/* rejected before any write */

	/* Never inside the kernel's init_size region, even when RAM ends just above. */
	o.init_size = 40 * M1;
	CHECK_EQ(boot_bz(&o, 64 * M1, 8 * M1, "", NULL, NULL), 0);
	CHECK(st.initrd_addr >= 56 * M1);
	CHECK_EQ(boot_bz(&o, 64 * M1, 8 * M1 + 1, "", NULL, NULL), -ENOSPC);
}

/* ---- command line ----------------------------------------------------------------- */

TEST(cmdline_limits)
{
	struct bzopts o = bz_default();
	static char big[0x10001];

	o.cmdline_size = 10;
	CHECK_EQ(boot_bz(&o, 64 * M1, 0, "0123456789", NULL, NULL), 0);
	CHECK(mem_equals(0x20000, "0123456789", 11));
	CHECK_EQ(boot_bz(&o, 64 * M1, 0, "0123456789a", NULL, NULL), -E2BIG);
	CHECK(strstr(why, "cmdline_size 10") != NULL);
	CHECK_EQ(fr.calls, 0);

	/* The window at GUEST_CMDLINE holds 64 KiB including the NUL. */
	o.cmdline_size = 0xffffffff;
	memset(big, 'x', 0xffff);
	big[0xffff] = '\0';
	CHECK_EQ(boot_bz(&o, 64 * M1, 0, big, NULL, NULL), 0);
	CHECK_EQ(peek(0x20000 + 0xfffe, 1), 'x');
	CHECK_EQ(peek(0x20000 + 0xffff, 1), 0);
	big[0xffff] = 'x';
	big[0x10000] = '\0';
	CHECK_EQ(boot_bz(&o, 64 * M1, 0, big, NULL, NULL), -E2BIG);
	CHECK(strstr(why, "command line") != NULL);
}

/* ---- rejections ---------------------------------------------------------------------- */

static void expect_reject(const struct bzopts *o, u64 ram, int err, const char *text)
{
	CHECK_EQ(boot_bz(o, ram, 0, "", NULL, NULL), err);
	if (!strstr(why, text)) {
		fprintf(stderr, "reason \"%s\" lacks \"%s\"\n", why, text);
		CHECK(strstr(why, text) != NULL);
	}
	CHECK_EQ(fr.calls, 0);
	CHECK_EQ(st.rip, 0);
}

TEST(bz_rejections)
{
	struct bzopts o;

	o = bz_default(), o.magic = "HdrX";
	expect_reject(&o, 64 * M1, -ENOEXEC, "bzImage: no \"HdrS\"");
	o = bz_default(), o.boot_flag = 0x55aa;
	expect_reject(&o, 64 * M1, -ENOEXEC, "boot flag");
	o = bz_default(), o.version = 0x0204;
	expect_reject(&o, 64 * M1, -ENOEXEC,
		      "bzImage: boot protocol 2.04 is older than 2.12 (no 64-bit entry)");
	o = bz_default(), o.version = 0x020b;
	expect_reject(&o, 64 * M1, -ENOEXEC, "2.11 is older");
	o = bz_default(), o.xloadflags = BZ_XLF_CAN_BE_LOADED_ABOVE_4G;
	expect_reject(&o, 64 * M1, -ENOEXEC, "XLF_KERNEL_64");
	o = bz_default(), o.loadflags = 0;
	expect_reject(&o, 64 * M1, -ENOEXEC, "LOADED_HIGH");
	o = bz_default(), o.setup_sects = 200;
	expect_reject(&o, 64 * M1, -ENOEXEC, "setup_sects 200 is absurd");
	o = bz_default(), o.setup_sects = 64;
	expect_reject(&o, 64 * M1, -ENOEXEC, "setup_sects 64");
	o = bz_default(), o.jump = 0x10;
	expect_reject(&o, 64 * M1, -ENOEXEC, "setup header ends at 0x212");
	o = bz_default(), o.jump = 0xa0;
	expect_reject(&o, 64 * M1, -ENOEXEC, "setup header ends at 0x2a2");
	o = bz_default(), o.kernel_alignment = 0x300000;
	expect_reject(&o, 64 * M1, -ENOEXEC, "kernel_alignment 0x300000");
	o = bz_default(), o.kernel_alignment = 0;
	expect_reject(&o, 64 * M1, -ENOEXEC, "kernel_alignment");
	o = bz_default(), o.init_size = 0;
	expect_reject(&o, 64 * M1, -ENOEXEC, "init_size is 0");
	o = bz_default(), o.payload = 0x200;
	expect_reject(&o, 64 * M1, -ENOEXEC, "64-bit entry");

	/* init_size from pref_address must fit in RAM. */
	o = bz_default(), o.init_size = 600 * M1;
	expect_reject(&o, 512 * M1, -ENOSPC, "init_size 0x25800000");
	o = bz_default();
	expect_reject(&o, 32 * M1 - K4, -ENOSPC, "init_size");
	o = bz_default(), o.pref_address = ~0ull - 100;
	expect_reject(&o, 512 * M1, -ENOSPC, "init_size");

	/* RAM itself. */
	o = bz_default();
	expect_reject(&o, M1, -EINVAL, "RAM size");
	expect_reject(&o, 64 * M1 + 512, -EINVAL, "multiple of 4 KiB");
	expect_reject(&o, 2048 * G1, -EINVAL, "RAM size");
}

TEST(bz_truncated)
{
	struct bzopts o = bz_default();
	size_t len;
	u8 *f = make_bz(&o, &len);

	fr_reset(64 * M1);
	/* One byte short of what setup_sects + syssize declare. */
	CHECK_EQ(boot(f, len - 1, NULL, 0, "", 64 * M1), -ENOEXEC);
	CHECK(strstr(why, "setup_sects and syssize declare") != NULL);
	/* Ends inside the setup header; then before the magic. */
	CHECK_EQ(boot(f, 0x220, NULL, 0, "", 64 * M1), -ENOEXEC);
	CHECK(strstr(why, "ends inside the setup header") != NULL);
	CHECK_EQ(boot(f, 0x203, NULL, 0, "", 64 * M1), -ENOEXEC);
	CHECK(strstr(why, "too short") != NULL);
	CHECK_EQ(boot(f, 0, NULL, 0, "", 64 * M1), -EINVAL);
	CHECK_EQ(boot(NULL, 100, NULL, 0, "", 64 * M1), -EINVAL);
	/* Trailing bytes (a signature appended to the file) are fine and not loaded. */
	{
		u8 *g = malloc(len + 4096);

		memcpy(g, f, len);
		memset(g + len, 0x77, 4096);
		CHECK_EQ(boot(g, len + 4096, NULL, 0, "", 64 * M1), 0);
		CHECK(mem_is_zero(M2 + o.payload, 4096));
		free(g);
	}
	CHECK_EQ(fr.outside, 0);
	free(f);
}

TEST(bad_args)
{
	struct bzopts o = bz_default();
	size_t len;
	u8 *f = make_bz(&o, &len);
	struct guest_boot_args a = { .kernel = f, .kernel_len = len, .ram_size = 64 * M1 };

	fr_reset(64 * M1);
	a.ncpus = 0;
	CHECK_EQ(guest_boot_prepare(&a, &ops, &st, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "vCPUs") != NULL);
	a.ncpus = 256;
	CHECK_EQ(guest_boot_prepare(&a, &ops, &st, why, sizeof(why)), -EINVAL);
	a.ncpus = 255;
	a.initrd_len = 10;
	CHECK_EQ(guest_boot_prepare(&a, &ops, &st, why, sizeof(why)), -EINVAL);
	a.initrd_len = 0;
	CHECK_EQ(guest_boot_prepare(&a, &ops, &st, NULL, 0), 0);
	CHECK_EQ(fr.outside, 0);
	free(f);
}

/* A failing gmem backend is reported, not ignored. */
TEST(memory_fault)
{
	struct bzopts o = bz_default();
	size_t len;
	u8 *f = make_bz(&o, &len);
	u8 rdisk[4096] = { 1 };

	fr_reset(64 * M1);
	fr.fail_gpa = 64 * M1 - 100;		/* inside where the initrd goes */
	CHECK_EQ(boot(f, len, rdisk, sizeof(rdisk), "", 64 * M1), -EFAULT);
	CHECK(strstr(why, "guest memory at 0x3fff000") != NULL);
	fr.fail_gpa = 0xe0010;			/* ACPI window */
	CHECK_EQ(boot(f, len, NULL, 0, "", 64 * M1), -EFAULT);
	CHECK(strstr(why, "ACPI") != NULL);
	fr.fail_gpa = 0x7100;			/* zero page */
	CHECK_EQ(boot(f, len, NULL, 0, "", 64 * M1), -EFAULT);
	CHECK_EQ(fr.outside, 0);
	free(f);
}

TEST_MAIN({ "ram_layout", ram_layout },
	  { "e820_sizes", e820_sizes },
	  { "bz_load", bz_load },
	  { "bz_out_state", bz_out_state },
	  { "gdt_bytes", gdt_bytes },
	  { "page_tables", page_tables },
	  { "bz_setup_sects_zero_means_four", bz_setup_sects_zero_means_four },
	  { "bz_fixed_address", bz_fixed_address },
	  { "initrd_placement", initrd_placement },
	  { "cmdline_limits", cmdline_limits },
	  { "bz_rejections", bz_rejections },
	  { "bz_truncated", bz_truncated },
	  { "bad_args", bad_args },
	  { "memory_fault", memory_fault })
