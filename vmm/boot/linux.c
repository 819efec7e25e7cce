// SPDX-License-Identifier: MIT
/* linux.c: loads a guest kernel, initrd and command line and sets up its 64-bit boot state. */
#include <tv/compiler.h>
#include <tv/elf64.h>
#include <tv/errno.h>
#include <tv/guestboot.h>
#include <tv/printf.h>
#include <tv/string.h>

/*
 * The Linux x86 64-bit boot protocol (Documentation/arch/x86/boot.rst): the
 * protected-mode part of the bzImage in RAM, a zero page holding the setup
 * header, e820 map and pointers, and the CPU in long mode at load + 0x200
 * with flat CS = 0x10 / DS = 0x18 and RSI = zero page. ELF64 test guests get
 * the same zero page, GDT, page tables and registers.
 *
 * Guest-physical layout (tv/vmm_layout.h):
 *   0x500   GDT                      0x20000  command line (64 KiB)
 *   0x7000  zero page                0xe0000  ACPI tables (reserved in e820)
 *   0x9000  page tables (6 pages)    1 MiB+   kernel, then the initrd on top
 */

#define PAGE 4096ull
#define ULL(x) ((unsigned long long)(x))

/* setup header offsets (in the file and in the zero page alike) */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_HEAP_END_PTR 0x224
#define HDR_EXT_LOADER_VER 0x226
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_HW_SUBARCH 0x23c
#define HDR_HW_SUBARCH_DATA 0x240
#define HDR_SETUP_DATA 0x250
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_MIN_END 0x264		/* must reach past init_size (2.10+) */
#define HDR_MAX_END 0x290		/* where the zero page's room for it ends */

#define LOADED_HIGH (1u << 0)
#define SETUP_SECTS_MAX 63		/* boot sector + setup fit in 32 KiB */
#define ENTRY64_OFFSET 0x200

/* page-table entry bits */
#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PS (1ull << 7)

#define PT_PML4 (GUEST_PT_BASE)
#define PT_PDPT (GUEST_PT_BASE + PAGE)
#define PT_PD0 (GUEST_PT_BASE + 2 * PAGE)
#define PT_NPD 4			/* 4 x 1 GiB */
_Static_assert(GUEST_PT_BASE + (2 + PT_NPD) * PAGE <= GUEST_PT_END, "page tables overflow");
_Static_assert(GUEST_BOOT_PARAMS + BP_SIZE <= GUEST_PT_BASE, "zero page overlaps page tables");
_Static_assert(GUEST_CMDLINE + GUEST_CMDLINE_MAX <= GUEST_EBDA, "command line past low RAM");
_Static_assert(sizeof(struct guest_e820_entry) == 20, "e820 entry size");

#define GDT_ENTRIES 4
#define GDT_CODE64 0x00af9b000000ffffull	/* base 0, limit 0xfffff, G, L, P, type 0xb */
#define GDT_DATA 0x00cf93000000ffffull		/* base 0, limit 0xfffff, G, D/B, P, type 3 */

static int failf(char *why, size_t whylen, int err, const char *fmt, ...) __printf(4, 5);

