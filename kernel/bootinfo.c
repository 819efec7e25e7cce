// SPDX-License-Identifier: MIT
/*
 * bootinfo.c: reads the boot-info FDT (schema in docs/architecture.md) into
 * struct bootinfo. Pure code over libfdt, unit-tested on the host together
 * with the builder (tests/unit/test_bootinfo.c).
 *
 * Debian's libfdt.a reads a stack canary at %fs:0x28 and uses the red zone:
 * the kernel calls it only with interrupts masked and FS pointing at the
 * per-CPU area, whose canary is at that offset (arch/x86/percpu.c).
 */
#include <libfdt.h>
#include <tv/bootinfo.h>
#include <tv/errno.h>
#include <tv/string.h>

static u64 get_u64(const void *fdt, int off, const char *name, u64 dflt)
{
	int len;
	const fdt64_t *p = fdt_getprop(fdt, off, name, &len);

	if (!p || len != 8)
		return dflt;
	return fdt64_ld(p); /* property data is only 4-byte aligned */
}

static u32 get_u32(const void *fdt, int off, const char *name, u32 dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, off, name, &len);

	if (!p || len != 4)
		return dflt;
	return fdt32_to_cpu(*p);
}

static const char *get_str(const void *fdt, int off, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, off, name, &len);

	/* Only well-formed strings: terminated inside the property. */
	if (!s || len < 1 || s[len - 1] != '\0')
		return NULL;
	return s;
}

static bool get_reg(const void *fdt, int off, u64 *base, u64 *size)
{
	int len;
	const fdt64_t *p = fdt_getprop(fdt, off, "reg", &len);

	if (!p || len != 16)
		return false;
	*base = fdt64_ld(&p[0]);
	*size = fdt64_ld(&p[1]);
	return true;
}

