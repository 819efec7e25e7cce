// SPDX-License-Identifier: MIT
/*
 * test_bootinfo.c: the boot-info FDT, built by lib/bootinfo_build.c and read
 * back by kernel/bootinfo.c (both over the host's libfdt).
 */
#include "test.h"

#include <libfdt.h>

#include <tv/bootinfo.h>
#include <tv/errno.h>

#define BUFSZ (256 * 1024)

static struct bootinfo bi; /* large: keep it off the stack */

/* A packed tree copied into a buffer of exactly its size (ASan sees overreads). */
static void *exact_copy(const void *fdt)
{
	size_t n = fdt_totalsize(fdt);
	void *p = malloc(n);

	memcpy(p, fdt, n);
	return p;
}

struct report_log {
	unsigned lines[16];
	const char *why[16];
	int n;
};

static void report_cb(void *ctx, unsigned line, const char *why)
{
	struct report_log *r = ctx;

	if (r->n < 16) {
		r->lines[r->n] = line;
		r->why[r->n] = why;
	}
	r->n++;
}

static const char settings_text[] =
	"\xef\xbb\xbf# host settings\r\n"                 /* 1: BOM + comment */
	"Kernel.Cmdline = \"log=debug serial\"\r\n"       /* 2: upper-case key */
	"\r\n"                                            /* 3: blank (CRLF) */
	"serial.port = \"0x3f8\"\n"                       /* 4 */
	"bad line here\n"                                 /* 5: error */
	"SERIAL.PORT = \"0x2f8\"\n"                       /* 6: duplicate */
	"errors = \"sneaky\"\n"                           /* 7: reserved key */
	"  timeout=\"5\"   # trailing comment\n"          /* 8 */
	"novalue =\n"                                     /* 9: error */
	"\t# indented comment\n"                          /* 10 */
	"empty = \"\"\n"                                  /* 11: empty value */
	"hostname = \"esx01\"";                           /* 12: no final newline */

/* Two 48-byte descriptors (the reader wants whole ones): conventional, runtime code. */
static const u8 efi_memmap[96] = {
	7, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0,
	0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	[48] = 5, [57] = 0xe0, [58] = 0xf9, [72] = 0x10, [95] = 0x80,
};

static const struct bi_mem_region map1[] = {
	{ 0x0, 0x9f000, BI_MEM_USABLE },
	{ 0x9f000, 0x61000, BI_MEM_RESERVED },
	{ 0x100000, 0x7fe00000, BI_MEM_USABLE },
	{ 0x7ff00000, 0x100000, BI_MEM_ACPI_NVS },
	{ 0xfec00000, 0x1000, BI_MEM_MMIO },
	{ 0x100000000ull, 0x180000000ull, BI_MEM_USABLE },
	{ 0x280000000ull, 0x1000, BI_MEM_UNUSABLE },
};

static const struct {
	const char *name;
	u64 base, size;
	const char *kind;
} mods[] = {
	{ "settings.cfg", 0x3000000, 0x200, BI_KIND_SETTINGS },
	{ "vms/web.vmx", 0x3001000, 0x123, BI_KIND_VMCONFIG },
	{ "vms/web/bzImage", 0x3100000, 0x9a0000, BI_KIND_GUESTFILE },
	{ "vms/web/initrd.img", 0x4000000, 0x1, BI_KIND_GUESTFILE },
	{ "README.txt", 0x1234567000ull, 0x0, BI_KIND_GUESTFILE },
};

static struct report_log full_log;

/* A tree with every field set; returns the packed buffer (BUFSZ bytes). */
static void *build_full(void)
{
	struct bib b;
	void *buf = malloc(BUFSZ);
	struct bi_framebuffer fb = {
		.base = 0x80000000, .width = 1280, .height = 800, .stride = 5120, .bpp = 32,
		.red_shift = 16, .green_shift = 8, .blue_shift = 0,
	};
	/* A first, different map that bib_set_memory_map must replace. */
	static const struct bi_mem_region map0[] = {
		{ 0, 0x1000, BI_MEM_USABLE }, { 0x1000, 0x1000, BI_MEM_RESERVED },
		{ 0x2000, 0x1000, BI_MEM_USABLE },
	};

	CHECK_EQ(bib_init(&b, buf, BUFSZ, "uefi"), 0);
	bib_set_cmdline(&b, "console=serial loglevel=7 quiet");
	bib_set_kernel(&b, 0x1200000, 0x345000);
	bib_set_loader_tsc(&b, 0x123456789abcull);
	bib_set_boot_mapped(&b, 16ull << 30);
	bib_set_acpi_rsdp(&b, 0x7fbfe014);
	bib_set_framebuffer(&b, &fb);
	bib_set_uefi(&b, 0x7f9ee018, 0x7f9edb98, efi_memmap, sizeof(efi_memmap), 48, 1);
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		bib_add_module(&b, mods[i].name, mods[i].base, mods[i].size);
	bib_add_reserved(&b, 0x1200000, 0x345000);
	bib_add_reserved(&b, 0x5000000, 0); /* ignored */
	bib_add_reserved(&b, 0x3000000, 0x1000);
	bib_add_reserved(&b, 0xfffff000ull, 0x1000);
	bib_set_memory_map(&b, map0, 3);
	bib_set_memory_map(&b, map1, sizeof(map1) / sizeof(map1[0]));
	bib_add_setting(&b, "direct.key", "direct value");
	memset(&full_log, 0, sizeof(full_log));
	CHECK_EQ(bib_add_settings_file(&b, settings_text, sizeof(settings_text) - 1, report_cb,
				       &full_log), 4);
	CHECK_EQ(b.err, 0);
	CHECK_EQ(bib_finish(&b), 0);
	CHECK(fdt_totalsize(buf) < BUFSZ); /* packed */
	return buf;
}