static int failf(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

static inline u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

static inline void put64(u8 *p, u64 v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (u8)(v >> (8 * i));
}

/* ---- guest RAM --------------------------------------------------------------- */

u64 guest_ram_low_end(const struct guest_ram *ram)
{
	return MIN(ram->size, GUEST_LOW_RAM_END);
}

u64 guest_ram_high_end(const struct guest_ram *ram)
{
	if (ram->size <= GUEST_LOW_RAM_END)
		return GUEST_HIGH_RAM_BASE;
	return GUEST_HIGH_RAM_BASE + (ram->size - GUEST_LOW_RAM_END);
}

bool guest_ram_contains(const struct guest_ram *ram, u64 gpa, u64 len)
{
	u64 low = guest_ram_low_end(ram), high = guest_ram_high_end(ram);

	if (len == 0)
		return false;
	if (gpa < low)
		return len <= low - gpa;
	return gpa >= GUEST_HIGH_RAM_BASE && gpa < high && len <= high - gpa;
}

static void e820_add(struct guest_e820_entry *map, unsigned *n, u64 start, u64 end, u32 type)
{
	if (start >= end)
		return;
	map[*n].addr = start;
	map[*n].size = end - start;
	map[*n].type = type;
	(*n)++;
}

unsigned guest_e820_build(const struct guest_ram *ram, struct guest_e820_entry map[GUEST_E820_MAX])
{
	u64 low = guest_ram_low_end(ram);
	unsigned n = 0;

	e820_add(map, &n, 0, MIN(low, GUEST_EBDA), E820_TYPE_RAM);
	e820_add(map, &n, GUEST_EBDA, MIN(low, GUEST_KERNEL_BASE), E820_TYPE_RESERVED);
	e820_add(map, &n, GUEST_KERNEL_BASE, low, E820_TYPE_RAM);
	e820_add(map, &n, GUEST_HIGH_RAM_BASE, guest_ram_high_end(ram), E820_TYPE_RAM);
	return n;
}

/* ---- bzImage header ---------------------------------------------------------- */

int guest_bzimage_parse(const void *img, u64 len, struct bzimage_info *info,
			char *why, size_t whylen)
{
	const u8 *b = img;
	u32 syssize;

	memset(info, 0, sizeof(*info));
	if (!b || len < HDR_VERSION + 2)
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: file of %llu bytes is too short for a setup header", ULL(len));
	if (memcmp(b + HDR_MAGIC, "HdrS", 4))
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: no \"HdrS\" setup header signature (not a Linux kernel or ELF file)");
	if (rd16(b + HDR_BOOT_FLAG) != 0xaa55)
		return failf(why, whylen, -ENOEXEC, "bzImage: boot flag is %#x, not 0xaa55",
			     rd16(b + HDR_BOOT_FLAG));
	info->version = rd16(b + HDR_VERSION);
	if (info->version < BZ_MIN_PROTOCOL)
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: boot protocol %u.%02u is older than 2.12 (no 64-bit entry)",
			     info->version >> 8, info->version & 0xff);

	/* The jump at 0x200 skips exactly the header: its end is 0x202 + displacement. */
	info->hdr_end = HDR_MAGIC + b[HDR_JUMP + 1];
	if (info->hdr_end < HDR_MIN_END || info->hdr_end > HDR_MAX_END)
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: setup header ends at %#x, outside [%#x, %#x]",
			     info->hdr_end, HDR_MIN_END, HDR_MAX_END);
	if (len < info->hdr_end)
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: file of %llu bytes ends inside the setup header", ULL(len));

	info->loadflags = b[HDR_LOADFLAGS];
	info->xloadflags = rd16(b + HDR_XLOADFLAGS);
	if (!(info->loadflags & LOADED_HIGH))
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: LOADED_HIGH is clear (a zImage, which loads below 1 MiB)");
	if (!(info->xloadflags & BZ_XLF_KERNEL_64))
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: xloadflags %#x lack XLF_KERNEL_64 (no 64-bit entry)",
			     info->xloadflags);

	info->setup_sects = b[HDR_SETUP_SECTS] ? b[HDR_SETUP_SECTS] : 4;
	if (info->setup_sects > SETUP_SECTS_MAX)
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: setup_sects %u is absurd (boot sector and setup fit in 32 KiB)",
			     info->setup_sects);
	info->payload_off = ((u64)info->setup_sects + 1) * 512;
	syssize = rd32(b + HDR_SYSSIZE);
	info->payload_len = (u64)syssize * 16;
	if (info->payload_off > len || info->payload_len > len - info->payload_off)
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: file is %llu bytes but setup_sects and syssize declare %llu",
			     ULL(len), ULL(info->payload_off + info->payload_len));
	if (info->payload_len <= ENTRY64_OFFSET)
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: %llu bytes of protected-mode code cannot hold the 64-bit entry at 0x200",
			     ULL(info->payload_len));

	info->relocatable = b[HDR_RELOCATABLE] != 0;
	info->kernel_alignment = rd32(b + HDR_KERNEL_ALIGNMENT);
	if (info->relocatable &&
	    (info->kernel_alignment < PAGE || info->kernel_alignment > GiB(1) ||
	     (info->kernel_alignment & (info->kernel_alignment - 1))))
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: kernel_alignment %#x is not a power of two in [4 KiB, 1 GiB]",
			     info->kernel_alignment);
	info->init_size = rd32(b + HDR_INIT_SIZE);
	if (info->init_size == 0)
		return failf(why, whylen, -ENOEXEC, "bzImage: init_size is 0");
	info->cmdline_size = rd32(b + HDR_CMDLINE_SIZE);
	info->initrd_addr_max = rd32(b + HDR_INITRD_ADDR_MAX);
	info->pref_address = rd64(b + HDR_PREF_ADDRESS);
	return 0;
}

