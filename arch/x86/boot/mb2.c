// SPDX-License-Identifier: MIT
/*
 * mb2.c: the multiboot2 shim. Turns GRUB's boot information tags into the
 * same boot-info FDT the UEFI loader builds, then enters the kernel exactly
 * as that loader would, so the kernel has a single boot-info reader.
 * Runs on the boot stack with interrupts off and the canary set
 * (mb2_entry.S), which is all Debian's libfdt.a needs.
 */
#include <tv/boot.h>
#include <tv/bootinfo.h>
#include <tv/compiler.h>
#include <tv/string.h>

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_FB_RGB 1
#define MB2_MAX_REGIONS 256

struct mb2_tag {
	u32 type;
	u32 size;
};

struct mb2_module {
	struct mb2_tag tag;
	u32 start, end;
	char name[];
} __packed;

struct mb2_mmap {
	struct mb2_tag tag;
	u32 entry_size, entry_version;
	u8 entries[];
} __packed;

struct mb2_mmap_entry {
	u64 base, len;
	u32 type, reserved;
} __packed;

struct mb2_fb {
	struct mb2_tag tag;
	u64 addr;
	u32 pitch, width, height;
	u8 bpp, type;
	u16 reserved;
	u8 red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
} __packed;

extern char __kernel_end[];
void __noreturn kmain(paddr_t fdt, u64 magic, paddr_t kernel_phys);
void __noreturn mb2_main(u32 info_pa);

static u8 fdt_buf[64 << 10] __aligned(8);
static u8 rsdp_copy[64] __aligned(16); /* GRUB hands over a copy, not the address */
static struct bi_mem_region regions[MB2_MAX_REGIONS];

static u64 kpa(const void *p)
{
	return (u64)(uintptr_t)p - KERNEL_VMA_BASE + KERNEL_LMA_DEFAULT;
}

static u32 e820_type(u32 t)
{
	switch (t) {
	case 1: return BI_MEM_USABLE;
	case 3: return BI_MEM_ACPI_RECLAIM;
	case 4: return BI_MEM_ACPI_NVS;
	case 5: return BI_MEM_UNUSABLE;
	case 7: return BI_MEM_PERSISTENT;
	default: return BI_MEM_RESERVED;
	}
}

static void add_mmap(struct bib *b, const struct mb2_mmap *m)
{
	size_t n = 0;

	if (m->entry_size < sizeof(struct mb2_mmap_entry))
		return;
	for (u32 off = sizeof(*m); off + m->entry_size <= m->tag.size && n < MB2_MAX_REGIONS;
	     off += m->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)((const u8 *)m + off);

		regions[n].base = e->base;
		regions[n].size = e->len;
		regions[n].type = e820_type(e->type);
		n++;
	}
	n = bi_memmap_normalize(regions, n, MB2_MAX_REGIONS);
	bib_set_memory_map(b, regions, n);
}

static void add_framebuffer(struct bib *b, const struct mb2_fb *f)
{
	struct bi_framebuffer fb;

	if (f->type != MB2_FB_RGB || f->bpp != 32 || f->red_size != 8 || f->green_size != 8 ||
	    f->blue_size != 8)
		return; /* EGA text or odd formats: serial console only */
	fb.base = f->addr;
	fb.width = f->width;
	fb.height = f->height;
	fb.stride = f->pitch;
	fb.bpp = 32;
	fb.red_shift = f->red_pos;
	fb.green_shift = f->green_pos;
	fb.blue_shift = f->blue_pos;
	bib_set_framebuffer(b, &fb);
}

void __noreturn mb2_main(u32 info_pa)
{
	u64 tsc = __builtin_ia32_rdtsc();
	const u8 *info = (const u8 *)(uintptr_t)(DIRECT_MAP_BASE + info_pa);
	u32 total = *(const u32 *)info;
	struct bib b;
	bool have_new_rsdp = false;
	u64 kernel_size = (u64)(uintptr_t)__kernel_end - KERNEL_VMA_BASE;

	bib_init(&b, fdt_buf, sizeof(fdt_buf), "multiboot2");
	bib_set_kernel(&b, KERNEL_LMA_DEFAULT, kernel_size);
	bib_set_loader_tsc(&b, tsc);
	bib_set_boot_mapped(&b, 4ull << 30);
	bib_add_reserved(&b, KERNEL_LMA_DEFAULT, kernel_size);

	for (u32 off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *t = (const void *)(info + off);

		if (t->type == MB2_TAG_END || t->size < sizeof(*t) || off + t->size > total)
			break;
		switch (t->type) {
		case MB2_TAG_CMDLINE:
			bib_set_cmdline(&b, (const char *)(t + 1));
			break;
		case MB2_TAG_MODULE: {
			const struct mb2_module *m = (const void *)t;
			const void *data = (const void *)(uintptr_t)(DIRECT_MAP_BASE + m->start);

			if (m->end < m->start)
				break;
			bib_add_module(&b, m->name, m->start, m->end - m->start);
			bib_add_reserved(&b, m->start, ALIGN_UP(MAX(m->end - m->start, 1u), 4096u));
			if (strcmp(m->name, BI_SETTINGS_NAME) == 0)
				bib_add_settings_file(&b, data, m->end - m->start, NULL, NULL);
			break;
		}
		case MB2_TAG_MMAP:
			add_mmap(&b, (const void *)t);
			break;
		case MB2_TAG_FRAMEBUFFER:
			add_framebuffer(&b, (const void *)t);
			break;
		case MB2_TAG_ACPI_NEW:
		case MB2_TAG_ACPI_OLD:
			if (have_new_rsdp || t->size - sizeof(*t) > sizeof(rsdp_copy))
				break;
			memcpy(rsdp_copy, t + 1, t->size - sizeof(*t));
			bib_set_acpi_rsdp(&b, kpa(rsdp_copy));
			have_new_rsdp = t->type == MB2_TAG_ACPI_NEW;
			break;
		}
		off += ALIGN_UP(t->size, 8u);
	}
	/* An error leaves the tree incomplete; kmain reports what is missing. */
	bib_finish(&b);
	kmain(kpa(fdt_buf), BOOT_MAGIC, KERNEL_LMA_DEFAULT);
}