TEST(round_trip)
{
	void *buf = build_full(), *fdt = exact_copy(buf);
	const char *why = "untouched";
	int len;

	free(buf);
	CHECK_EQ(fdt_check_header(fdt), 0);
	CHECK_EQ(bootinfo_parse(fdt, &bi, &why), 0);
	CHECK_STR(why, "untouched");
	CHECK(bi.fdt == fdt);
	CHECK_STR(bi.loader, "uefi");
	CHECK_STR(bi.cmdline, "console=serial loglevel=7 quiet");
	CHECK_EQ(bi.kernel_phys, 0x1200000);
	CHECK_EQ(bi.kernel_size, 0x345000);
	CHECK_EQ(bi.loader_tsc, 0x123456789abcull);
	CHECK_EQ(bi.boot_mapped_top, 16ull << 30);
	CHECK_EQ(bi.acpi_rsdp, 0x7fbfe014);
	CHECK(bi.has_fb);
	CHECK_EQ(bi.fb.base, 0x80000000);
	CHECK_EQ(bi.fb.width, 1280);
	CHECK_EQ(bi.fb.height, 800);
	CHECK_EQ(bi.fb.stride, 5120);
	CHECK_EQ(bi.fb.bpp, 32);
	CHECK_EQ(bi.fb.red_shift, 16);
	CHECK_EQ(bi.fb.green_shift, 8);
	CHECK_EQ(bi.fb.blue_shift, 0);
	CHECK_EQ(bi.uefi_systab, 0x7f9ee018);
	CHECK_EQ(bi.uefi_runtime, 0x7f9edb98);
	CHECK_EQ(bi.uefi_memmap_size, sizeof(efi_memmap));
	CHECK_EQ(bi.uefi_desc_size, 48);
	CHECK_EQ(bi.uefi_desc_version, 1);
	CHECK(bi.uefi_memmap && memcmp(bi.uefi_memmap, efi_memmap, sizeof(efi_memmap)) == 0);

	/* The raw schema bits that the reader does not index. */
	int fbo = fdt_path_offset(fdt, "/framebuffer");
	const fdt64_t *reg = fdt_getprop(fdt, fbo, "reg", &len);

	CHECK_EQ(len, 16);
	CHECK_EQ(fdt64_ld(&reg[1]), 5120ull * 800);
	CHECK_STR(fdt_getprop(fdt, fbo, "compatible", NULL), "simple-framebuffer");
	int uefi = fdt_path_offset(fdt, "/uefi");
	const u8 *mm = fdt_getprop(fdt, uefi, "memory-map", &len);

	CHECK_EQ(len, sizeof(efi_memmap));
	CHECK(mm && memcmp(mm, efi_memmap, sizeof(efi_memmap)) == 0);
	CHECK_EQ(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(fdt, uefi, "descriptor-size", NULL)),
		 48);
	CHECK_EQ(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(fdt, uefi, "descriptor-version",
							     NULL)), 1);
	CHECK_EQ(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(fdt, 0, "#address-cells", NULL)), 2);
	CHECK_EQ(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(fdt, 0, "#size-cells", NULL)), 2);

	/* Memory map: the second call replaced the first. */
	CHECK_EQ(bi.nregions, sizeof(map1) / sizeof(map1[0]));
	for (size_t i = 0; i < bi.nregions && i < sizeof(map1) / sizeof(map1[0]); i++) {
		CHECK_EQ(bi.regions[i].base, map1[i].base);
		CHECK_EQ(bi.regions[i].size, map1[i].size);
		CHECK_EQ(bi.regions[i].type, map1[i].type);
	}
	CHECK_EQ(bootinfo_usable_bytes(&bi), 0x9f000 + 0x7fe00000 + 0x180000000ull);

	/*
	 * Modules with their kinds. libfdt adds each subnode in front of its
	 * siblings, so they come back in reverse order of bib_add_module.
	 */
	CHECK_EQ(bi.nmodules, sizeof(mods) / sizeof(mods[0]));
	for (size_t i = 0; i < bi.nmodules && i < sizeof(mods) / sizeof(mods[0]); i++) {
		const struct bi_module *m = &bi.modules[bi.nmodules - 1 - i];

		CHECK_STR(m->name, mods[i].name);
		CHECK_STR(m->kind, mods[i].kind);
		CHECK_EQ(m->base, mods[i].base);
		CHECK_EQ(m->size, mods[i].size);
		CHECK(bootinfo_module(&bi, mods[i].name) == m);
	}
	CHECK(fdt_path_offset(fdt, "/modules/module@3001000") >= 0);
	CHECK(fdt_path_offset(fdt, "/modules/module@1234567000") >= 0);
	CHECK(bootinfo_module(&bi, "vms/nope.vmx") == NULL);
	CHECK(bootinfo_module(&bi, "") == NULL);
	CHECK(bootinfo_module(&bi, "settings.cf") == NULL);

	/* Reserve map: zero-sized entries are not added. */
	CHECK_EQ(bi.nreserved, 3);
	CHECK_EQ(bi.reserved[0].base, 0x1200000);
	CHECK_EQ(bi.reserved[0].size, 0x345000);
	CHECK_EQ(bi.reserved[1].base, 0x3000000);
	CHECK_EQ(bi.reserved[1].size, 0x1000);
	CHECK_EQ(bi.reserved[2].base, 0xfffff000ull);
	CHECK_EQ(bi.reserved[2].size, 0x1000);

	/* Settings: keys lower-cased, first occurrence kept, errors recorded. */
	CHECK(bi.settings_off >= 0);
	CHECK_STR(bootinfo_setting(&bi, "kernel.cmdline"), "log=debug serial");
	CHECK_STR(bootinfo_setting(&bi, "serial.port"), "0x3f8");
	CHECK_STR(bootinfo_setting(&bi, "timeout"), "5");
	CHECK_STR(bootinfo_setting(&bi, "empty"), "");
	CHECK_STR(bootinfo_setting(&bi, "hostname"), "esx01");
	CHECK_STR(bootinfo_setting(&bi, "direct.key"), "direct value");
	CHECK(bootinfo_setting(&bi, "Kernel.Cmdline") == NULL);
	CHECK(bootinfo_setting(&bi, "SERIAL.PORT") == NULL);
	CHECK(bootinfo_setting(&bi, "errors") == NULL);
	CHECK(bootinfo_setting(&bi, "novalue") == NULL);
	CHECK(bootinfo_setting(&bi, "bad") == NULL);
	CHECK(bootinfo_setting(&bi, "missing") == NULL);
	CHECK_STR(bootinfo_setting_error(&bi, 0),
		  "line 5: illegal character in key or missing '='");
	CHECK_STR(bootinfo_setting_error(&bi, 1), "line 6: key given twice");
	CHECK_STR(bootinfo_setting_error(&bi, 2), "line 7: reserved key \"errors\"");
	CHECK_STR(bootinfo_setting_error(&bi, 3), "line 9: value must be in double quotes");
	CHECK(bootinfo_setting_error(&bi, 4) == NULL);
	CHECK(bootinfo_setting_error(&bi, -1) == NULL);

	/* The report callback saw the same lines and reasons. */
	CHECK_EQ(full_log.n, 4);
	CHECK_EQ(full_log.lines[0], 5);
	CHECK_EQ(full_log.lines[1], 6);
	CHECK_EQ(full_log.lines[2], 7);
	CHECK_EQ(full_log.lines[3], 9);
	CHECK_STR(full_log.why[1], "key given twice");
	CHECK_STR(full_log.why[3], "value must be in double quotes");
	free(fdt);
}