/* ---- planning: every check, before the first write ---------------------------- */

struct plan {
	enum guest_kernel_kind kind;
	struct guest_ram ram;
	u64 low_end;
	struct bzimage_info bz;
	struct elf64_image elf;
	u64 load;			/* bzImage: where the protected-mode code goes */
	u64 kstart, kend;		/* kernel footprint, page-aligned */
	u64 entry;
	u64 initrd, initrd_len;
	u64 cmdlen;
};

/*
 * Where the kernel lives: a relocatable kernel loads at the first address
 * >= 1 MiB that satisfies kernel_alignment; either kind then moves itself to
 * its runtime start before decompressing: for a relocatable kernel the larger
 * of the load address and pref_address (boot.rst, init_size), for a fixed one
 * pref_address. It needs init_size bytes from there.
 */
static int plan_bzimage(struct plan *p, const struct guest_boot_args *a, char *why, size_t whylen)
{
	struct bzimage_info *bz = &p->bz;
	u64 run;
	int err;

	err = guest_bzimage_parse(a->kernel, a->kernel_len, bz, why, whylen);
	if (err)
		return err;
	if (p->cmdlen > bz->cmdline_size)
		return failf(why, whylen, -E2BIG,
			     "bzImage: command line of %llu bytes exceeds the kernel's cmdline_size %u",
			     ULL(p->cmdlen), bz->cmdline_size);

	p->load = bz->relocatable ? ALIGN_UP(GUEST_KERNEL_BASE, (u64)bz->kernel_alignment)
				  : GUEST_KERNEL_BASE;
	if (bz->relocatable)
		run = MAX(p->load, bz->pref_address);
	else
		run = bz->pref_address ? bz->pref_address : p->load;
	if (run < GUEST_KERNEL_BASE)
		return failf(why, whylen, -ENOEXEC,
			     "bzImage: fixed-address kernel wants to run at %#llx, below 1 MiB",
			     ULL(run));
	if (p->load >= p->low_end || p->low_end - p->load < bz->payload_len)
		return failf(why, whylen, -ENOSPC,
			     "bzImage: %llu-byte kernel at %#llx does not fit in RAM below %#llx",
			     ULL(bz->payload_len), ULL(p->load), ULL(p->low_end));
	if (run >= p->low_end || p->low_end - run < bz->init_size)
		return failf(why, whylen, -ENOSPC,
			     "bzImage: kernel needs init_size %#x bytes from %#llx, past the end of RAM below 4 GiB (%#llx)",
			     bz->init_size, ULL(run), ULL(p->low_end));
	p->kstart = p->load;
	p->kend = ALIGN_UP(MAX(p->load + bz->payload_len, run + bz->init_size), PAGE);
	p->entry = p->load + ENTRY64_OFFSET;
	return 0;
}

