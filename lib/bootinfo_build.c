// SPDX-License-Identifier: MIT
/*
 * bootinfo_build.c: builds the boot-info device tree (schema in
 * docs/architecture.md). Shared by the UEFI loader and the multiboot2 shim
 * so both hand the kernel exactly the same structure.
 *
 * Every libfdt call may touch the stack canary and the red zone (Debian's
 * libfdt.a is a userspace build): callers run this with interrupts masked
 * and a canary in place (boot/libcall.c, arch/x86/boot/mb2.c).
 */
#include <libfdt.h>
#include <tv/bootinfo.h>
#include <tv/cfglex.h>
#include <tv/printf.h>
#include <tv/string.h>

static void note(struct bib *b, int r)
{
	if (r < 0 && b->err == 0)
		b->err = r;
}

/* Offset of a node directly under the root, created on first use. */
static int node(struct bib *b, const char *name)
{
	int off = fdt_subnode_offset(b->fdt, 0, name);

	if (off == -FDT_ERR_NOTFOUND)
		off = fdt_add_subnode(b->fdt, 0, name);
	note(b, off);
	return off;
}

static void set_u64(struct bib *b, const char *nodename, const char *prop, u64 v)
{
	int off = node(b, nodename);

	if (off >= 0)
		note(b, fdt_setprop_u64(b->fdt, off, prop, v));
}

static void set_u32(struct bib *b, int off, const char *prop, u32 v)
{
	if (off >= 0)
		note(b, fdt_setprop_u32(b->fdt, off, prop, v));
}

static void set_reg(struct bib *b, int off, u64 base, u64 size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	if (off >= 0)
		note(b, fdt_setprop(b->fdt, off, "reg", reg, sizeof(reg)));
}

int bib_init(struct bib *b, void *buf, size_t size, const char *loader_name)
{
	b->fdt = buf;
	b->err = 0;
	note(b, fdt_create_empty_tree(buf, (int)size));
	if (b->err)
		return b->err;
	note(b, fdt_setprop_string(buf, 0, "compatible", BI_COMPATIBLE));
	note(b, fdt_setprop_u32(buf, 0, "thinvisor,bootinfo-version", BI_VERSION));
	note(b, fdt_setprop_u32(buf, 0, "#address-cells", 2));
	note(b, fdt_setprop_u32(buf, 0, "#size-cells", 2));

	int chosen = node(b, "chosen");

	if (chosen >= 0)
		note(b, fdt_setprop_string(buf, chosen, "thinvisor,loader", loader_name));
	node(b, "modules");
	node(b, "settings");
	return b->err;
}

void bib_set_cmdline(struct bib *b, const char *cmdline)
{
	int off = node(b, "chosen");

	if (off >= 0)
		note(b, fdt_setprop_string(b->fdt, off, "bootargs", cmdline));
}

void bib_set_kernel(struct bib *b, u64 phys, u64 size)
{
	int off = node(b, "chosen");
	fdt64_t v[2] = { cpu_to_fdt64(phys), cpu_to_fdt64(size) };

	if (off >= 0)
		note(b, fdt_setprop(b->fdt, off, "thinvisor,kernel", v, sizeof(v)));
}

void bib_set_loader_tsc(struct bib *b, u64 tsc)
{
	set_u64(b, "chosen", "thinvisor,loader-tsc", tsc);
}

void bib_set_boot_mapped(struct bib *b, u64 top)
{
	set_u64(b, "chosen", "thinvisor,boot-mapped", top);
}

void bib_set_acpi_rsdp(struct bib *b, u64 rsdp)
{
	set_u64(b, "acpi", "rsdp", rsdp);
}

void bib_set_framebuffer(struct bib *b, const struct bi_framebuffer *fb)
{
	int off = node(b, "framebuffer");

	if (off < 0)
		return;
	/* The generic "simple-framebuffer" binding, plus channel positions. */
	note(b, fdt_setprop_string(b->fdt, off, "compatible", "simple-framebuffer"));
	set_reg(b, off, fb->base, (u64)fb->stride * fb->height);
	set_u32(b, off, "width", fb->width);
	set_u32(b, off, "height", fb->height);
	set_u32(b, off, "stride", fb->stride);
	set_u32(b, off, "bits-per-pixel", fb->bpp);

	u32 shifts[3] = { cpu_to_fdt32(fb->red_shift), cpu_to_fdt32(fb->green_shift),
			  cpu_to_fdt32(fb->blue_shift) };

	note(b, fdt_setprop(b->fdt, off, "thinvisor,rgb-shifts", shifts, sizeof(shifts)));
}