TEST(minimal_tree_defaults)
{
	struct bib b;
	void *buf = malloc(4096), *fdt;
	const char *why = NULL;
	static const struct bi_mem_region one = { 0x100000, 0x100000, BI_MEM_USABLE };

	CHECK_EQ(bib_init(&b, buf, 4096, "multiboot2"), 0);
	bib_set_kernel(&b, 0x200000, 0x100000);
	bib_set_memory_map(&b, &one, 1);
	CHECK_EQ(bib_finish(&b), 0);
	fdt = exact_copy(buf);
	CHECK_EQ(bootinfo_parse(fdt, &bi, &why), 0);
	CHECK_STR(bi.loader, "multiboot2");
	CHECK_STR(bi.cmdline, "");
	CHECK_EQ(bi.loader_tsc, 0);
	CHECK_EQ(bi.boot_mapped_top, 4ull << 30); /* default: the loader maps 4 GiB */
	CHECK_EQ(bi.acpi_rsdp, 0);
	CHECK(!bi.has_fb);
	CHECK_EQ(bi.uefi_systab, 0);
	CHECK_EQ(bi.uefi_runtime, 0);
	CHECK_EQ(bi.nmodules, 0);
	CHECK_EQ(bi.nreserved, 0);
	CHECK_EQ(bi.nregions, 1);
	CHECK_EQ(bootinfo_usable_bytes(&bi), 0x100000);
	CHECK(bi.settings_off >= 0); /* the node exists, empty */
	CHECK(bootinfo_setting(&bi, "anything") == NULL);
	CHECK(bootinfo_setting_error(&bi, 0) == NULL);
	CHECK(fdt_path_offset(fdt, "/uefi") < 0);
	CHECK(fdt_path_offset(fdt, "/framebuffer") < 0);
	free(fdt);
	free(buf);
}