static int plan_elf(struct plan *p, const struct guest_boot_args *a, char *why, size_t whylen)
{
	const char *bad;

	/* elf64_check reads the headers in place. */
	if ((uintptr_t)a->kernel % 8)
		return failf(why, whylen, -EINVAL, "ELF: file buffer is not 8-byte aligned");
	bad = elf64_check(a->kernel, a->kernel_len, GUEST_KERNEL_BASE, p->low_end, &p->elf);
	if (bad)
		return failf(why, whylen, -ENOEXEC, "ELF: %s (allowed: [%#llx, %#llx))", bad,
			     ULL(GUEST_KERNEL_BASE), ULL(p->low_end));
	/* Segments are checked by p_vaddr and loaded by p_paddr: they must agree. */
	for (unsigned i = 0; i < p->elf.phnum; i++) {
		const struct elf64_phdr *ph = &p->elf.phdrs[i];

		if (ph->p_type == ELF_PT_LOAD && ph->p_memsz && ph->p_paddr != ph->p_vaddr)
			return failf(why, whylen, -ENOEXEC,
				     "ELF: segment %u has p_paddr %#llx != p_vaddr %#llx",
				     i, ULL(ph->p_paddr), ULL(ph->p_vaddr));
	}
	p->kstart = p->elf.vbase;
	p->kend = p->elf.vend;
	p->entry = p->elf.entry;
	return 0;
}

/* Highest page-aligned start for len bytes inside [lo, hi); false if none. */
static bool place_top(u64 lo, u64 hi, u64 len, u64 *addr)
{
	u64 at;

	if (hi <= lo || len > hi - lo)
		return false;
	at = ALIGN_DOWN(hi - len, PAGE);
	if (at < lo)
		return false;
	*addr = at;
	return true;
}

/*
 * The initrd goes as high as it can below the kernel's limit (initrd_addr_max
 * is the last byte it may occupy) and above the kernel's whole footprint, so
 * neither the decompressor nor early allocations run into it. A kernel that
 * can take it above 4 GiB gets it at the top of high RAM when low RAM is full.
 */
static int plan_initrd(struct plan *p, const struct guest_boot_args *a, char *why, size_t whylen)
{
	u64 len = a->initrd_len, hi = p->low_end, lo = ALIGN_UP(p->kend, PAGE);
	bool high_ok = false;

	if (!len)
		return 0;
	if (p->kind == GUEST_KERNEL_BZIMAGE) {
		hi = MIN(hi, (u64)p->bz.initrd_addr_max + 1);
		high_ok = p->bz.xloadflags & BZ_XLF_CAN_BE_LOADED_ABOVE_4G;
	}
	p->initrd_len = len;
	if (place_top(lo, hi, len, &p->initrd))
		return 0;
	if (high_ok && place_top(GUEST_HIGH_RAM_BASE, guest_ram_high_end(&p->ram), len, &p->initrd))
		return 0;
	return failf(why, whylen, -ENOSPC,
		     "initrd of %llu bytes does not fit below %#llx above the kernel's end %#llx%s",
		     ULL(len), ULL(hi), ULL(lo),
		     high_ok ? " nor in RAM above 4 GiB" : "");
}