void bib_set_uefi(struct bib *b, u64 system_table, u64 runtime_services, const void *memmap,
		  u32 memmap_size, u32 desc_size, u32 desc_version)
{
	int off = node(b, "uefi");

	if (off < 0)
		return;
	note(b, fdt_setprop_u64(b->fdt, off, "system-table", system_table));
	note(b, fdt_setprop_u64(b->fdt, off, "runtime-services", runtime_services));
	if (memmap) {
		note(b, fdt_setprop(b->fdt, off, "memory-map", memmap, memmap_size));
		set_u32(b, off, "descriptor-size", desc_size);
		set_u32(b, off, "descriptor-version", desc_version);
	}
}

void bib_add_module(struct bib *b, const char *name, u64 phys, u64 size)
{
	int mods = node(b, "modules");
	char nodename[32];
	int off;

	if (mods < 0)
		return;
	/* Node names must be unique; the unit address is the load address. */
	snprintf(nodename, sizeof(nodename), "module@%llx", (unsigned long long)phys);
	off = fdt_add_subnode(b->fdt, mods, nodename);
	note(b, off);
	if (off < 0)
		return;
	note(b, fdt_setprop_string(b->fdt, off, "name", name));
	note(b, fdt_setprop_string(b->fdt, off, "kind", bi_module_kind(name)));
	set_reg(b, off, phys, size);
}

void bib_add_setting(struct bib *b, const char *key, const char *value)
{
	int off = node(b, "settings");

	if (off >= 0)
		note(b, fdt_setprop_string(b->fdt, off, key, value));
}

void bib_add_reserved(struct bib *b, u64 base, u64 size)
{
	if (size)
		note(b, fdt_add_mem_rsv(b->fdt, base, size));
}

void bib_set_memory_map(struct bib *b, const struct bi_mem_region *r, size_t n)
{
	int off = node(b, "memory-map");
	void *p;

	if (off < 0)
		return;
	/* Each region is <base-hi base-lo size-hi size-lo type>. */
	note(b, fdt_setprop_placeholder(b->fdt, off, "regions", (int)(n * 20), &p));
	if (b->err)
		return;
	fdt32_t *cell = p;

	for (size_t i = 0; i < n; i++) {
		cell[5 * i + 0] = cpu_to_fdt32(r[i].base >> 32);
		cell[5 * i + 1] = cpu_to_fdt32((u32)r[i].base);
		cell[5 * i + 2] = cpu_to_fdt32(r[i].size >> 32);
		cell[5 * i + 3] = cpu_to_fdt32((u32)r[i].size);
		cell[5 * i + 4] = cpu_to_fdt32(r[i].type);
	}
}

int bib_add_settings_file(struct bib *b, const void *text, size_t len,
			  void (*report)(void *ctx, unsigned line, const char *why), void *ctx)
{
	struct cfglex lx;
	struct cfg_entry e;
	int off = node(b, "settings"), bad = 0, r;
	char key[CFG_MAX_KEY + 1], value[CFG_MAX_VALUE + 1], msg[96];

	if (off < 0)
		return 0;
	cfglex_init(&lx, text, len);
	while ((r = cfglex_next(&lx, &e)) != 0) {
		if (r < 0) {
			bad++;
			snprintf(msg, sizeof(msg), "line %u: %s", lx.line, lx.err);
			note(b, fdt_appendprop_string(b->fdt, off, "errors", msg));
			if (report)
				report(ctx, lx.line, lx.err);
			continue;
		}
		const char *why = NULL;

		/* Keys are case-insensitive; store them lower-case. */
		for (size_t i = 0; i < e.key_len; i++)
			key[i] = (char)tv_tolower(e.key[i]);
		key[e.key_len] = '\0';
		cfg_value_copy(&e, value, sizeof(value));
		if (strcmp(key, "errors") == 0)
			why = "reserved key \"errors\"";
		else if (fdt_getprop(b->fdt, off, key, NULL))
			why = "key given twice";
		if (why) {
			bad++;
			snprintf(msg, sizeof(msg), "line %u: %s", e.line, why);
			note(b, fdt_appendprop_string(b->fdt, off, "errors", msg));
			if (report)
				report(ctx, e.line, why);
			continue;
		}
		note(b, fdt_setprop_string(b->fdt, off, key, value));
	}
	return bad;
}

int bib_finish(struct bib *b)
{
	if (b->err == 0)
		note(b, fdt_pack(b->fdt));
	return b->err;
}