TEST(uefi_without_memmap)
{
	struct bib b;
	void *buf = malloc(4096);
	static const struct bi_mem_region one = { 0x100000, 0x100000, BI_MEM_USABLE };
	int off;

	CHECK_EQ(bib_init(&b, buf, 4096, "uefi"), 0);
	bib_set_kernel(&b, 0x200000, 0x100000);
	bib_set_memory_map(&b, &one, 1);
	bib_set_uefi(&b, 0x1000, 0x2000, NULL, 100, 48, 1);
	CHECK_EQ(bib_finish(&b), 0);
	off = fdt_path_offset(buf, "/uefi");
	CHECK(off >= 0);
	CHECK(fdt_getprop(buf, off, "memory-map", NULL) == NULL);
	CHECK(fdt_getprop(buf, off, "descriptor-size", NULL) == NULL);
	CHECK_EQ(bootinfo_parse(buf, &bi, &(const char *){ NULL }), 0);
	CHECK_EQ(bi.uefi_systab, 0x1000);
	CHECK_EQ(bi.uefi_runtime, 0x2000);
	CHECK(bi.uefi_memmap == NULL);
	CHECK_EQ(bi.uefi_memmap_size, 0);
	free(buf);
}

/* A map that is not whole descriptors of a sane size is not offered to the kernel. */
TEST(uefi_memmap_malformed)
{
	static const struct bi_mem_region one = { 0x100000, 0x100000, BI_MEM_USABLE };
	static const u8 map[100];
	static const u32 sizes[] = { 48, 24, 0 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct bib b;
		void *buf = malloc(4096);

		CHECK_EQ(bib_init(&b, buf, 4096, "uefi"), 0);
		bib_set_kernel(&b, 0x200000, 0x100000);
		bib_set_memory_map(&b, &one, 1);
		bib_set_uefi(&b, 0x1000, 0x2000, map, sizeof(map), sizes[i], 1);
		CHECK_EQ(bib_finish(&b), 0);
		CHECK_EQ(bootinfo_parse(buf, &bi, &(const char *){ NULL }), 0);
		CHECK(bi.uefi_memmap == NULL);
		CHECK_EQ(bi.uefi_desc_size, 0);
		free(buf);
	}
}

/* A valid tree in a roomy, unpacked buffer, for the tests to break. */
static void *valid_tree(void)
{
	struct bib b;
	void *buf = malloc(BUFSZ);
	static const struct bi_mem_region one = { 0x100000, 0x100000, BI_MEM_USABLE };

	CHECK_EQ(bib_init(&b, buf, BUFSZ, "uefi"), 0);
	bib_set_kernel(&b, 0x200000, 0x100000);
	bib_set_memory_map(&b, &one, 1);
	bib_add_module(&b, "vms/a.vmx", 0x400000, 0x100);
	CHECK_EQ(b.err, 0);
	return buf;
}

/* Parse expecting failure with the given reason. */
static void expect_parse_fail(int line, const void *fdt, const char *reason)
{
	const char *why = NULL;
	int r = bootinfo_parse(fdt, &bi, &why);

	test_checks++;
	if (r != -EINVAL || !why || strcmp(why, reason) != 0) {
		test_failures++;
		fprintf(stderr, "test_bootinfo.c:%d: [%s] parse gave %d \"%s\", want -EINVAL \"%s\"\n",
			line, test_current, r, why ? why : "(null)", reason);
	}
}

#define PARSE_FAILS(fdt, reason) expect_parse_fail(__LINE__, fdt, reason)

TEST(parse_garbage)
{
	static u8 junk[512];
	u8 *t;

	PARSE_FAILS(junk, "not a flattened device tree");
	memset(junk, 0xd0, sizeof(junk));
	PARSE_FAILS(junk, "not a flattened device tree");
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (u8)(i * 37 + 11);
	PARSE_FAILS(junk, "not a flattened device tree");
	/* A real tree with a corrupted magic. */
	t = valid_tree();
	((u8 *)t)[0] ^= 1;
	PARSE_FAILS(t, "not a flattened device tree");
	free(t);
	/* An ordinary device tree, not boot info. */
	t = malloc(4096);
	fdt_create_empty_tree(t, 4096);
	PARSE_FAILS(t, "not thinvisor boot info of a known version");
	fdt_setprop_string(t, 0, "compatible", "linux,dummy-virt");
	PARSE_FAILS(t, "not thinvisor boot info of a known version");
	free(t);
}

TEST(parse_identity)
{
	void *t = valid_tree();
	const char *why = NULL;

	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	fdt_setprop_string(t, 0, "compatible", "thinvisor,bootinfo2");
	PARSE_FAILS(t, "not thinvisor boot info of a known version");
	fdt_setprop_string(t, 0, "compatible", "thinvisor,bootinf");
	PARSE_FAILS(t, "not thinvisor boot info of a known version");
	fdt_setprop(t, 0, "compatible", "thinvisor,bootinfo", 18); /* not terminated */
	PARSE_FAILS(t, "not thinvisor boot info of a known version");
	fdt_setprop_string(t, 0, "compatible", BI_COMPATIBLE);
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	fdt_setprop_u32(t, 0, "thinvisor,bootinfo-version", 2);
	PARSE_FAILS(t, "not thinvisor boot info of a known version");
	fdt_setprop_u32(t, 0, "thinvisor,bootinfo-version", 0);
	PARSE_FAILS(t, "not thinvisor boot info of a known version");
	fdt_setprop_u64(t, 0, "thinvisor,bootinfo-version", 1); /* wrong width */
	PARSE_FAILS(t, "not thinvisor boot info of a known version");
	fdt_delprop(t, 0, "thinvisor,bootinfo-version");
	PARSE_FAILS(t, "not thinvisor boot info of a known version");
	free(t);
}