static int plan_boot(struct plan *p, const struct guest_boot_args *a, char *why, size_t whylen)
{
	const u8 *k = a->kernel;
	int err;

	if (!a->kernel || !a->kernel_len)
		return failf(why, whylen, -EINVAL, "no kernel file");
	if (a->initrd_len && !a->initrd)
		return failf(why, whylen, -EINVAL, "initrd length without initrd data");
	if (a->ram_size < GUEST_RAM_MIN || a->ram_size > GUEST_RAM_MAX)
		return failf(why, whylen, -EINVAL,
			     "RAM size of %llu KiB is outside [%llu KiB, %llu GiB]",
			     ULL(a->ram_size >> 10), ULL(GUEST_RAM_MIN >> 10),
			     ULL(GUEST_RAM_MAX >> 30));
	if (a->ram_size % PAGE)
		return failf(why, whylen, -EINVAL, "RAM size %#llx is not a multiple of 4 KiB",
			     ULL(a->ram_size));
	if (a->ncpus == 0 || a->ncpus > GUEST_MAX_VCPUS)
		return failf(why, whylen, -EINVAL, "%u vCPUs (1 to %u supported)", a->ncpus,
			     GUEST_MAX_VCPUS);
	p->ram.size = a->ram_size;
	p->low_end = guest_ram_low_end(&p->ram);

	p->cmdlen = a->cmdline ? strnlen(a->cmdline, GUEST_CMDLINE_MAX) : 0;
	if (p->cmdlen >= GUEST_CMDLINE_MAX)
		return failf(why, whylen, -E2BIG, "command line is longer than %llu bytes",
			     ULL(GUEST_CMDLINE_MAX - 1));

	if (a->kernel_len >= 4 && !memcmp(k, "\177ELF", 4)) {
		p->kind = GUEST_KERNEL_ELF64;
		err = plan_elf(p, a, why, whylen);
	} else {
		p->kind = GUEST_KERNEL_BZIMAGE;
		err = plan_bzimage(p, a, why, whylen);
	}
	if (err)
		return err;
	return plan_initrd(p, a, why, whylen);
}

/* ---- writing ---------------------------------------------------------------- */

/* Guest memory writes that stop at the first failure and never leave guest RAM. */
struct gw {
	const struct gmem_ops *m;
	const struct guest_ram *ram;
	int err;
	u64 bad_gpa, bad_len;
};

static void gw_fail(struct gw *w, u64 gpa, u64 len)
{
	w->err = -EFAULT;
	w->bad_gpa = gpa;
	w->bad_len = len;
}

static void gw_put(struct gw *w, u64 gpa, const void *src, u64 len)
{
	if (w->err || !len)
		return;
	if (!guest_ram_contains(w->ram, gpa, len) || w->m->write(w->m->ctx, gpa, src, len))
		gw_fail(w, gpa, len);
}

static void gw_zero(struct gw *w, u64 gpa, u64 len)
{
	if (w->err || !len)
		return;
	if (!guest_ram_contains(w->ram, gpa, len) || w->m->zero(w->m->ctx, gpa, len))
		gw_fail(w, gpa, len);
}

static void gw_u8(struct gw *w, u64 gpa, u8 v)
{
	gw_put(w, gpa, &v, 1);
}

static void gw_u16(struct gw *w, u64 gpa, u16 v)
{
	u8 b[2] = { (u8)v, (u8)(v >> 8) };

	gw_put(w, gpa, b, 2);
}

static void gw_u32(struct gw *w, u64 gpa, u32 v)
{
	u8 b[4] = { (u8)v, (u8)(v >> 8), (u8)(v >> 16), (u8)(v >> 24) };

	gw_put(w, gpa, b, 4);
}

static void gw_u64(struct gw *w, u64 gpa, u64 v)
{
	u8 b[8];

	put64(b, v);
	gw_put(w, gpa, b, 8);
}

static void write_gdt(struct gw *w)
{
	u8 gdt[GDT_ENTRIES * 8];

	/* 0 and 1 are null, as in Linux's boot GDT, so CS/DS land on 0x10/0x18. */
	memset(gdt, 0, sizeof(gdt));
	put64(gdt + GUEST_BOOT_CS, GDT_CODE64);
	put64(gdt + GUEST_BOOT_DS, GDT_DATA);
	gw_put(w, GUEST_GDT, gdt, sizeof(gdt));
}