static int parse_memory_map(const void *fdt, struct bootinfo *bi, const char **why)
{
	int off = fdt_path_offset(fdt, "/memory-map"), len;
	const fdt32_t *c;

	if (off < 0 || !(c = fdt_getprop(fdt, off, "regions", &len)) || len <= 0 || len % 20) {
		*why = "missing or malformed /memory-map";
		return -EINVAL;
	}
	for (int i = 0; i < len / 20; i++) {
		struct bi_mem_region *r;

		if (bi->nregions == BI_MAX_REGIONS) {
			*why = "too many memory regions";
			return -EINVAL;
		}
		r = &bi->regions[bi->nregions++];
		r->base = ((u64)fdt32_to_cpu(c[5 * i]) << 32) | fdt32_to_cpu(c[5 * i + 1]);
		r->size = ((u64)fdt32_to_cpu(c[5 * i + 2]) << 32) | fdt32_to_cpu(c[5 * i + 3]);
		r->type = fdt32_to_cpu(c[5 * i + 4]);
		if (r->type == 0 || r->type >= BI_MEM_NTYPES || r->base + r->size < r->base) {
			*why = "bad memory region";
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_modules(const void *fdt, struct bootinfo *bi, const char **why)
{
	int mods = fdt_path_offset(fdt, "/modules"), off;

	if (mods < 0)
		return 0;
	fdt_for_each_subnode(off, fdt, mods) {
		struct bi_module *m;

		if (bi->nmodules == BI_MAX_MODULES) {
			*why = "too many modules";
			return -EINVAL;
		}
		m = &bi->modules[bi->nmodules];
		m->name = get_str(fdt, off, "name");
		m->kind = get_str(fdt, off, "kind");
		if (!m->name || !m->kind || !get_reg(fdt, off, &m->base, &m->size) ||
		    m->base + m->size < m->base) {
			*why = "malformed module node";
			return -EINVAL;
		}
		bi->nmodules++;
	}
	return 0;
}

static void parse_framebuffer(const void *fdt, struct bootinfo *bi)
{
	int off = fdt_path_offset(fdt, "/framebuffer"), len;
	const fdt32_t *sh;
	u64 size;

	if (off < 0 || !get_reg(fdt, off, &bi->fb.base, &size))
		return;
	bi->fb.width = get_u32(fdt, off, "width", 0);
	bi->fb.height = get_u32(fdt, off, "height", 0);
	bi->fb.stride = get_u32(fdt, off, "stride", 0);
	bi->fb.bpp = get_u32(fdt, off, "bits-per-pixel", 0);
	sh = fdt_getprop(fdt, off, "thinvisor,rgb-shifts", &len);
	if (!sh || len != 12 || bi->fb.bpp != 32 || !bi->fb.width || !bi->fb.height ||
	    bi->fb.stride < (u64)bi->fb.width * 4)
		return;
	bi->fb.red_shift = (u8)fdt32_to_cpu(sh[0]);
	bi->fb.green_shift = (u8)fdt32_to_cpu(sh[1]);
	bi->fb.blue_shift = (u8)fdt32_to_cpu(sh[2]);
	bi->has_fb = true;
}

/* The raw UEFI memory map; dropped unless whole descriptors of a plausible size. */
static void parse_uefi_memmap(const void *fdt, int off, struct bootinfo *bi)
{
	int len;
	const void *map = fdt_getprop(fdt, off, "memory-map", &len);
	u32 dsz = get_u32(fdt, off, "descriptor-size", 0);

	/* 40 bytes is the descriptor of UEFI 2.x; firmware may append fields. */
	if (!map || len <= 0 || dsz < 40 || dsz > 4096 || (u32)len % dsz)
		return;
	bi->uefi_memmap = map;
	bi->uefi_memmap_size = (u32)len;
	bi->uefi_desc_size = dsz;
	bi->uefi_desc_version = get_u32(fdt, off, "descriptor-version", 0);
}

int bootinfo_parse(const void *fdt, struct bootinfo *bi, const char **why)
{
	int chosen, off, n, len;
	const fdt64_t *k;
	const char *s;

	memset(bi, 0, sizeof(*bi));
	bi->fdt = fdt;
	bi->settings_off = -1;
	if (fdt_check_header(fdt) != 0) {
		*why = "not a flattened device tree";
		return -EINVAL;
	}
	s = get_str(fdt, 0, "compatible");
	if (!s || strcmp(s, BI_COMPATIBLE) != 0 ||
	    get_u32(fdt, 0, "thinvisor,bootinfo-version", 0) != BI_VERSION) {
		*why = "not thinvisor boot info of a known version";
		return -EINVAL;
	}
	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0) {
		*why = "no /chosen node";
		return -EINVAL;
	}
	bi->loader = get_str(fdt, chosen, "thinvisor,loader");
	bi->cmdline = get_str(fdt, chosen, "bootargs");
	if (!bi->loader)
		bi->loader = "unknown";
	if (!bi->cmdline)
		bi->cmdline = "";
	k = fdt_getprop(fdt, chosen, "thinvisor,kernel", &len);
	if (!k || len != 16) {
		*why = "no kernel placement in /chosen";
		return -EINVAL;
	}
	bi->kernel_phys = fdt64_ld(&k[0]);
	bi->kernel_size = fdt64_ld(&k[1]);
	bi->loader_tsc = get_u64(fdt, chosen, "thinvisor,loader-tsc", 0);
	bi->boot_mapped_top = get_u64(fdt, chosen, "thinvisor,boot-mapped", 4ull << 30);
	off = fdt_path_offset(fdt, "/acpi");
	if (off >= 0)
		bi->acpi_rsdp = get_u64(fdt, off, "rsdp", 0);
	off = fdt_path_offset(fdt, "/uefi");
	if (off >= 0) {
		bi->uefi_systab = get_u64(fdt, off, "system-table", 0);
		bi->uefi_runtime = get_u64(fdt, off, "runtime-services", 0);
		parse_uefi_memmap(fdt, off, bi);
	}
	parse_framebuffer(fdt, bi);
	if (parse_memory_map(fdt, bi, why) || parse_modules(fdt, bi, why))
		return -EINVAL;
	n = fdt_num_mem_rsv(fdt);
	if (n < 0 || n > BI_MAX_RESERVED) {
		*why = "bad or oversized reserve map";
		return -EINVAL;
	}
	for (int i = 0; i < n; i++) {
		u64 base, size;

		fdt_get_mem_rsv(fdt, i, &base, &size);
		bi->reserved[bi->nreserved].base = base;
		bi->reserved[bi->nreserved].size = size;
		bi->nreserved++;
	}
	bi->settings_off = fdt_path_offset(fdt, "/settings");
	return 0;
}

const char *bootinfo_setting(const struct bootinfo *bi, const char *key)
{
	if (bi->settings_off < 0 || strcmp(key, "errors") == 0)
		return NULL;
	return get_str(bi->fdt, bi->settings_off, key);
}

const char *bootinfo_setting_error(const struct bootinfo *bi, int i)
{
	if (bi->settings_off < 0)
		return NULL;
	return fdt_stringlist_get(bi->fdt, bi->settings_off, "errors", i, NULL);
}

const struct bi_module *bootinfo_module(const struct bootinfo *bi, const char *name)
{
	for (size_t i = 0; i < bi->nmodules; i++)
		if (strcmp(bi->modules[i].name, name) == 0)
			return &bi->modules[i];
	return NULL;
}

u64 bootinfo_usable_bytes(const struct bootinfo *bi)
{
	u64 total = 0;

	for (size_t i = 0; i < bi->nregions; i++)
		if (bi->regions[i].type == BI_MEM_USABLE)
			total += bi->regions[i].size;
	return total;
}