TEST(parse_chosen)
{
	void *t = valid_tree();
	int chosen = fdt_path_offset(t, "/chosen");
	const char *why = NULL;

	fdt_delprop(t, chosen, "thinvisor,loader");
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	CHECK_STR(bi.loader, "unknown");
	chosen = fdt_path_offset(t, "/chosen");
	fdt_setprop(t, chosen, "bootargs", "abc", 3); /* not terminated: ignored */
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	CHECK_STR(bi.cmdline, "");
	chosen = fdt_path_offset(t, "/chosen");
	fdt_setprop_u64(t, chosen, "thinvisor,kernel", 0x200000); /* 8 bytes, not 16 */
	PARSE_FAILS(t, "no kernel placement in /chosen");
	chosen = fdt_path_offset(t, "/chosen");
	fdt_delprop(t, chosen, "thinvisor,kernel");
	PARSE_FAILS(t, "no kernel placement in /chosen");
	chosen = fdt_path_offset(t, "/chosen");
	fdt_setprop_u32(t, chosen, "thinvisor,loader-tsc", 5); /* wrong width: default */
	fdt_setprop_u32(t, chosen, "thinvisor,boot-mapped", 5);
	fdt_setprop(t, chosen, "thinvisor,kernel", (fdt64_t[]){ cpu_to_fdt64(1), cpu_to_fdt64(2) },
		    16);
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	CHECK_EQ(bi.loader_tsc, 0);
	CHECK_EQ(bi.boot_mapped_top, 4ull << 30);
	CHECK_EQ(bi.kernel_phys, 1);
	CHECK_EQ(bi.kernel_size, 2);
	chosen = fdt_path_offset(t, "/chosen");
	fdt_del_node(t, chosen);
	PARSE_FAILS(t, "no /chosen node");
	free(t);
}

TEST(parse_memory_map)
{
	void *t = valid_tree();
	int mm;
	fdt32_t cells[10];

	/* Missing node, missing property, empty, not a multiple of 20 bytes. */
	mm = fdt_path_offset(t, "/memory-map");
	fdt_delprop(t, mm, "regions");
	PARSE_FAILS(t, "missing or malformed /memory-map");
	mm = fdt_path_offset(t, "/memory-map");
	fdt_setprop(t, mm, "regions", NULL, 0);
	PARSE_FAILS(t, "missing or malformed /memory-map");
	for (int i = 0; i < 10; i++)
		cells[i] = cpu_to_fdt32(i == 4 || i == 9 ? 1 : 0x1000);
	mm = fdt_path_offset(t, "/memory-map");
	fdt_setprop(t, mm, "regions", cells, 24);
	PARSE_FAILS(t, "missing or malformed /memory-map");
	mm = fdt_path_offset(t, "/memory-map");
	fdt_setprop(t, mm, "regions", cells, 40);
	CHECK_EQ(bootinfo_parse(t, &bi, &(const char *){ NULL }), 0);
	CHECK_EQ(bi.nregions, 2);
	CHECK_EQ(bi.regions[1].base, 0x100000001000ull);
	CHECK_EQ(bi.regions[1].size, 0x100000001000ull);
	/* Bad types and a wrapping range. */
	cells[9] = cpu_to_fdt32(0);
	fdt_setprop(t, mm, "regions", cells, 40);
	PARSE_FAILS(t, "bad memory region");
	cells[9] = cpu_to_fdt32(BI_MEM_NTYPES);
	fdt_setprop(t, mm, "regions", cells, 40);
	PARSE_FAILS(t, "bad memory region");
	cells[9] = cpu_to_fdt32(BI_MEM_UNUSABLE);
	cells[5] = cells[6] = cpu_to_fdt32(0xffffffff);
	cells[7] = cpu_to_fdt32(0);
	cells[8] = cpu_to_fdt32(0x2000);
	fdt_setprop(t, mm, "regions", cells, 40);
	PARSE_FAILS(t, "bad memory region");
	fdt_del_node(t, mm);
	PARSE_FAILS(t, "missing or malformed /memory-map");
	free(t);
}