/* PML4 -> PDPT -> 4 PDs of 2 MiB pages: [0, 4 GiB) identity-mapped, writable. */
static void write_page_tables(struct gw *w)
{
	u8 chunk[64 * 8];

	gw_zero(w, GUEST_PT_BASE, GUEST_PT_END - GUEST_PT_BASE);
	gw_u64(w, PT_PML4, PT_PDPT | PTE_P | PTE_W);
	for (unsigned i = 0; i < PT_NPD; i++)
		gw_u64(w, PT_PDPT + 8 * i, (PT_PD0 + i * PAGE) | PTE_P | PTE_W);
	for (u64 pde = 0; pde < PT_NPD * 512; pde += 64) {
		for (unsigned j = 0; j < 64; j++)
			put64(chunk + 8 * j, ((pde + j) << 21) | PTE_P | PTE_W | PTE_PS);
		gw_put(w, PT_PD0 + pde * 8, chunk, sizeof(chunk));
	}
}

static void write_kernel(struct gw *w, const struct plan *p, const struct guest_boot_args *a)
{
	const u8 *k = a->kernel;

	if (p->kind == GUEST_KERNEL_BZIMAGE) {
		gw_put(w, p->load, k + p->bz.payload_off, p->bz.payload_len);
		return;
	}
	for (unsigned i = 0; i < p->elf.phnum; i++) {
		const struct elf64_phdr *ph = &p->elf.phdrs[i];

		if (ph->p_type != ELF_PT_LOAD || !ph->p_memsz)
			continue;
		gw_put(w, ph->p_paddr, k + ph->p_offset, ph->p_filesz);
		gw_zero(w, ph->p_paddr + ph->p_filesz, ph->p_memsz - ph->p_filesz);
	}
}

static void write_zero_page(struct gw *w, const struct plan *p, const struct guest_boot_args *a,
			    u64 rsdp)
{
	const u64 bp = GUEST_BOOT_PARAMS;
	struct guest_e820_entry map[GUEST_E820_MAX];
	unsigned n = guest_e820_build(&p->ram, map);

	gw_zero(w, bp, BP_SIZE);
	if (p->kind == GUEST_KERNEL_BZIMAGE) {
		const u8 *k = a->kernel;

		/* The kernel's own header, then the fields that belong to the loader. */
		gw_put(w, bp + BP_SETUP_HDR, k + BP_SETUP_HDR, p->bz.hdr_end - BP_SETUP_HDR);
		/* Only LOADED_HIGH: no heap (heap_end_ptr is 0), KEEP_SEGMENTS is obsolete. */
		gw_u8(w, bp + BP_LOADFLAGS, LOADED_HIGH);
		gw_u32(w, bp + HDR_CODE32_START, (u32)p->load);
		gw_u16(w, bp + HDR_HEAP_END_PTR, 0);
		gw_u16(w, bp + HDR_EXT_LOADER_VER, 0);	/* and ext_loader_type */
		gw_u32(w, bp + HDR_HW_SUBARCH, 0);	/* a plain PC */
		gw_u64(w, bp + HDR_HW_SUBARCH_DATA, 0);
		gw_u64(w, bp + HDR_SETUP_DATA, 0);	/* no setup_data list */
	}
	gw_u8(w, bp + BP_TYPE_OF_LOADER, 0xff);	/* undefined loader */
	gw_u32(w, bp + BP_CMD_LINE_PTR, (u32)GUEST_CMDLINE);
	gw_u32(w, bp + BP_EXT_CMD_LINE_PTR, (u32)(GUEST_CMDLINE >> 32));
	gw_u32(w, bp + BP_RAMDISK_IMAGE, (u32)p->initrd);
	gw_u32(w, bp + BP_EXT_RAMDISK_IMAGE, (u32)(p->initrd >> 32));
	gw_u32(w, bp + BP_RAMDISK_SIZE, (u32)p->initrd_len);
	gw_u32(w, bp + BP_EXT_RAMDISK_SIZE, (u32)(p->initrd_len >> 32));
	gw_u8(w, bp + BP_E820_ENTRIES, (u8)n);
	gw_put(w, bp + BP_E820_TABLE, map, n * sizeof(map[0]));
	gw_u64(w, bp + BP_ACPI_RSDP_ADDR, rsdp);
}