TEST(parse_too_many)
{
	void *t = valid_tree();
	struct bi_mem_region *many = calloc(BI_MAX_REGIONS + 1, sizeof(*many));
	struct bib b = { .fdt = t, .err = 0 };
	const char *why = NULL;

	for (size_t i = 0; i <= BI_MAX_REGIONS; i++)
		many[i] = (struct bi_mem_region){ i * 0x2000, 0x1000, BI_MEM_USABLE };
	bib_set_memory_map(&b, many, BI_MAX_REGIONS);
	CHECK_EQ(b.err, 0);
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	CHECK_EQ(bi.nregions, BI_MAX_REGIONS);
	CHECK_EQ(bootinfo_usable_bytes(&bi), BI_MAX_REGIONS * 0x1000ull);
	bib_set_memory_map(&b, many, BI_MAX_REGIONS + 1);
	PARSE_FAILS(t, "too many memory regions");
	bib_set_memory_map(&b, many, 1);

	/* Modules: one already there, fill up to the limit, then one more. */
	for (u64 i = 1; i < BI_MAX_MODULES; i++)
		bib_add_module(&b, "vms/x/file", 0x10000000 + i * 0x1000, 0x10);
	CHECK_EQ(b.err, 0);
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	CHECK_EQ(bi.nmodules, BI_MAX_MODULES);
	bib_add_module(&b, "one-too-many", 0x20000000, 0x10);
	PARSE_FAILS(t, "too many modules");
	fdt_del_node(t, fdt_path_offset(t, "/modules/module@20000000"));

	/* The reserve map. */
	for (u64 i = 0; i < BI_MAX_RESERVED; i++)
		bib_add_reserved(&b, 0x100000000ull + i * 0x1000, 0x1000);
	CHECK_EQ(b.err, 0);
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	CHECK_EQ(bi.nreserved, BI_MAX_RESERVED);
	CHECK_EQ(bi.reserved[BI_MAX_RESERVED - 1].base,
		 0x100000000ull + (BI_MAX_RESERVED - 1) * 0x1000ull);
	bib_add_reserved(&b, 0x200000000ull, 0x1000);
	PARSE_FAILS(t, "bad or oversized reserve map");
	free(many);
	free(t);
}

TEST(parse_modules)
{
	void *t = valid_tree();
	int m;
	const char *why = NULL;

	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	CHECK_EQ(bi.nmodules, 1);
	CHECK_STR(bi.modules[0].kind, BI_KIND_VMCONFIG);
	m = fdt_path_offset(t, "/modules/module@400000");
	CHECK(m >= 0);
	fdt_setprop_u64(t, m, "reg", 0x400000); /* 8 bytes */
	PARSE_FAILS(t, "malformed module node");
	m = fdt_path_offset(t, "/modules/module@400000");
	fdt_setprop(t, m, "reg", (fdt64_t[]){ cpu_to_fdt64(1), cpu_to_fdt64(2), 0 }, 24);
	PARSE_FAILS(t, "malformed module node");
	m = fdt_path_offset(t, "/modules/module@400000");
	fdt_setprop(t, m, "reg", (fdt64_t[]){ cpu_to_fdt64(~0ull), cpu_to_fdt64(2) }, 16);
	PARSE_FAILS(t, "malformed module node"); /* wraps */
	m = fdt_path_offset(t, "/modules/module@400000");
	fdt_delprop(t, m, "reg");
	PARSE_FAILS(t, "malformed module node");
	m = fdt_path_offset(t, "/modules/module@400000");
	fdt_setprop(t, m, "reg", (fdt64_t[]){ cpu_to_fdt64(0x400000), cpu_to_fdt64(0x100) }, 16);
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	m = fdt_path_offset(t, "/modules/module@400000");
	fdt_delprop(t, m, "kind");
	PARSE_FAILS(t, "malformed module node");
	m = fdt_path_offset(t, "/modules/module@400000");
	fdt_setprop_string(t, m, "kind", "vm-config");
	fdt_setprop(t, m, "name", "vms/a.vmx", 9); /* not terminated */
	PARSE_FAILS(t, "malformed module node");
	m = fdt_path_offset(t, "/modules/module@400000");
	fdt_delprop(t, m, "name");
	PARSE_FAILS(t, "malformed module node");
	/* No /modules node at all is fine. */
	fdt_del_node(t, fdt_path_offset(t, "/modules"));
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	CHECK_EQ(bi.nmodules, 0);
	free(t);
}

TEST(parse_framebuffer_checks)
{
	struct bi_framebuffer good = {
		.base = 0xc0000000, .width = 800, .height = 600, .stride = 3200, .bpp = 32,
		.red_shift = 0, .green_shift = 8, .blue_shift = 16,
	};
	struct {
		u32 width, height, stride, bpp;
		bool ok;
	} cases[] = {
		{ 800, 600, 3200, 32, true },
		{ 800, 600, 4096, 32, true },   /* padded lines */
		{ 800, 600, 3199, 32, false },  /* stride below width * 4 */
		{ 800, 600, 3200, 24, false },
		{ 800, 600, 3200, 16, false },
		{ 0, 600, 3200, 32, false },
		{ 800, 0, 3200, 32, false },
		{ 0x40000001, 2, 8, 32, false }, /* width * 4 overflows 32 bits */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *t = valid_tree();
		struct bib b = { .fdt = t, .err = 0 };
		struct bi_framebuffer fb = good;
		const char *why = NULL;

		fb.width = cases[i].width;
		fb.height = cases[i].height;
		fb.stride = cases[i].stride;
		fb.bpp = cases[i].bpp;
		bib_set_framebuffer(&b, &fb);
		CHECK_EQ(b.err, 0);
		CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
		CHECK_EQ(bi.has_fb, cases[i].ok);
		if (cases[i].ok) {
			CHECK_EQ(bi.fb.red_shift, 0);
			CHECK_EQ(bi.fb.green_shift, 8);
			CHECK_EQ(bi.fb.blue_shift, 16);
		}
		/* Without channel positions there is no usable framebuffer. */
		fdt_delprop(t, fdt_path_offset(t, "/framebuffer"), "thinvisor,rgb-shifts");
		CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
		CHECK(!bi.has_fb);
		free(t);
	}
}

TEST(builder_out_of_space)
{
	struct bib b;
	u8 *buf = malloc(BUFSZ);
	char longline[6000];
	static const struct bi_mem_region one = { 0x100000, 0x100000, BI_MEM_USABLE };
	int e;

	/* Too small even for the skeleton. */
	CHECK(bib_init(&b, buf, 40, "uefi") < 0);
	CHECK(b.err < 0);
	CHECK_EQ(bib_finish(&b), b.err);
	CHECK(bib_init(&b, buf, 200, "uefi") < 0);
	CHECK_EQ(b.err, -FDT_ERR_NOSPACE);
	CHECK_EQ(bib_finish(&b), -FDT_ERR_NOSPACE);

	/* Room for the skeleton only: the first big property fails, sticky. */
	CHECK_EQ(bib_init(&b, buf, 1024, "uefi"), 0);
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	bib_set_cmdline(&b, longline);
	CHECK_EQ(b.err, -FDT_ERR_NOSPACE);
	bib_set_kernel(&b, 1, 2);
	bib_add_module(&b, "a", 0x1000, 1);
	bib_set_memory_map(&b, &one, 1);
	bib_add_reserved(&b, 0x1000, 0x1000);
	CHECK_EQ(b.err, -FDT_ERR_NOSPACE); /* the first error is kept */
	CHECK_EQ(bib_finish(&b), -FDT_ERR_NOSPACE);

	/* Filling up with modules: the error appears at some point and stays. */
	CHECK_EQ(bib_init(&b, buf, 2048, "uefi"), 0);
	int added = 0;

	for (u64 i = 0; i < 100 && b.err == 0; i++, added++)
		bib_add_module(&b, "vms/some/guest/file.img", 0x100000 * (i + 1), 0x1000);
	CHECK(added > 1 && added < 100);
	CHECK_EQ(b.err, -FDT_ERR_NOSPACE);
	CHECK_EQ(bib_finish(&b), -FDT_ERR_NOSPACE);

	/* Memory map placeholder that does not fit. */
	struct bi_mem_region *many = calloc(200, sizeof(*many));

	for (int i = 0; i < 200; i++)
		many[i] = (struct bi_mem_region){ (u64)i << 20, 1 << 20, BI_MEM_USABLE };
	CHECK_EQ(bib_init(&b, buf, 2048, "uefi"), 0);
	bib_set_memory_map(&b, many, 200);
	CHECK_EQ(b.err, -FDT_ERR_NOSPACE);
	CHECK_EQ(bib_finish(&b), -FDT_ERR_NOSPACE);
	free(many);

	/* Settings errors that no longer fit are counted and reported anyway. */
	struct report_log log = { .n = 0 };

	CHECK_EQ(bib_init(&b, buf, 700, "uefi"), 0);
	e = bib_add_settings_file(&b, "a b\nc d\ne f\ng h\ni j\nk l\nm n\no p\nq r\ns t\n", 40,
				  report_cb, &log);
	CHECK_EQ(e, 10);
	CHECK_EQ(log.n, 10);
	CHECK_EQ(b.err, -FDT_ERR_NOSPACE);
	CHECK_EQ(bib_finish(&b), -FDT_ERR_NOSPACE);

	/* A duplicate module address is an error too (node names are unique). */
	CHECK_EQ(bib_init(&b, buf, 4096, "uefi"), 0);
	bib_add_module(&b, "a", 0x1000, 1);
	CHECK_EQ(b.err, 0);
	bib_add_module(&b, "b", 0x1000, 1);
	CHECK_EQ(b.err, -FDT_ERR_EXISTS);
	/* A later, different error does not replace the first one. */
	bib_set_cmdline(&b, longline);
	CHECK_EQ(b.err, -FDT_ERR_EXISTS);
	CHECK_EQ(bib_finish(&b), -FDT_ERR_EXISTS);
	free(buf);
}