static void fill_state(struct guest_boot_state *out, const struct plan *p, u64 rsdp)
{
	const struct guest_seg data = {
		.selector = GUEST_BOOT_DS, .attrib = GUEST_SEG_DATA, .limit = 0xffffffff,
	};

	out->kind = p->kind;
	out->rip = p->entry;
	out->rsp = GUEST_BOOT_STACK_TOP;
	out->rsi = GUEST_BOOT_PARAMS;
	out->rflags = 0x2;			/* IF clear: interrupts off, as required */
	/*
	 * CR0 as Linux keeps it (minus AM): protected mode, paging, native FPU
	 * errors (NE, required under VMX), write protection honoured at CPL0.
	 */
	out->cr0 = GUEST_CR0_PE | GUEST_CR0_MP | GUEST_CR0_ET | GUEST_CR0_NE | GUEST_CR0_WP | GUEST_CR0_PG;
	out->cr3 = GUEST_PT_BASE;
	/* PAE is required for long mode; PSE is inert under 4-level paging. */
	out->cr4 = GUEST_CR4_PAE | GUEST_CR4_PSE;
	out->efer = GUEST_EFER_LME | GUEST_EFER_LMA;
	out->gdt_base = GUEST_GDT;
	out->gdt_limit = GDT_ENTRIES * 8 - 1;
	out->idt_base = 0;
	out->idt_limit = 0;

	out->cs = (struct guest_seg){
		.selector = GUEST_BOOT_CS, .attrib = GUEST_SEG_CODE64, .limit = 0xffffffff,
	};
	out->ds = out->es = out->ss = out->fs = out->gs = data;
	/* Only there for VM-entry checks: no descriptor, never used before Linux loads its own. */
	out->tr = (struct guest_seg){ .attrib = GUEST_SEG_TSS, .limit = 0x67 };
	out->ldtr = (struct guest_seg){ 0 };	/* P clear: unusable */

	out->kernel_start = p->kstart;
	out->kernel_end = p->kend;
	out->initrd_addr = p->initrd;
	out->initrd_size = p->initrd_len;
	out->cmdline_len = p->cmdlen;
	out->rsdp = rsdp;
	if (p->kind == GUEST_KERNEL_BZIMAGE)
		out->bz = p->bz;
}

int guest_boot_prepare(const struct guest_boot_args *a, const struct gmem_ops *m,
		       struct guest_boot_state *out, char *why, size_t whylen)
{
	struct plan p;
	struct gw w = { .m = m };
	u64 rsdp = 0;
	int err;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (why && whylen)
		why[0] = '\0';
	err = plan_boot(&p, a, why, whylen);
	if (err)
		return err;
	w.ram = &p.ram;

	/* Below 1 MiB nothing may be left over: Linux reads the BDA and scans for tables. */
	gw_zero(&w, 0, GUEST_ACPI_BASE);
	if (w.err)
		goto fault;
	err = guest_acpi_build(m, a->ncpus, a->nvirtio, &rsdp, why, whylen);
	if (err)
		return err;
	write_gdt(&w);
	write_page_tables(&w);
	gw_put(&w, GUEST_CMDLINE, a->cmdline ? a->cmdline : "", p.cmdlen);
	gw_u8(&w, GUEST_CMDLINE + p.cmdlen, 0);
	write_kernel(&w, &p, a);
	if (p.initrd_len)
		gw_put(&w, p.initrd, a->initrd, p.initrd_len);
	write_zero_page(&w, &p, a, rsdp);
	if (w.err)
		goto fault;

	fill_state(out, &p, rsdp);
	return 0;

fault:
	return failf(why, whylen, w.err, "writing %llu bytes of guest memory at %#llx failed",
		     ULL(w.bad_len), ULL(w.bad_gpa));
}