TEST(settings_file_details)
{
	static const char file1[] = "NET.IP = \"10.0.0.2\"\n"
				    "Mixed.Case_Key-1:x = \"v\"\n"
				    "k = \"value with spaces and # hash\"\n"
				    "k2 = \"v\" junk\n"
				    "k3 = \"caf\xc3\xa9\"\n"
				    "k4 = \"ok\"\n";
	struct bib b;
	void *buf = malloc(BUFSZ);
	static const struct bi_mem_region one = { 0x100000, 0x100000, BI_MEM_USABLE };
	const char *why = NULL;
	int bad;

	CHECK_EQ(bib_init(&b, buf, BUFSZ, "uefi"), 0);
	bib_set_kernel(&b, 0x200000, 0x100000);
	bib_set_memory_map(&b, &one, 1);
	/* Empty file, NULL report: nothing happens. */
	CHECK_EQ(bib_add_settings_file(&b, "", 0, NULL, NULL), 0);
	/* A key set directly first is a duplicate for the file. */
	bib_add_setting(&b, "net.ip", "10.0.0.1");
	bad = bib_add_settings_file(&b, file1, sizeof(file1) - 1, NULL, NULL);
	CHECK_EQ(bad, 3);
	/* A second file: line numbers restart, duplicates still caught. */
	bad = bib_add_settings_file(&b, "k4 = \"again\"\r\nk5 = \"new\"\r\n", 26, NULL, NULL);
	CHECK_EQ(bad, 1);
	CHECK_EQ(bib_finish(&b), 0);
	CHECK_EQ(bootinfo_parse(buf, &bi, &why), 0);
	CHECK_STR(bootinfo_setting(&bi, "net.ip"), "10.0.0.1");
	CHECK_STR(bootinfo_setting(&bi, "mixed.case_key-1:x"), "v");
	CHECK_STR(bootinfo_setting(&bi, "k"), "value with spaces and # hash");
	CHECK(bootinfo_setting(&bi, "k2") == NULL);
	CHECK(bootinfo_setting(&bi, "k3") == NULL);
	CHECK_STR(bootinfo_setting(&bi, "k4"), "ok");
	CHECK_STR(bootinfo_setting(&bi, "k5"), "new");
	CHECK_STR(bootinfo_setting_error(&bi, 0), "line 1: key given twice");
	CHECK_STR(bootinfo_setting_error(&bi, 1), "line 4: unexpected text after the value");
	CHECK_STR(bootinfo_setting_error(&bi, 2),
		  "line 5: value holds a tab or non-ASCII character");
	CHECK_STR(bootinfo_setting_error(&bi, 3), "line 1: key given twice");
	CHECK(bootinfo_setting_error(&bi, 4) == NULL);
	free(buf);
}

TEST(settings_absent)
{
	void *t = valid_tree();
	const char *why = NULL;

	fdt_del_node(t, fdt_path_offset(t, "/settings"));
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	CHECK(bi.settings_off < 0);
	CHECK(bootinfo_setting(&bi, "x") == NULL);
	CHECK(bootinfo_setting_error(&bi, 0) == NULL);
	free(t);
}

TEST(module_kinds_via_builder)
{
	static const struct {
		const char *name, *kind;
	} k[] = {
		{ "settings.cfg", BI_KIND_SETTINGS }, { "vms/a.vmx", BI_KIND_VMCONFIG },
		{ "vms/a/b.vmx", BI_KIND_GUESTFILE }, { "a.vmx", BI_KIND_GUESTFILE },
		{ "vms/.vmx", BI_KIND_GUESTFILE },    { "vms/x.vmxx", BI_KIND_GUESTFILE },
		{ "Settings.cfg", BI_KIND_GUESTFILE }, { "vms/settings.cfg", BI_KIND_GUESTFILE },
	};
	void *t = valid_tree();
	struct bib b = { .fdt = t, .err = 0 };
	const char *why = NULL;

	fdt_del_node(t, fdt_path_offset(t, "/modules/module@400000"));
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		CHECK_STR(bi_module_kind(k[i].name), k[i].kind);
		bib_add_module(&b, k[i].name, 0x1000000 + i * 0x1000, 1);
	}
	CHECK_EQ(b.err, 0);
	CHECK_EQ(bootinfo_parse(t, &bi, &why), 0);
	CHECK_EQ(bi.nmodules, sizeof(k) / sizeof(k[0]));
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		const struct bi_module *m = bootinfo_module(&bi, k[i].name);

		CHECK(m != NULL);
		if (m) {
			CHECK_STR(m->kind, k[i].kind);
			CHECK_EQ(m->base, 0x1000000 + i * 0x1000);
		}
	}
	free(t);
}

TEST(usable_bytes)
{
	memset(&bi, 0, sizeof(bi));
	CHECK_EQ(bootinfo_usable_bytes(&bi), 0);
	bi.regions[0] = (struct bi_mem_region){ 0, 0x1000, BI_MEM_RESERVED };
	bi.regions[1] = (struct bi_mem_region){ 0x1000, 0x3000, BI_MEM_USABLE };
	bi.regions[2] = (struct bi_mem_region){ 0x4000, 0x1000, BI_MEM_ACPI_RECLAIM };
	bi.regions[3] = (struct bi_mem_region){ 1ull << 40, 1ull << 40, BI_MEM_USABLE };
	bi.nregions = 3;
	CHECK_EQ(bootinfo_usable_bytes(&bi), 0x3000);
	bi.nregions = 4;
	CHECK_EQ(bootinfo_usable_bytes(&bi), 0x3000 + (1ull << 40));
}

TEST_MAIN({ "round_trip", round_trip },
	  { "minimal_tree_defaults", minimal_tree_defaults },
	  { "uefi_without_memmap", uefi_without_memmap },
	  { "uefi_memmap_malformed", uefi_memmap_malformed },
	  { "parse_garbage", parse_garbage },
	  { "parse_identity", parse_identity },
	  { "parse_chosen", parse_chosen },
	  { "parse_memory_map", parse_memory_map },
	  { "parse_too_many", parse_too_many },
	  { "parse_modules", parse_modules },
	  { "parse_framebuffer_checks", parse_framebuffer_checks },
	  { "builder_out_of_space", builder_out_of_space },
	  { "settings_file_details", settings_file_details },
	  { "settings_absent", settings_absent },
	  { "module_kinds_via_builder", module_kinds_via_builder },
	  { "usable_bytes", usable_bytes })
